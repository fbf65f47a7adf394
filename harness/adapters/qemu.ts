// QEMU as an implementation under test, over the state oracle (harness/oracle/qemu-state.ts): the
// state vectors it can run (M-mode, no CSR setup, ending in a trap into M-mode), in batches.

import { spawnSync } from 'child_process';
import { QEMU, runOnQemu } from '../oracle/qemu-state';
import type { HelloMessage, StateObservationWire, StateVector, Vector } from '../../vectors/schema/types';
import { Implementation, Outcome } from './implementation';

function qemuVersion(): string {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  return /version (\S+)/.exec(r.stdout ?? '')?.[1] ?? 'unknown';
}

/** Why QEMU cannot run this vector, or null. */
export function qemuCannotRun(v: Vector): string | null {
  if (v.inputs.kind !== 'state') return 'the QEMU adapter runs state vectors only';
  if ((v.inputs.hart.priv ?? 'M') !== 'M' || Object.keys(v.inputs.hart.csrs ?? {}).length) return 'the QEMU runner starts vectors in M-mode without CSR setup';
  if (v.expected.exit.kind !== 'trap') return 'the QEMU runner observes a vector only at a trap into M-mode';
  if (Object.keys((v as StateVector).expected.csrs ?? {}).length) return 'the QEMU runner does not report the CSRs this vector checks';
  return null;
}

export class QemuImplementation implements Implementation {
  readonly hello: HelloMessage = { type: 'hello', protocol: 1, name: QEMU, version: qemuVersion(), capabilities: ['rv64i', 'm', 'a', 'c', 'zicsr', 'zifencei', 'state'] };
  constructor(readonly timeoutMs: number) {}

  async runAll(vectors: Vector[]): Promise<Outcome[]> {
    const out: Outcome[] = vectors.map((v) => { const why = qemuCannotRun(v); return why ? { kind: 'skip', reason: why } : { kind: 'error', reason: 'not run' }; });
    const runnable = vectors.map((v, i) => i).filter((i) => out[i].kind !== 'skip');
    if (!runnable.length) return out;
    try {
      const results = await runOnQemu(runnable.map((i) => ({ inputs: (vectors[i] as StateVector).inputs, observe: vectors[i].observe ?? [] })), this.timeoutMs);
      runnable.forEach((i, k) => {
        const q = results[k];
        if (!q) { out[i] = { kind: 'crash', reason: 'QEMU did not report this vector' }; return; }
        const observation: StateObservationWire = { x: q.x, pc: q.csrs.mepc, exit: { kind: 'trap', cause: q.csrs.mcause, tval: q.csrs.mtval, epc: q.csrs.mepc }, memory: q.memory };
        out[i] = { kind: 'observed', observation };
      });
    } catch (e) {
      for (const i of runnable) out[i] = { kind: 'crash', reason: `QEMU: ${(e as Error).message}` };
    }
    return out;
  }

  async close(): Promise<void> { /* one QEMU process per batch */ }
}
