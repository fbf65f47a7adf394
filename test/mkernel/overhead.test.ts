// Overhead of kernels that own M-mode (ci/budgets.json, kind "mkernel"): devirtualized and
// dormant exactly zero cycles over the kernel's work (against never virtualized, and against
// --bios none), virtualized within budget, same console in every run.

import * as fs from 'fs';
import * as path from 'path';
import { measure } from '../../ci/gate';

const ROOT = path.resolve(__dirname, '../../..');
type Budget = Parameters<typeof measure>[0];
const budgets: Budget[] = (JSON.parse(fs.readFileSync(path.join(ROOT, 'ci/budgets.json'), 'utf8')).workloads as Budget[])
  .filter((b) => b.kind === 'mkernel');

describe('mkernel overhead budgets', () => {
  test('there are workloads for kernels that own M-mode', () => expect(budgets.length).toBeGreaterThanOrEqual(3));

  test.each(budgets.map((b): [string, Budget] => [b.name, b]))('%s', (_name: string, b: Budget) => {
    const row = measure(b);
    expect(row.problem).toBeUndefined();
    expect(row.devirtualizedOverheadCycles).toBe(0);
    expect(row.bareOverheadCycles).toBe(0);
    expect(row.outputsMatch).toBe(true);
    expect(row.virtualizedCycles).toBeGreaterThan(row.nativeCycles);
    // The firmware accounts its transitions in mv_stats, as the Microvisor does.
    expect(row.virtualizeHandlerCycles).toBeGreaterThan(0);
    expect(row.devirtualizeHandlerCycles).toBeGreaterThan(0);
  });
});
