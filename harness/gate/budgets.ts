// Overhead budgets (ci/budgets.json, or any file given to `devirt gate --budgets`): for each
// workload, the kernel and firmware it boots, the console lines that bound its measured phase,
// when the maintenance events are delivered, and the largest virtualized overhead allowed.
// Validated against vectors/schema/budgets.schema.json; a bad file is one line naming the field.

import * as fs from 'fs';
import * as path from 'path';
import { check } from '../../vectors/schema/validate';

export const PROJECT_ROOT = path.resolve(__dirname, '../../..');
export const BUDGETS_FILE = path.join(PROJECT_ROOT, 'ci/budgets.json');

export interface Budget {
  name: string;
  /**
   * 'mkernel': the kernel owns M-mode and `firmware` is the Microvisor's M-mode firmware
   * (conformance/mmode-kernels.md); the kernel's work must also take exactly the cycles it
   * takes with `--bios none`.
   */
  kind?: 'sbi' | 'mkernel';
  kernel: string;
  firmware: string;
  /** The measured phase: from the line matching `from` to the line matching `to`. */
  from: string;
  to: string;
  /** Instruction counts (machine-wide) at which maintenance events are delivered, before the measured phase. */
  virtualizeAt: number;
  devirtualizeAt: number;
  maxInsns: number;
  /** Largest allowed virtualized overhead, percent of native cycles: the goal, never the observation. */
  virtualizedBudgetPercent: number;
  /**
   * A budget the implementation is known to miss, listed with the overhead measured when it was
   * listed and why. The gate tolerates the miss up to that figure (and says so in its table);
   * worse than it fails as any miss does; `--strict` fails on the miss itself.
   */
  knownMiss?: KnownMiss;
}

export interface KnownMiss {
  measuredPercent: number;
  reason: string;
}

export class BudgetsError extends Error {}

/** The workloads of a budgets file; kernel and firmware paths are relative to the project root. */
export function readBudgets(file = BUDGETS_FILE): Budget[] {
  let doc: unknown;
  try { doc = JSON.parse(fs.readFileSync(file, 'utf8')); }
  catch (e) { throw new BudgetsError(`${file}: ${(e as NodeJS.ErrnoException).code ? `cannot read: ${(e as NodeJS.ErrnoException).code}` : `not JSON: ${(e as Error).message}`}`); }
  const bad = check('budgets', doc);
  if (bad) throw new BudgetsError(`${file}: ${bad}`);
  const workloads = (doc as { workloads: Budget[] }).workloads;
  workloads.forEach((w, i) => {
    for (const k of ['from', 'to'] as const) {
      try { new RegExp(w[k]); } catch (e) { throw new BudgetsError(`${file}: /workloads/${i}/${k}: not a regular expression (${(e as Error).message})`); }
    }
    if (w.devirtualizeAt <= w.virtualizeAt) throw new BudgetsError(`${file}: /workloads/${i}/devirtualizeAt: must come after virtualizeAt (${w.virtualizeAt})`);
    if (w.knownMiss && w.knownMiss.measuredPercent <= w.virtualizedBudgetPercent) {
      throw new BudgetsError(`${file}: /workloads/${i}/knownMiss/measuredPercent: ${w.knownMiss.measuredPercent} is within the budget (${w.virtualizedBudgetPercent}%): not a miss`);
    }
  });
  return workloads;
}
