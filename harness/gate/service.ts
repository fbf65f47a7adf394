// The gate's service budget: the default upgrade scenario (harness/service/scenario.ts) on the
// reference, its downtime against ci/budgets.json `service.downtimeMs`. A scenario that breaks a
// property (a lost write, a wrong response, v2 not serving) fails the gate too.

import { readFileSync } from 'fs';
import { serviceDowntimeBudgetMs } from '../service/budget';
import { FIRMWARE, serviceImage } from '../service/images';
import { DEFAULT_SCENARIO, runScenario, TICKS_PER_MS } from '../service/scenario';
import { fmtTicks } from '../service/traffic';

export interface ServiceGateRow { downtimeMs: number | null; budgetMs: number; pass: boolean; why: string }

export function measureService(budgetsFile: string, firmware = FIRMWARE): ServiceGateRow {
  const budgetMs = serviceDowntimeBudgetMs(budgetsFile);
  const d = DEFAULT_SCENARIO;
  const r = runScenario({
    name: 'gate', clients: d.clients, interval: d.intervalMs * TICKS_PER_MS, trafficEnd: d.trafficMs * TICKS_PER_MS,
    keysPerClient: d.keysPerClient, seed: d.seed, upgradeAt: d.upgradeAtMs * TICKS_PER_MS, faults: {},
    expect: { versions: [2], downtimeBudget: Math.round(budgetMs * TICKS_PER_MS) }, deadline: (d.trafficMs + 1000) * TICKS_PER_MS,
  }, {
    firmware: new Uint8Array(readFileSync(firmware)), v1: serviceImage('service-v1'), v2: serviceImage('service-v2-part'), v2Boot: serviceImage('service-v2'),
  });
  const downtimeMs = r.downtime === null ? null : r.downtime / TICKS_PER_MS;
  const why = r.passed ? `downtime ${fmtTicks(r.downtime!)} of guest time (budget ${budgetMs} ms)`
    : r.violations.length ? r.violations[0].what : 'the scenario did not finish';
  return { downtimeMs, budgetMs, pass: r.passed, why };
}

export const SERVICE_GATE_NAME = 'service';
