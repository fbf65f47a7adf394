// From an implementation's outcome to a verdict: the suite's checker decides pass or fail (and,
// for a state vector, which allowed outcome was met); a failure lists every difference and the
// implementation's exit beside the expected one, and is located at the instruction that produced
// the expected value on the reference.

import { checkImage } from '../conformance/image-check';
import { allowedOutcomes, Difference, judgeState, StateExpectation } from '../conformance/state-check';
import { prepareState } from '../reference/run-state';
import { hex64 } from '../reference/state';
import { disassemble } from '../reference/tools/disasm';
import type { Exit, ImageObservationWire, ResultKind, StateInputs, StateObservationWire, Vector } from '../vectors/schema/types';
import type { Outcome } from './adapters/implementation';
import { referenceSteps } from './trace';

export interface Verdict {
  kind: ResultKind;
  reason?: string;
  /** Milliseconds the implementation took, where the adapter measured them. */
  ms?: number;
  /** The implementation's own count of the run, where it reported one. */
  measured?: { cycles?: number; instret?: number };
  difference?: Difference;
  /** The allowed outcome met or closest, by its choices (absent: the reference's own). */
  choices?: string[];
  differences?: Difference[];
  exits?: { expected: Exit; actual: Exit };
  at?: { pc: string; instruction: string };
}

export function judge(v: Vector, outcome: Outcome): Verdict {
  if (outcome.kind !== 'observed') return { kind: outcome.kind, reason: outcome.reason };
  if (v.inputs.kind === 'image') {
    const d = checkImage(v.expected as { console: string; exit: { kind: string; code?: number } }, outcome.observation as ImageObservationWire);
    return d ? { kind: 'fail', difference: d } : { kind: 'pass' };
  }
  if (v.inputs.kind !== 'state') return { kind: 'error', reason: `unknown vector kind` };
  const expected = v.expected as StateExpectation;
  const observation = outcome.observation as StateObservationWire;
  const r = judgeState(expected, v.inputs.hart.x ?? {}, observation, { instret: true });
  const choices = r.choices.length ? { choices: r.choices } : {};
  if (r.pass) return { kind: 'pass', ...choices };
  const d = r.differences[0];
  const met = allowedOutcomes(expected).find((o) => o.choices.join() === r.choices.join())!;
  const verdict: Verdict = { kind: 'fail', difference: d, ...choices, differences: r.differences, exits: { expected: met.exit as Exit, actual: observation.exit } };
  try { verdict.at = failingPoint(v.inputs, met, d); } catch { /* location is best effort */ }
  if (!verdict.at) delete verdict.at;
  return verdict;
}

/** The instruction (by its address, disassembled) in `inputs`' initial address space. */
export function instructionAt(inputs: StateInputs, pc: bigint): string {
  const bits = prepareState(inputs).hart.peekInstruction(Number(BigInt.asIntN(64, pc)));
  return bits === null ? '(not fetchable)' : disassemble(bits, Number(pc));
}

/**
 * Where a person should look: for a register or memory byte, the last instruction that changed it
 * on the reference; for the exit, the trapping instruction; otherwise the last one retired.
 */
export function failingPoint(inputs: StateInputs, expected: { exit: { kind: string; epc?: string } }, d: Difference): { pc: string; instruction: string } | undefined {
  const mem = /^mem 0x([0-9a-f]+)$/.exec(d.where);
  const watch = mem ? BigInt('0x' + mem[1]) : undefined;
  const initialByte = watch === undefined ? undefined : prepareState(inputs).readBytes(watch, 1)[0];
  const steps = referenceSteps(inputs, watch);
  const show = (s: { pc: string; bits: number }) => ({ pc: s.pc, instruction: disassemble(s.bits, Number(BigInt(s.pc))) });
  if (/^x\d+$/.test(d.where)) {
    for (let i = steps.length - 1; i >= 0; i--) if (d.where in steps[i].x) return show(steps[i]);
  } else if (mem) {
    for (let i = steps.length - 1; i >= 0; i--) {
      const before = i > 0 ? steps[i - 1].watched : initialByte;
      if (steps[i].watched !== before) return show(steps[i]);
    }
  } else if (/^(exit|trap)/.test(d.where) && expected.exit.kind === 'trap' && expected.exit.epc !== undefined) {
    return { pc: hex64(BigInt(expected.exit.epc)), instruction: instructionAt(inputs, BigInt(expected.exit.epc)) };
  }
  const last = steps[steps.length - 1];
  return last ? show(last) : undefined;
}
