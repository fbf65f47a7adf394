// From an implementation's outcome to a verdict: the suite's checker decides pass or fail (and,
// for a state vector, which allowed outcome was met); a failure lists every difference and the
// implementation's exit beside the expected one, and is located at the instruction that produced
// the expected value on the reference.

import { checkImage } from '../conformance/image-check';
import { checkIsolation, IsolationExpectation } from '../conformance/isolation-check';
import { allowedOutcomes, Difference, judgeState, StateExpectation } from '../conformance/state-check';
import { prepareState } from '../reference/run-state';
import { hex64 } from '../reference/state';
import { disassemble } from '../reference/tools/disasm';
import type { Exit, ImageObservationWire, ResultRecord, ServiceExpected, ServiceObservationWire, StateInputs, StateObservationWire, StopPoint, Vector } from '../vectors/schema/types';
import { judgeService } from './service/vector';
import type { Outcome } from './adapters/implementation';
import { referenceSteps } from './trace';

/** What the checker says of one vector: a result record without the vector's own names (and without --trace-diff's trace). */
export type Verdict = Omit<ResultRecord, 'id' | 'suite' | 'title' | 'file' | 'trace'>;

export function judge(v: Vector, outcome: Outcome): Verdict {
  if (outcome.kind !== 'observed') return { kind: outcome.kind, reason: outcome.reason };
  if (v.inputs.kind === 'image' && v.suite === 'isolation') {
    const d = checkIsolation(v.expected as unknown as IsolationExpectation, outcome.observation as ImageObservationWire);
    return d ? { kind: 'fail', difference: d } : { kind: 'pass' };
  }
  if (v.inputs.kind === 'image') {
    const d = checkImage(v.expected as { console: string; exit: { kind: string; code?: number } }, outcome.observation as ImageObservationWire);
    return d ? { kind: 'fail', difference: d } : { kind: 'pass' };
  }
  if (v.inputs.kind === 'service') return judgeService(v.expected as ServiceExpected, outcome.observation as ServiceObservationWire);
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
  verdict.stops = { expected: stopPoint(v.inputs, met.exit as Exit, (met as { pc?: string }).pc), actual: stopPoint(v.inputs, observation.exit, observation.pc) };
  return verdict;
}

/** Where a run stopped: the pc (for a trap, its epc) and the instruction there. */
function stopPoint(inputs: StateInputs, exit: Exit, pc: string | undefined): StopPoint {
  const at = pc ?? (exit.kind === 'trap' ? exit.epc : undefined);
  if (at === undefined) return { instruction: '(no pc reported)' };
  let instruction: string;
  try { instruction = instructionAt(inputs, BigInt(at)); } catch { instruction = '(not fetchable)'; }
  return { pc: hex64(BigInt(at)), instruction };
}

/** The instruction (by its address, disassembled) in `inputs`' initial address space. */
export function instructionAt(inputs: StateInputs, pc: bigint): string {
  const bits = prepareState(inputs).hart.peekInstruction(Number(BigInt.asIntN(64, pc)));
  return bits === null ? '(not fetchable)' : disassemble(bits, Number(pc));
}

/**
 * Where a person should look: for a register or memory byte, the last instruction that wrote it
 * on the reference (even when it wrote the value that was there: a value comparison would miss
 * that write); for the exit, the trapping instruction; otherwise the last one retired.
 */
export function failingPoint(inputs: StateInputs, expected: { exit: { kind: string; epc?: string } }, d: Difference): { pc: string; instruction: string } | undefined {
  const mem = /^mem 0x([0-9a-f]+)$/.exec(d.where);
  const watch = mem ? BigInt('0x' + mem[1]) : undefined;
  const steps = referenceSteps(inputs, watch);
  const show = (s: { pc: string; bits: number }) => ({ pc: s.pc, instruction: disassemble(s.bits, Number(BigInt(s.pc))) });
  const reg = /^x(\d+)$/.exec(d.where);
  if (reg) {
    const n = Number(reg[1]);
    for (let i = steps.length - 1; i >= 0; i--) if (steps[i].rd === n) return show(steps[i]);
  } else if (watch !== undefined) {
    for (let i = steps.length - 1; i >= 0; i--) {
      const st = steps[i].stored;
      if (st && watch >= st.pa && watch < st.pa + BigInt(st.size)) return show(steps[i]);
    }
  } else if (/^(exit|trap)/.test(d.where) && expected.exit.kind === 'trap' && expected.exit.epc !== undefined) {
    return { pc: hex64(BigInt(expected.exit.epc)), instruction: instructionAt(inputs, BigInt(expected.exit.epc)) };
  }
  const last = steps[steps.length - 1];
  return last ? show(last) : undefined;
}
