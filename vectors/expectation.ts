// A state vector from a generator's draft: the reference runs the draft and its outcome becomes
// the expectation; where the run reaches a choice the specification leaves open, the reference
// runs again under each other legal setting and each other outcome becomes an alternative.
// Regeneration (vectors/build.ts) and the harness's shrinker (harness/trace-diff.ts) both complete
// drafts here; this file loads no generator.

import { runStateCollecting } from '../reference/run-state';
import { CHOICE_SETTINGS, ChoiceSwitch, HartChoices, REFERENCE_CHOICES } from '../reference/machine/choices';
import { CHOICES, choiceFor } from '../conformance/choices';
import type { StateInputs, StateObservation } from '../reference/state';
import { canonical, GENERATOR_VERSION, REFERENCE_VERSION, vectorId } from './format';
import type { StateAlternative, StateExpected, StateVector } from './format';
import type { VectorDraft } from './generators/isa';

const hex = (n: number) => '0x' + n.toString(16).padStart(16, '0');

/** Registers that differ from the inputs' initial values. */
function changedRegisters(inputs: StateInputs, obs: StateObservation): Record<string, string> {
  const initial = inputs.hart.x ?? {};
  const x: Record<string, string> = {};
  for (let i = 1; i < 32; i++) {
    const k = 'x' + i;
    const before = initial[k] ?? hex(0);
    if (BigInt(obs.x[k]) !== BigInt(before)) x[k] = obs.x[k];
  }
  return x;
}

/** Switches the generators explore; the user counters are a capability (zicntr, zihpm), not an outcome. */
const EXPLORED = (Object.keys(CHOICE_SETTINGS) as ChoiceSwitch[]).filter((s) => s !== 'userCounters');
/** A bound on the settings explored per vector (no vector comes near it today). */
const MAX_SETTINGS = 48;

/**
 * Every other outcome the specification allows, found by running the reference again under each
 * legal setting of each choice point the run reached (and of the points those runs reach), each
 * written as what differs from the reference's own outcome.
 */
export function alternativeOutcomes(d: VectorDraft, primary: StateExpected, reached: Set<ChoiceSwitch>): StateAlternative[] {
  const frontier: { cfg: Partial<HartChoices>; points: Set<ChoiceSwitch> }[] = [{ cfg: {}, points: reached }];
  const seen = new Set<string>(['{}']);
  const found = new Map<string, StateAlternative>();
  while (frontier.length && seen.size < MAX_SETTINGS) {
    const { cfg, points } = frontier.shift()!;
    for (const sw of EXPLORED) {
      if (!points.has(sw) || sw in cfg) continue;
      for (const value of CHOICE_SETTINGS[sw].slice(1)) {
        const next = { ...cfg, [sw]: value } as Partial<HartChoices>;
        const key = canonical(next);
        if (seen.has(key) || seen.size >= MAX_SETTINGS) continue;
        seen.add(key);
        const r = runStateCollecting(d.inputs, d.observe ?? [], [], { ...REFERENCE_CHOICES, ...next });
        frontier.push({ cfg: next, points: r.choicePoints });
        const alt = difference(d.inputs, primary, r.observation, next);
        if (!alt) continue;
        const body = canonical({ ...alt, choices: undefined });
        if (!found.has(body)) found.set(body, alt);
      }
    }
  }
  return [...found.values()];
}

/** An outcome as what differs from the primary one, or null when nothing does. */
function difference(inputs: StateInputs, primary: StateExpected, obs: StateObservation, cfg: Partial<HartChoices>): StateAlternative | null {
  // Named in the table's order, whatever order the exploration reached them in.
  const choices = (Object.keys(cfg) as ChoiceSwitch[]).map((sw) => {
    const c = choiceFor(sw, cfg[sw]);
    if (!c) throw new Error(`conformance/choices.ts: no choice for ${sw} = ${String(cfg[sw])}`);
    return c;
  }).sort((a, b) => CHOICES.indexOf(a) - CHOICES.indexOf(b));
  const alt: StateAlternative = { choices: choices.map((c) => c.id) };
  let x = changedRegisters(inputs, obs);
  if (choices.some((c) => c.anyValue)) {
    // The registers a made-up value reached may hold any value: they are not compared.
    const any: string[] = [];
    for (let i = 1; i < 32; i++) {
      const k = 'x' + i;
      if ((x[k] ?? null) !== (primary.x[k] ?? null)) any.push(k);
    }
    if (any.length) alt.any = any;
    x = { ...primary.x };
  }
  if (canonical(x) !== canonical(primary.x)) alt.x = x;
  const e = primary.exit, a = obs.exit;
  if (e.kind !== a.kind) alt.exit = a;
  else {
    const ex: Partial<StateObservation['exit']> = {};
    for (const k of ['code', 'cause', 'tval', 'epc'] as const) if (a[k] !== e[k]) (ex as Record<string, unknown>)[k] = a[k];
    if (Object.keys(ex).length) alt.exit = ex;
  }
  if (obs.pc !== primary.pc) alt.pc = obs.pc;
  if (obs.memory.length && canonical(obs.memory) !== canonical(primary.memory)) alt.memory = obs.memory;
  if (obs.instret !== primary.instret) alt.instret = obs.instret;
  return Object.keys(alt).length > 1 ? alt : null;
}

export function completeVector(suite: string, generator: string, d: VectorDraft): StateVector {
  const { observation: obs, choicePoints } = runStateCollecting(d.inputs, d.observe ?? [], [], REFERENCE_CHOICES);
  const expected: StateExpected = { x: changedRegisters(d.inputs, obs), pc: obs.pc, exit: obs.exit, instret: obs.instret };
  if (obs.memory.length) expected.memory = obs.memory;
  const alternatives = alternativeOutcomes(d, expected, choicePoints);
  if (alternatives.length) expected.alternatives = alternatives;
  return {
    id: vectorId(suite, d.inputs, d.observe),
    suite, title: d.title, tags: d.tags, spec: d.spec,
    provenance: { generator, generatorVersion: GENERATOR_VERSION, seed: d.seed, referenceVersion: REFERENCE_VERSION, expected: 'reference' },
    inputs: d.inputs, observe: d.observe, expected,
  };
}
