// A state vector from a generator's draft: the reference runs the draft and its outcome becomes
// the expectation. Regeneration (vectors/build.ts) and the harness's shrinker (harness/trace-diff.ts)
// both complete drafts here; this file loads no generator.

import { runState } from '../reference/run-state';
import { GENERATOR_VERSION, REFERENCE_VERSION, vectorId } from './format';
import type { StateExpected, StateVector } from './format';
import type { VectorDraft } from './generators/isa';

const hex = (n: number) => '0x' + n.toString(16).padStart(16, '0');

export function completeVector(suite: string, generator: string, d: VectorDraft): StateVector {
  const obs = runState(d.inputs, d.observe ?? []);
  const initial = d.inputs.hart.x ?? {};
  const x: Record<string, string> = {};
  for (let i = 1; i < 32; i++) {
    const k = 'x' + i;
    const before = initial[k] ?? hex(0);
    if (BigInt(obs.x[k]) !== BigInt(before)) x[k] = obs.x[k];
  }
  const expected: StateExpected = { x, pc: obs.pc, exit: obs.exit, instret: obs.instret };
  if (obs.memory.length) expected.memory = obs.memory;
  if (d.alternatives) expected.anyOf = d.alternatives;
  return {
    id: vectorId(suite, d.inputs, d.observe),
    suite, title: d.title, tags: d.tags, spec: d.spec,
    provenance: { generator, generatorVersion: GENERATOR_VERSION, seed: d.seed, referenceVersion: REFERENCE_VERSION, expected: 'reference' },
    inputs: d.inputs, observe: d.observe, expected,
  };
}
