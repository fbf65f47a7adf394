// The rule for "state" vectors: an implementation conforms when its final state is one of the
// outcomes the specification allows. The vector's expectation is the reference's outcome; each
// entry of `alternatives` is another allowed outcome, written as what differs from it, and names
// the choices (conformance/choices.ts) it follows, so every alternative cites its clause.
//
// An outcome is met when the exit (the first trap into M-mode: cause, tval, epc; or the finisher's
// code) matches, every register the outcome lists has that value and every other register kept
// its initial value (registers an outcome marks `any` may hold anything), and the observed memory
// matches. The pc, the CSRs a vector lists and the retired count are compared when the
// implementation reports them (the harness asks for all three; the QEMU oracle reports none).

export interface StateExit { kind: string; code?: number; cause?: string; tval?: string; epc?: string }

/** Another allowed outcome, as what differs from the primary one. */
export interface StateAlternative {
  /** conformance/choices.ts ids this outcome follows. */
  choices: string[];
  /** Exit fields that differ; with `kind`, the whole exit. */
  exit?: Partial<StateExit>;
  /** The registers that differ from their initial values in this outcome (all of them). */
  x?: Record<string, string>;
  /** Registers whose value the choice leaves to the implementation. */
  any?: string[];
  pc?: string;
  memory?: { base: string; bytes: string }[];
  csrs?: Record<string, string>;
  instret?: number;
}

export interface StateExpectation {
  x: Record<string, string>;
  pc?: string;
  exit: StateExit;
  memory?: { base: string; bytes: string }[];
  instret?: number;
  csrs?: Record<string, string>;
  alternatives?: StateAlternative[];
}

export interface StateActual {
  x: Record<string, string>;
  /** Compared when present (the QEMU oracle does not report it). */
  pc?: string;
  csrs?: Record<string, string>;
  exit: StateExit;
  memory?: { base: string; bytes: string }[];
  instret?: number;
}

export interface Difference { where: string; expected: string; actual: string }

/** A difference as one line of text (for tests and tools that print rather than report). */
export const describeDifference = (d: Difference): string => `${d.where}: expected ${d.expected}, got ${d.actual}`;

/** One allowed outcome in full: the choices it follows ([] for the reference's own). */
export interface AllowedOutcome {
  choices: string[];
  x: Record<string, string>;
  any: ReadonlySet<string>;
  pc?: string;
  exit: StateExit;
  memory?: { base: string; bytes: string }[];
  instret?: number;
  csrs?: Record<string, string>;
}

export interface StateVerdict {
  pass: boolean;
  /** The outcome that was met (pass), or the closest one (fail): its choices, [] for the reference's. */
  choices: string[];
  /** Every difference from that outcome (empty on a pass). */
  differences: Difference[];
}

const num = (v: string | undefined) => (v === undefined ? undefined : BigInt.asUintN(64, BigInt(v)));
const show = (v: bigint | undefined) => (v === undefined ? '(none)' : '0x' + v.toString(16).padStart(16, '0'));

/** Every outcome the expectation allows, the reference's first. */
export function allowedOutcomes(e: StateExpectation): AllowedOutcome[] {
  const primary: AllowedOutcome = { choices: [], x: e.x, any: new Set(), pc: e.pc, exit: e.exit, memory: e.memory, instret: e.instret, csrs: e.csrs };
  return [primary, ...(e.alternatives ?? []).map((a) => ({
    choices: a.choices,
    x: a.x ?? e.x,
    any: new Set(a.any ?? []),
    pc: a.pc ?? e.pc,
    exit: a.exit?.kind !== undefined ? (a.exit as StateExit) : { ...e.exit, ...(a.exit ?? {}) },
    memory: a.memory ?? e.memory,
    instret: a.instret ?? e.instret,
    csrs: a.csrs ? { ...(e.csrs ?? {}), ...a.csrs } : e.csrs,
  }))];
}

