// Step-by-step runs of a state vector on the reference: the protocol's `step` capability, the
// first-divergence search of --trace-diff and the "instruction at the failing point" of a report.

import { prepareState } from '../reference/run-state';
import { hex64, StateInputs } from '../reference/state';
import { Access } from '../reference/machine/trap-causes';
import { translate } from '../reference/machine/translation';
import type { Hart } from '../reference/machine/hart';
import type { Step } from '../vectors/schema/types';
import { writesOf } from './writes';

const PRIV_NAME: Record<number, 'M' | 'S' | 'U'> = { 3: 'M', 1: 'S', 0: 'U' };

export interface ReferenceStep extends Step {
  bits: number;
  /** The byte at the watched physical address after this step. */
  watched?: number;
  /** The register this instruction wrote (0: none), whatever the value. */
  rd: number;
  /** The physical bytes it stored to, when it stored. */
  stored?: { pa: bigint; size: number };
}

/** The physical address of a store that has just retired (its translation is cached, so no side effect). */
function storedAddress(h: Hart, va: bigint): bigint | undefined {
  const saved = { c: h.cycles, cause: h.excCause, tval: h.excTval };
  try { return BigInt(translate(h, Number(BigInt.asIntN(64, va)), Access.Store, 1)); }
  catch { return undefined; }
  finally { h.cycles = saved.c; h.excCause = saved.cause; h.excTval = saved.tval; }
}

/**
 * Run `inputs` one retired instruction at a time; each step is the state after it (registers as
 * changes). The run stops where the vector's own run stops.
 */
export function referenceSteps(inputs: StateInputs, watch?: bigint): ReferenceStep[] {
  const m = prepareState(inputs);
  const h = m.hart;
  let pc = 0, bits = 0;
  h.tracer = (_h, at, b) => { pc = at; bits = b; };
  const steps: ReferenceStep[] = [];
  const regs = Array.from({ length: 32 }, (_, i) => h.getX(i));
  const readWatched = () => (watch === undefined ? undefined : m.readBytes(watch, 1)[0]);
  try {
    for (let i = 0; i < inputs.stop.maxInsns; i++) {
      const before = h.instret;
      const r = m.run({ maxInsns: 1, stopOnTrap: inputs.stop.onTrap });
      if (h.instret === before) break;
      const x: Record<string, string> = {};
      const regsBefore = [...regs];
      for (let k = 1; k < 32; k++) {
        const v = h.getX(k);
        if (v !== regs[k]) { x['x' + k] = hex64(v); regs[k] = v; }
      }
      const w = writesOf(bits, regsBefore, regs);
      const step: ReferenceStep = { pc: hex64(BigInt(pc)), next: hex64(h.getPc()), priv: PRIV_NAME[h.priv], x, bits, rd: w.rd };
      if (w.store) {
        const pa = storedAddress(h, w.store.va);
        if (pa !== undefined) step.stored = { pa, size: w.store.size };
      }
      const watched = readWatched();
      if (watched !== undefined) step.watched = watched;
      steps.push(step);
      if (r.reason !== 'limit') break;
    }
  } finally {
    h.tracer = null; // the machine is pooled: later vectors run at full speed
  }
  return steps;
}

/** The wire form of reference steps (the bits stay with the harness). */
export function wireSteps(steps: ReferenceStep[]): Step[] {
  return steps.map(({ pc, next, priv, x }) => ({ pc, next, priv, x }));
}
