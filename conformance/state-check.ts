// The rule for "state" vectors: an implementation conforms when its final state equals the
// expected one: every register the vector expects changed has that value, every other register
// kept its initial value, and the exit (the first trap into M-mode, with cause, tval and epc)
// and observed memory match. Where the specification allows several outcomes, the vector lists
// the others in `anyOf`; an alternative trap means the trapping instruction had no effect, so
// registers keep their values from before it, which the rule cannot know in general: for an
// alternative only the exit is compared. The pc, the CSRs a vector lists and the retired count
// are compared when the implementation reports them (the harness asks for all three; the QEMU
// oracle reports none).

export interface StateExpectation {
  x: Record<string, string>;
  pc?: string;
  exit: { kind: string; code?: number; cause?: string; tval?: string; epc?: string };
  memory?: { base: string; bytes: string }[];
  instret?: number;
  csrs?: Record<string, string>;
  anyOf?: { exit: { kind: string; cause?: string; tval?: string; epc?: string }; note: string }[];
}

export interface StateActual {
  x: Record<string, string>;
  /** Compared when present (the QEMU oracle does not report it). */
  pc?: string;
  csrs?: Record<string, string>;
  exit: { kind: string; code?: number; cause?: string; tval?: string; epc?: string };
  memory?: { base: string; bytes: string }[];
  instret?: number;
}

export interface Difference { where: string; expected: string; actual: string }

/** A difference as one line of text (for tests and tools that print rather than report). */
export const describeDifference = (d: Difference): string => `${d.where}: expected ${d.expected}, got ${d.actual}`;

const num = (v: string | undefined) => (v === undefined ? undefined : BigInt.asUintN(64, BigInt(v)));
const show = (v: bigint | undefined) => (v === undefined ? '(none)' : '0x' + v.toString(16).padStart(16, '0'));

function exitDifference(e: StateExpectation['exit'], a: StateActual['exit']): Difference | null {
  if (e.kind !== a.kind) return { where: 'exit kind', expected: e.kind, actual: a.kind };
  if (e.code !== undefined && e.code !== a.code) return { where: 'exit code', expected: String(e.code), actual: String(a.code) };
  for (const k of ['cause', 'tval', 'epc'] as const) {
    if (e[k] !== undefined && num(e[k]) !== num(a[k])) return { where: `trap ${k}`, expected: show(num(e[k])), actual: show(num(a[k])) };
  }
  return null;
}

/** First difference between expectation and observation, or null when they agree. */
export function checkState(expected: StateExpectation, initialX: Record<string, string>, actual: StateActual, opts: { instret?: boolean } = {}): Difference | null {
  const exitDiff = exitDifference(expected.exit, actual.exit);
  if (exitDiff && expected.anyOf?.some((alt) => exitDifference(alt.exit, actual.exit) === null)) return null;
  if (exitDiff) return exitDiff;
  for (let i = 1; i < 32; i++) {
    const k = 'x' + i;
    const want = num(expected.x[k] ?? initialX[k] ?? '0');
    const got = num(actual.x[k]);
    if (want !== got) return { where: k, expected: show(want), actual: show(got) };
  }
  if (expected.pc !== undefined && actual.pc !== undefined && num(expected.pc) !== num(actual.pc)) {
    return { where: 'pc', expected: show(num(expected.pc)), actual: show(num(actual.pc)) };
  }
  for (const [name, value] of Object.entries(expected.csrs ?? {})) {
    const got = actual.csrs?.[name];
    if (got === undefined || num(value) !== num(got)) return { where: name, expected: show(num(value)), actual: show(num(got)) };
  }
  for (const [i, region] of (expected.memory ?? []).entries()) {
    const got = actual.memory?.[i]?.bytes ?? '';
    if (got !== region.bytes) {
      let at = 0;
      while (at < region.bytes.length && region.bytes.slice(at, at + 2) === got.slice(at, at + 2)) at += 2;
      const addr = BigInt(region.base) + BigInt(at / 2);
      return { where: `mem 0x${addr.toString(16)}`, expected: '0x' + region.bytes.slice(at, at + 2), actual: got.slice(at, at + 2) ? '0x' + got.slice(at, at + 2) : '(missing)' };
    }
  }
  if (opts.instret && expected.instret !== undefined && actual.instret !== undefined && actual.instret !== expected.instret) {
    return { where: 'instret', expected: String(expected.instret), actual: String(actual.instret) };
  }
  return null;
}
