// The overhead budgets (ci/budgets.json) through the gate's own measurement, and the overhead
// vectors' guest-visible results.
import * as fs from 'fs';
import * as path from 'path';
import { ReferenceImplementation } from '../../harness/adapters/reference';
import { measure } from '../../harness/gate/measure';
import { IMAGES_DIR } from '../../vectors/format';
import { imageDifferenceText } from '../../conformance/image-check';
import { runImage } from '../../reference/run-image';
import { imageVectors, ROOT } from './helpers';

const budgets = JSON.parse(fs.readFileSync(path.join(ROOT, 'ci/budgets.json'), 'utf8')).workloads;

test('the five workload kinds are budgeted', () => {
  // (Workloads of kernels that own M-mode, kind "mkernel", are test/mkernel's.)
  expect(budgets.filter((b: { kind?: string }) => b.kind !== 'mkernel').map((b: { name: string }) => b.name).sort()).toEqual(['compute', 'syscall', 'timer', 'tlb', 'uart']);
});

// The S-mode workloads; a workload listed as a known miss may exceed its budget only up to the listed figure.
for (const b of budgets.filter((w: { kind?: string }) => w.kind !== 'mkernel')) {
  const limit = b.knownMiss ? b.knownMiss.measuredPercent : b.virtualizedBudgetPercent;
  test(`${b.name}: devirtualized overhead exactly 0 cycles, virtualized within ${limit}%`, async () => {
    const row = await measure(b, new ReferenceImplementation());
    expect(row.problem).toBeUndefined();
    expect(row.devirtualizedOverheadCycles).toBe(0);
    expect(row.virtualizedOverheadPercent).toBeLessThanOrEqual(limit);
    expect(row.outputsMatch).toBe(true);
  });
}

test('a budget the measurement exceeds fails the gate', async () => {
  const row = await measure({ ...budgets[0], virtualizedBudgetPercent: 0.001 }, new ReferenceImplementation());
  expect(row.pass).toBe(false);
  expect(row.problem).toMatch(/over budget/);
});

test('overhead vectors: native, virtualized and devirtualized runs print the native result', () => {
  const failures: string[] = [];
  for (const g of imageVectors('overhead')) {
    // The service vectors (inputs.kind "service") are scenarios, not images: test/service runs them.
    for (const v of g.vectors.filter((x) => (x.inputs as { kind?: string }).kind !== 'service')) {
      const d = imageDifferenceText(v.expected, runImage(v.inputs, IMAGES_DIR));
      if (d) failures.push(`${v.title}: ${d}`);
    }
  }
  expect(failures).toEqual([]);
});
