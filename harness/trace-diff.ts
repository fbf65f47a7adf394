// --trace-diff: rerun a failing state vector one instruction at a time on the reference and on
// the implementation, and name the first instruction after which their states differ. A failing
// random stream is then shrunk to a minimal failing vector, saved with its provenance.

import * as fs from 'fs';
import * as path from 'path';
import { hex64 } from '../reference/state';
import { disassemble } from '../reference/tools/disasm';
import { completeVector } from '../vectors/expectation';
import { canonical } from '../vectors/format';
import type { ResultRecord, StateInputs, StateVector, Step, Vector } from '../vectors/format';
import { shrinkStream } from './debug/shrink';
import type { Implementation } from './adapters/implementation';
import { instructionAt, judge } from './judge';
import { referenceSteps } from './trace';

type Trace = NonNullable<ResultRecord['trace']>;

const num = (v: string | undefined) => (v === undefined ? undefined : BigInt.asUintN(64, BigInt(v)));
const show = (v: bigint | undefined) => (v === undefined ? '(none)' : hex64(v));

/** First step at which two traces disagree (pc, next pc, privilege or any register), or null. */
export function firstDivergence(inputs: StateInputs, want: (Step & { bits?: number })[], got: Step[]): Omit<Trace, 'shrunk'> | null {
  const regsWant = new Map<string, bigint>(), regsGot = new Map<string, bigint>();
  for (const [k, v] of Object.entries(inputs.hart.x ?? {})) { regsWant.set(k, num(v)!); regsGot.set(k, num(v)!); }
  const where = (i: number) => {
    const s = want[i] ?? got[i];
    const bits = want[i]?.bits;
    return { step: i, pc: show(num(s.pc)), instruction: bits !== undefined ? disassemble(bits, Number(num(s.pc))) : instructionAt(inputs, num(s.pc)!) };
  };
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    const a = want[i], b = got[i];
    if (!a || !b) return { ...where(i), difference: { where: 'retired instructions', expected: String(want.length), actual: String(got.length) } };
    for (const k of ['pc', 'next'] as const) {
      if (num(a[k]) !== num(b[k])) return { ...where(i), difference: { where: k === 'pc' ? 'pc' : 'next pc', expected: show(num(a[k])), actual: show(num(b[k])) } };
    }
    if (a.priv !== b.priv) return { ...where(i), difference: { where: 'privilege', expected: a.priv, actual: b.priv } };
    for (const [k, v] of Object.entries(a.x)) regsWant.set(k, num(v)!);
    for (const [k, v] of Object.entries(b.x)) regsGot.set(k, num(v)!);
    for (let r = 1; r < 32; r++) {
      const k = 'x' + r;
      const x = regsWant.get(k) ?? 0n, y = regsGot.get(k) ?? 0n;
      if (x !== y) return { ...where(i), difference: { where: k, expected: show(x), actual: show(y) } };
    }
  }
  return null;
}

export interface TraceDiffResult { trace?: Trace; note?: string }

export async function traceDiff(v: StateVector, impl: Implementation, outDir: string): Promise<TraceDiffResult> {
  if (!impl.steps || !impl.hello.capabilities.includes('step')) return { note: 'trace-diff: the implementation has no step capability' };
  const want = referenceSteps(v.inputs);
  const got = await impl.steps(v.id, v.inputs);
  if (!Array.isArray(got)) return { note: `trace-diff: ${got.kind}: ${got.reason}` };
  const d = firstDivergence(v.inputs, want, got);
  const result: TraceDiffResult = d ? { trace: d } : { note: 'trace-diff: pc, privilege and registers agree at every step; the difference is in memory, CSRs or the exit' };
  if (v.tags.includes('random')) {
    const file = await shrinkAndSave(v, impl, outDir);
    if (file && result.trace) result.trace.shrunk = file;
    else if (file) result.note += `; shrunk to ${file}`;
  }
  return result;
}

/** A vector for `inputs` with the reference's expectation and `v`'s description. */
function rebuilt(v: StateVector, inputs: StateInputs): Vector {
  const draft = { title: `shrunk from ${v.id}: ${v.title}`, tags: v.tags, spec: v.spec, inputs, observe: v.observe, seed: v.provenance.seed };
  const full = completeVector(v.suite, 'harness/shrink', draft) as unknown as Vector;
  full.provenance = { ...full.provenance, derivedFrom: v.id };
  return full;
}

export async function shrinkAndSave(v: StateVector, impl: Implementation, outDir: string): Promise<string | null> {
  const stillFails = async (inputs: StateInputs) => {
    const candidate = rebuilt(v, inputs);
    const [outcome] = await impl.runAll([candidate]);
    return judge(candidate, outcome).kind === 'fail';
  };
  if (!(await stillFails(v.inputs))) return null;
  const s = await shrinkStream(v.inputs, stillFails);
  const minimal = rebuilt(v, s.inputs);
  minimal.title = `shrunk from ${v.id} (${s.removed} instructions removed, ${s.deleted} words deleted, ${s.droppedRegisters} registers zeroed): ${v.title}`;
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `shrunk-${v.id}.json`);
  // The suite's own file form (canonical JSON, one vector per line), ready to join a suite.
  fs.writeFileSync(file, `{"vectors":[\n${canonical(minimal)}\n]}\n`);
  return file;
}
