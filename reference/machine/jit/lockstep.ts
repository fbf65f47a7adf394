// Lockstep: the interpreter is the definition of the translator. Two machines built the same
// way, one interpreting and one translating, run the same chunks of instructions (`run` with
// the same limit, which the translator must honour exactly, as --max-insns does) and their whole
// visible state is compared after each chunk; the first chunk that differs stops the run and
// names the first field that differs. Small chunks locate a difference closely (a block runs
// only when it fits in what is left of the chunk, so chunks much smaller than the blocks would
// translate nothing); RAM and the console are compared at each stop and at the end.

import type { Machine, RunResult } from '../machine';
import type { Hart } from '../hart';

export interface LockstepDifference {
  /** Instructions retired (by the interpreter) when the chunk that differed began, and its size. */
  from: number;
  chunk: number;
  /** What differs first, and its value on each side. */
  field: string;
  interpreter: string;
  translator: string;
}

export interface LockstepResult {
  /** The interpreter's result of the last chunk (its stop reason when both stopped alike). */
  result: RunResult;
  difference: LockstepDifference | null;
  instret: number;
}

/** The visible state of a hart, field by field, in a fixed order (first difference = first field). */
export function hartState(h: Hart): [string, string][] {
  const out: [string, string][] = [
    ['pc', h.getPc().toString(16)], ['priv', String(h.priv)], ['instret', String(h.instret)], ['cycles', String(h.cycles)],
  ];
  for (let r = 1; r < 32; r++) out.push([`x${r}`, h.getX(r).toString(16)]);
  out.push(
    ['mstatus', String(h.mstatus)], ['mepc', h.mepc.toString(16)], ['mcause', h.mcause.toString(16)], ['mtval', h.mtval.toString(16)],
    ['sepc', h.sepc.toString(16)], ['scause', h.scause.toString(16)], ['stval', h.stval.toString(16)], ['satp', h.satp.toString(16)],
    ['mie', String(h.mie)], ['mip', String(h.mipSw | h.mipHw)], ['reservation', String(h.reservation)], ['waiting', String(h.waiting)],
    ['mnstatus', String(h.mnstatus)], ['mnepc', h.mnepc.toString(16)],
  );
  return out;
}

/** The first field in which two machines differ: [field, a's value, b's value], or null. */
export function firstDifference(a: Machine, b: Machine, withRam: boolean, withConsole = true): [string, string, string] | null {
  const sa = hartState(a.hart), sb = hartState(b.hart);
  for (let i = 0; i < sa.length; i++) if (sa[i][1] !== sb[i][1]) return [sa[i][0], sa[i][1], sb[i][1]];
  if (withConsole && a.console !== b.console) return ['console', JSON.stringify(a.console.slice(-40)), JSON.stringify(b.console.slice(-40))];
  if (withRam) {
    const ra = a.hart.ram, rb = b.hart.ram;
    if (Buffer.compare(ra, rb) !== 0) {
      let i = 0;
      while (ra[i] === rb[i]) i++;
      return [`ram[0x${(a.hart.ramBase + i).toString(16)}]`, ra[i].toString(16), rb[i].toString(16)];
    }
  }
  return null;
}

/**
 * Run `make(false)` (interpreter) and `make(true)` (translator) side by side for up to
 * `maxInsns` instructions in chunks of `chunk`, stopping at the first difference.
 */
export function lockstep(make: (jit: boolean) => Machine, opts: { maxInsns: number; chunk?: number; stopOnTrap?: boolean }): LockstepResult {
  const ref = make(false), jit = make(true);
  if (ref.hart.jit !== null || jit.hart.jit === null) throw new Error('internal: lockstep needs an interpreting and a translating machine');
  const chunk = opts.chunk ?? 1000;
  let result: RunResult = { reason: 'limit' };
  let done = 0;
  while (done < opts.maxInsns) {
    const from = ref.hart.instret;
    const n = Math.min(chunk, opts.maxInsns - done);
    result = ref.run({ maxInsns: n, stopOnTrap: opts.stopOnTrap });
    const other = jit.run({ maxInsns: n, stopOnTrap: opts.stopOnTrap });
    done += n;
    const stopped = result.reason !== 'limit';
    const diff = other.reason !== result.reason
      ? ['stop reason', result.reason, other.reason] as [string, string, string]
      : firstDifference(ref, jit, stopped);
    if (diff !== null) {
      return { result, instret: ref.hart.instret, difference: { from, chunk: n, field: diff[0], interpreter: diff[1], translator: diff[2] } };
    }
    if (stopped && result.reason !== 'break') break;
  }
  const diff = firstDifference(ref, jit, true);
  const difference = diff === null ? null : { from: ref.hart.instret, chunk: 0, field: diff[0], interpreter: diff[1], translator: diff[2] };
  return { result, instret: ref.hart.instret, difference };
}

/** One line for a difference, as `devirt boot --lockstep` prints it. */
export function describeDifference(d: LockstepDifference): string {
  return `lockstep: the translator differs from the interpreter in the ${d.chunk} instructions after instret ${d.from}: ` +
    `${d.field} is ${d.interpreter} interpreted, ${d.translator} translated`;
}
