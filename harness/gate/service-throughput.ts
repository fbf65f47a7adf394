// The gate's service throughput (issue 11, "overhead grows"): the service under the saturating load
// of harness/service/load.ts natively, virtualized with one instance, and beside v2 booting, each
// run once on the reference (deterministic: one run is the figure), against ci/budgets.json
// service.throughput. Requests per second of guest time.

import { readFileSync } from 'fs';
import { serviceDowntimeBudgetMs, serviceThroughputBudget } from '../service/budget';
import { FIRMWARE, serviceImage } from '../service/images';
import { loadScenario } from '../service/load';
import { runScenario, ScenarioResult, TICKS_PER_MS } from '../service/scenario';

export interface ThroughputRow { config: string; perSecond: number; percentOfNative: number | null; minPercent: number | null; pass: boolean; why: string }

const SEED = 1;

export function measureServiceThroughput(budgetsFile: string, firmware = FIRMWARE): ThroughputRow[] | null {
  const budget = serviceThroughputBudget(budgetsFile);
  if (!budget) return null;
  const downtime = Math.round(serviceDowntimeBudgetMs(budgetsFile) * TICKS_PER_MS);
  const images = {
    firmware: new Uint8Array(readFileSync(firmware)), v1: serviceImage('service-v1'), v2: serviceImage('service-v2-part'), v2Boot: serviceImage('service-v2'),
  };
  const run = (c: 'native' | 'virtualized' | 'beside-v2') => runScenario(loadScenario(c, SEED, downtime), images);
  const broken = (r: ScenarioResult) => (r.passed ? null : r.violations[0]?.what ?? 'the scenario did not finish');
  const native = run('native');
  const nativeRate = native.throughput?.perSecond ?? 0;
  const rows: ThroughputRow[] = [{ config: 'native', perSecond: nativeRate, percentOfNative: null, minPercent: null, pass: native.passed && nativeRate > 0, why: broken(native) ?? 'whole run' }];
  const row = (config: string, r: ScenarioResult, rate: number | null, min: number, what: string): ThroughputRow => {
    const pct = rate !== null && nativeRate > 0 ? (100 * rate) / nativeRate : null;
    const b = broken(r);
    return { config, perSecond: rate ?? 0, percentOfNative: pct, minPercent: min, pass: !b && pct !== null && pct >= min, why: b ?? (pct === null ? `no ${what} measured` : what) };
  };
  const virt = run('virtualized');
  rows.push(row('virtualized', virt, virt.throughput?.perSecond ?? null, budget.virtualizedMinPercent, 'whole run, one instance'));
  const beside = run('beside-v2');
  const booting = beside.phases.find((p) => p.name === 'v2-booting');
  rows.push(row('beside-v2', beside, booting ? booting.perSecond : null, budget.besideV2MinPercent, 'upgrade request to v2 ready, even share'));
  return rows;
}

export function throughputTable(rows: ThroughputRow[]): string {
  const lines = ['service under a saturating load (requests per second of guest time)', `${'configuration'.padEnd(16)}${'req/s'.padStart(10)}${'of native'.padStart(12)}${'budget'.padStart(10)}  verdict`];
  for (const r of rows) {
    lines.push(`${r.config.padEnd(16)}${r.perSecond.toFixed(0).padStart(10)}${(r.percentOfNative === null ? '' : `${r.percentOfNative.toFixed(2)}%`).padStart(12)}${(r.minPercent === null ? '' : `>=${r.minPercent}%`).padStart(10)}  ${r.pass ? 'pass' : 'FAIL'} (${r.why})`);
  }
  return lines.join('\n') + '\n';
}
