// The downtime budget of the upgrade (ci/budgets.json `service.downtimeMs`): one place for devirt
// upgrade's default, the maintenance suite's expectations and the gate.

import { readFileSync } from 'fs';
import { join } from 'path';

export const BUDGETS_FILE = join(__dirname, '..', '..', '..', 'ci', 'budgets.json');

export function serviceDowntimeBudgetMs(file = BUDGETS_FILE): number {
  const b = JSON.parse(readFileSync(file, 'utf8')) as { service?: { downtimeMs?: number } };
  const ms = b.service?.downtimeMs;
  if (typeof ms !== 'number' || !(ms > 0)) throw new Error(`${file}: service.downtimeMs is missing or not a positive number`);
  return ms;
}

/** Whether a budgets file gives the upgrade a budget (a budgets file for the workloads alone need not). */
export function hasServiceBudget(file = BUDGETS_FILE): boolean {
  return (JSON.parse(readFileSync(file, 'utf8')) as { service?: unknown }).service !== undefined;
}

export interface ThroughputBudget { virtualizedMinPercent: number; besideV2MinPercent: number }

/** The service's throughput budgets (ci/budgets.json `service.throughput`), or null when the file gives none. */
export function serviceThroughputBudget(file = BUDGETS_FILE): ThroughputBudget | null {
  const b = JSON.parse(readFileSync(file, 'utf8')) as { service?: { throughput?: ThroughputBudget } };
  return b.service?.throughput ?? null;
}
