// The firmware's own cost of sharing the hart (issue 10): a world switch, a wfi that yields, the
// retire that leaves the survivor alone, an emulated PLIC access and a device hand_over, each in
// guest cycles of the reference's cycle model (exact, so a budget is a plain comparison), against
// ci/budgets.json's firmwareCosts. Measured on the reference only: the scenarios need the doorbell.

import * as fs from 'fs';
import { measureInstanceCosts, median } from '../../reference/instance-costs';
import { measureDeviceCosts } from '../../reference/device-costs';

export const FIRMWARE_COSTS_GATE_NAME = 'firmware-costs';

export interface FirmwareCostRow { name: string; measure: string; cycles: number; budgetCycles: number; pass: boolean }

interface FirmwareCostBudget { name: string; measure: string; budgetCycles: number }

/** The budgets file's firmwareCosts rows, or null when it has none (the section is optional). */
export function firmwareCostBudgets(budgetsFile: string): FirmwareCostBudget[] | null {
  const rows = (JSON.parse(fs.readFileSync(budgetsFile, 'utf8')) as { firmwareCosts?: FirmwareCostBudget[] }).firmwareCosts;
  return rows && rows.length ? rows : null;
}

/** Every figure a firmwareCosts row may name (its `measure`), measured with `firmware` (default: the committed Microvisor). */
export function measureFirmwareCosts(firmware?: string): Record<string, number> {
  const c = measureInstanceCosts(firmware);
  const d = measureDeviceCosts(firmware);
  return {
    'slice-switch': median(c.sliceSwitch), 'yield-switch': median(c.yieldSwitch), 'retire-to-survivor': c.retireToSurvivor,
    'emulated-plic-access': d.plicAccess, 'hand-over': d.handOver,
  };
}

export function gateFirmwareCosts(budgetsFile: string, firmware?: string): FirmwareCostRow[] {
  const budgets = firmwareCostBudgets(budgetsFile) ?? [];
  const measured = measureFirmwareCosts(firmware);
  return budgets.map((b) => {
    const cycles = measured[b.measure];
    if (cycles === undefined) throw new Error(`${budgetsFile}: firmwareCosts row '${b.name}' measures '${b.measure}', which the gate does not know (known: ${Object.keys(measured).join(', ')})`);
    return { name: b.name, measure: b.measure, cycles, budgetCycles: b.budgetCycles, pass: cycles <= b.budgetCycles };
  });
}

export function firmwareCostsTable(rows: FirmwareCostRow[]): string {
  const lines = ['firmware cost of sharing the hart (guest cycles)', `${'cost'.padEnd(24)}${'cycles'.padStart(10)}${'budget'.padStart(10)}  verdict`];
  for (const r of rows) lines.push(`${r.name.padEnd(24)}${String(r.cycles).padStart(10)}${String(r.budgetCycles).padStart(10)}  ${r.pass ? 'pass' : 'FAIL'}`);
  return lines.join('\n') + '\n';
}
