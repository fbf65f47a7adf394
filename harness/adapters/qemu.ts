// QEMU as an implementation under test, over the state oracle (harness/oracle/qemu-state.ts): the one
// path by which both `devirt run --impl qemu` and `devirt vectors crosscheck --oracle qemu` drive
// QEMU. The adapter says what QEMU can run (its capabilities, and per vector `qemuCannotRun`), runs
// a chunk of vectors in one QEMU, gives each vector that locks PMP a QEMU of its own, and when QEMU
// does not finish a batch (silent, or dead), splits it until the vector responsible is found.

import { spawnSync } from 'child_process';
import { ORACLE_CSRS, QEMU, qemuEntryProblem, QemuStateResult, runBatchOnQemu } from '../oracle/qemu-state';
import { qemuSkipReason } from '../oracle/divergences';
import type { HelloMessage, StateObservationWire, StateVector, Vector } from '../../vectors/format';
import { Implementation, Outcome } from './implementation';

function qemuVersion(): string {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  return /version (\S+)/.exec(r.stdout ?? '')?.[1] ?? 'unknown';
}

/**
 * What `qemu-system-riscv64 -M virt` 7.2 with the runner's cpu model implements, in the vocabulary
 * of harness/capabilities.ts: the ISA, S and U with Sv39 and PMP, Sstc, and the virt machine's
 * CLINT, PLIC and UART; the counters (Zicntr, Zihpm); and it performs misaligned loads and stores
 * and sets A/D in hardware (the promises zicclsm, svadu). Not Smrnmi (QEMU 7.2 has no resumable NMI), not the Microvisor's doorbell,
 * and state vectors only (the runner has no image boot).
 */
export const QEMU_CAPABILITIES = ['rv64i', 'm', 'a', 'c', 'zicsr', 'zifencei', 's', 'u', 'sv39', 'pmp', 'pmp16', 'pmp-g0', 'sstc', 'clint', 'plic', 'uart', 'zicntr', 'zihpm', 'zicclsm', 'svadu', 'state'];

const ORACLE_CSR_SET: ReadonlySet<string> = new Set(ORACLE_CSRS);

/** Why QEMU cannot run this vector beyond its capabilities, or null. */
export function qemuCannotRun(v: Vector): string | null {
  if (v.inputs.kind !== 'state') return 'the QEMU adapter runs state vectors only';
  const skip = qemuSkipReason(v.tags);
  if (skip) return skip;
  const entry = qemuEntryProblem(v.inputs);
  if (entry) return `the QEMU runner cannot enter it: ${entry}`;
  const expected = (v as StateVector).expected;
  if (expected.exit.kind !== 'trap') return 'the QEMU runner observes a vector only at a trap into M-mode';
  const unseen = Object.keys(expected.csrs ?? {}).filter((c) => !ORACLE_CSR_SET.has(c));
  if (unseen.length) return `the QEMU runner does not report ${unseen.join(', ')}`;
  return null;
}

/** Vectors that lock PMP entries leave QEMU locked until reset: each runs in a QEMU of its own. */
const isolated = (v: Vector): boolean => v.tags.includes('pmp-lock');

/** What QEMU's runner printed for a vector, as the protocol's observation (the CSRs the vector checks among them). */
function observation(v: StateVector, q: QemuStateResult): StateObservationWire {
  const obs: StateObservationWire = { x: q.x, pc: q.csrs.mepc, exit: { kind: 'trap', cause: q.csrs.mcause, tval: q.csrs.mtval, epc: q.csrs.mepc }, memory: q.memory };
  const wanted = Object.keys(v.expected.csrs ?? {});
  if (wanted.length) obs.csrs = Object.fromEntries(wanted.map((c) => [c, q.csrs[c]]));
  return obs;
}

export class QemuImplementation implements Implementation {
  readonly hello: HelloMessage = { type: 'hello', protocol: 1, name: QEMU, version: qemuVersion(), capabilities: QEMU_CAPABILITIES };
  constructor(readonly timeoutMs: number) {}

  async runAll(vectors: Vector[]): Promise<Outcome[]> {
    const out: Outcome[] = vectors.map((v) => { const why = qemuCannotRun(v); return why ? { kind: 'skip', reason: why } : { kind: 'error', reason: 'not run' }; });
    const runnable = vectors.map((_, i) => i).filter((i) => out[i].kind !== 'skip');
    const shared = runnable.filter((i) => !isolated(vectors[i]));
    if (shared.length) await this.runBatch(vectors, shared, out);
    for (const i of runnable.filter((k) => isolated(vectors[k]))) await this.runBatch(vectors, [i], out);
    return out;
  }

  /**
   * Run the vectors `at` in one QEMU. Its results count only when the runner finishes the batch: a
   * vector can leave QEMU in a state the runner cannot reset (its later vectors then fault, and
   * the runner itself hangs), so a batch QEMU does not finish, silent or dead, is halved until the
   * vector responsible stands alone, and that one is reported with why QEMU stopped.
   */
  private async runBatch(vectors: Vector[], at: number[], out: Outcome[], retried = false): Promise<void> {
    const r = await runBatchOnQemu(at.map((i) => ({ inputs: (vectors[i] as StateVector).inputs, observe: vectors[i].observe ?? [] })), { timeoutMs: this.timeoutMs });
    if (r.stopped === null) {
      at.forEach((i, k) => { out[i] = r.results[k] ? { kind: 'observed', observation: observation(vectors[i] as StateVector, r.results[k]) } : { kind: 'crash', reason: 'QEMU did not report this vector' }; });
      return;
    }
    if (at.length === 1) {
      // One vector alone: a QEMU that stopped early without stalling is given one more run before
      // it is a crash, since on a loaded host QEMU has been seen to stop without its last output
      // (the same vector then passes alone); a vector that makes QEMU stop does so every time.
      if (!r.stalled && !retried) return this.runBatch(vectors, at, out, true);
      out[at[0]] = { kind: r.stalled ? 'timeout' : 'crash', reason: r.stopped };
      return;
    }
    const half = at.length >> 1;
    await this.runBatch(vectors, at.slice(0, half), out);
    await this.runBatch(vectors, at.slice(half), out);
  }

  async close(): Promise<void> { /* one QEMU process per batch */ }
}
