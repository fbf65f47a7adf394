// `devirt vectors crosscheck --oracle qemu`: run every vector QEMU can run on QEMU and report
// each divergence from the committed expectation. A divergence is either fixed or documented:
// the vector carries a tag `qemu-divergence:KEY` and conformance/qemu-divergences.md explains
// KEY with the specification text that decides it. Anything else is unexplained and fails.

import * as fs from 'fs';
import * as path from 'path';
import { checkState, Difference } from '../../conformance/state-check';
import { listVectorFiles, readGroupFile, StateVector as Vector, VECTORS_DIR } from '../../vectors/format';
import { qemuEntryProblem, QemuStateResult, runOnQemu } from './qemu-state';

export interface CrosscheckReport {
  checked: number;
  agreed: number;
  skipped: number;
  documented: { id: string; title: string; key: string; difference: Difference }[];
  unexplained: { id: string; title: string; difference: Difference }[];
}

/** Vectors tagged `qemu-skip:REASON` depend on something QEMU does not model the same way (e.g. host time). */
function qemuRunnable(v: Vector): boolean {
  // QEMU 7.2 has no Smrnmi: vectors that need the capability are not its to run.
  return v.inputs?.kind === 'state' && qemuEntryProblem(v.inputs) === null && !v.tags.some((t) => t.startsWith('qemu-skip:') || t === 'smrnmi');
}

/** Vectors that lock PMP entries leave QEMU locked until reset: each runs in a QEMU of its own. */
const isolated = (v: Vector) => v.tags.includes('pmp-lock');

export class VectorFileError extends Error {}

export async function crosscheck(opts: { dir?: string; batch?: number; jobs?: number; filter?: string; onProgress?: (done: number, total: number) => void } = {}): Promise<CrosscheckReport> {
  const dir = opts.dir ?? VECTORS_DIR;
  const all: Vector[] = [];
  for (const f of listVectorFiles(dir)) {
    // A broken file is reported by name rather than as a crash of the cross-check.
    try {
      const text = fs.readFileSync(f, 'utf8');
      if (!text.startsWith('{"defaults"')) continue;
      all.push(...(readGroupFile(text) as Vector[]));
    } catch (e) {
      throw new VectorFileError(`${path.relative(process.cwd(), f)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (devirt vectors regen rebuilds it)`);
    }
  }
  const selected = all.filter((v) => qemuRunnable(v) && (!opts.filter || v.title.includes(opts.filter) || v.id.includes(opts.filter)));
  const report: CrosscheckReport = { checked: 0, agreed: 0, skipped: all.length - selected.length, documented: [], unexplained: [] };
  const size = opts.batch ?? 400;
  const batches: Vector[][] = [];
  const shared = selected.filter((v) => !isolated(v));
  for (let i = 0; i < shared.length; i += size) batches.push(shared.slice(i, i + size));
  for (const v of selected.filter(isolated)) batches.push([v]);
  let next = 0, done = 0;
  const compare = (v: Vector, q: QemuStateResult) => {
    const actual = { x: q.x, exit: { kind: 'trap', cause: q.csrs.mcause, tval: q.csrs.mtval, epc: q.csrs.mepc }, memory: q.memory };
    // The oracle sees only traps into M-mode; a vector that ends otherwise is not comparable.
    const diff = v.expected.exit.kind === 'trap' ? checkState(v.expected, v.inputs.hart.x ?? {}, actual) : null;
    record(v, diff);
  };
  const record = (v: Vector, diff: Difference | null) => {
    report.checked++;
    if (!diff) { report.agreed++; return; }
    const key = v.tags.find((t) => t.startsWith('qemu-divergence:'));
    if (key) report.documented.push({ id: v.id, title: v.title, key: key.slice('qemu-divergence:'.length), difference: diff });
    else report.unexplained.push({ id: v.id, title: v.title, difference: diff });
  };
  // A batch QEMU cannot finish (it hung or aborted) is split until the vector responsible is
  // found; that vector is reported with QEMU's complaint, and the others still get compared.
  const runBatch = async (batch: Vector[]): Promise<void> => {
    try {
      const results = await runOnQemu(batch.map((v) => ({ inputs: v.inputs, observe: v.observe ?? [] })), 10_000 + 100 * batch.length); // generous: QEMU shares the cores
      batch.forEach((v, k) => compare(v, results[k]));
    } catch (e) {
      if (batch.length === 1) { record(batch[0], { where: 'qemu', expected: 'a final state', actual: (e as Error).message }); return; }
      const half = batch.length >> 1;
      await runBatch(batch.slice(0, half));
      await runBatch(batch.slice(half));
    }
  };
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      await runBatch(batch);
      done += batch.length;
      opts.onProgress?.(done, selected.length);
    }
  };
  await Promise.all(Array.from({ length: opts.jobs ?? 2 }, worker));
  return report;
}