function exitDifferences(e: StateExit, a: StateExit): Difference[] {
  if (e.kind !== a.kind) return [{ where: 'exit kind', expected: e.kind, actual: a.kind }];
  const out: Difference[] = [];
  if (e.code !== undefined && e.code !== a.code) out.push({ where: 'exit code', expected: String(e.code), actual: String(a.code) });
  for (const k of ['cause', 'tval', 'epc'] as const) {
    if (e[k] !== undefined && num(e[k]) !== num(a[k])) out.push({ where: `trap ${k}`, expected: show(num(e[k])), actual: show(num(a[k])) });
  }
  return out;
}

/** Runs of differing bytes in one observed region, each one difference (at most `limit`). */
function memoryDifferences(base: string, want: string, got: string, limit = 16): Difference[] {
  const out: Difference[] = [];
  const n = want.length / 2;
  let i = 0;
  while (i < n && out.length < limit) {
    if (want.slice(2 * i, 2 * i + 2) === got.slice(2 * i, 2 * i + 2)) { i++; continue; }
    let j = i;
    while (j < n && j - i < 16 && want.slice(2 * j, 2 * j + 2) !== got.slice(2 * j, 2 * j + 2)) j++;
    const addr = BigInt(base) + BigInt(i);
    const actual = got.slice(2 * i, 2 * j);
    out.push({ where: `mem 0x${addr.toString(16)}`, expected: '0x' + want.slice(2 * i, 2 * j), actual: actual ? '0x' + actual : '(missing)' });
    i = j;
  }
  return out;
}

/** Every difference between one allowed outcome and the observation (empty: the outcome is met). */
export function outcomeDifferences(o: AllowedOutcome, initialX: Record<string, string>, actual: StateActual, opts: { instret?: boolean } = {}): Difference[] {
  const out = exitDifferences(o.exit, actual.exit);
  for (let i = 1; i < 32; i++) {
    const k = 'x' + i;
    if (o.any.has(k)) continue;
    const want = num(o.x[k] ?? initialX[k] ?? '0');
    const got = num(actual.x[k]);
    if (want !== got) out.push({ where: k, expected: show(want), actual: show(got) });
  }
  if (o.pc !== undefined && actual.pc !== undefined && num(o.pc) !== num(actual.pc)) {
    out.push({ where: 'pc', expected: show(num(o.pc)), actual: show(num(actual.pc)) });
  }
  for (const [name, value] of Object.entries(o.csrs ?? {})) {
    const got = actual.csrs?.[name];
    if (got === undefined || num(value) !== num(got)) out.push({ where: name, expected: show(num(value)), actual: show(num(got)) });
  }
  for (const [i, region] of (o.memory ?? []).entries()) {
    const got = actual.memory?.[i]?.bytes ?? '';
    if (got !== region.bytes) out.push(...memoryDifferences(region.base, region.bytes, got));
  }
  if (opts.instret && o.instret !== undefined && actual.instret !== undefined && actual.instret !== o.instret) {
    out.push({ where: 'instret', expected: String(o.instret), actual: String(actual.instret) });
  }
  return out;
}

/**
 * Pass when the observation meets any allowed outcome (the first such, the reference's before the
 * alternatives); otherwise fail with every difference from the closest outcome: the one with the
 * same exit if there is one, else the fewest differences, else the reference's.
 */
export function judgeState(expected: StateExpectation, initialX: Record<string, string>, actual: StateActual, opts: { instret?: boolean } = {}): StateVerdict {
  const outcomes = allowedOutcomes(expected);
  let best: { o: AllowedOutcome; d: Difference[]; exitMet: boolean } | undefined;
  for (const o of outcomes) {
    const d = outcomeDifferences(o, initialX, actual, opts);
    if (!d.length) return { pass: true, choices: o.choices, differences: [] };
    const exitMet = exitDifferences(o.exit, actual.exit).length === 0;
    if (!best || (exitMet && !best.exitMet) || (exitMet === best.exitMet && d.length < best.d.length)) best = { o, d, exitMet };
  }
  return { pass: false, choices: best!.o.choices, differences: best!.d };
}

/** First difference from the closest allowed outcome, or null when an allowed outcome is met. */
export function checkState(expected: StateExpectation, initialX: Record<string, string>, actual: StateActual, opts: { instret?: boolean } = {}): Difference | null {
  const v = judgeState(expected, initialX, actual, opts);
  return v.pass ? null : v.differences[0];
}
