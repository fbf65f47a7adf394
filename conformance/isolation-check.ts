// The rule of the `isolation` suite (conformance/isolation.md): two instances share one hart, one
// of them attacks. Each instance's console is compared line by line with what the vector expects:
// the victim's lines exactly (its signature when it runs alone), the adversary's lines each against
// the outcomes the specification allows for that attempt (the trap with its cause and tval, the
// SBI error, what a device register reads). Then the exit. Timing is never compared.

import { describeDifference, Difference } from './state-check';

/** One expected line: exact text, or every line that the clause `spec` allows. */
export type ExpectedLine = string | { anyOf: string[]; spec: string };
export interface IsolationExpectation { console: ExpectedLine[]; console1: ExpectedLine[]; exit: { kind: string; code?: number } }
export interface IsolationActual { console: string; console1?: string; exit: { kind: string; code?: number } }

const quote = (s: string | undefined) => (s === undefined ? '(no such line)' : JSON.stringify(s));
const allowed = (e: ExpectedLine): string[] => (typeof e === 'string' ? [e] : e.anyOf);
const describeExpected = (e: ExpectedLine | undefined): string => {
  if (e === undefined) return '(no such line)';
  if (typeof e === 'string') return quote(e);
  return `${e.anyOf.map(quote).join(' or ')} (${e.spec})`;
};

/** The first line of `actual` that `expected` does not allow, or null. */
function checkConsole(name: string, expected: ExpectedLine[], actual: string): Difference | null {
  const got = actual.split('\n');
  const n = Math.max(expected.length, got.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    if (e === undefined || got[i] === undefined || !allowed(e).includes(got[i])) {
      return { where: `${name} line ${i + 1}`, expected: describeExpected(e), actual: quote(got[i]) };
    }
  }
  return null;
}

/** First difference between what the isolation vector expects and what was observed, or null. */
export function checkIsolation(expected: IsolationExpectation, actual: IsolationActual): Difference | null {
  const d = checkConsole('instance 0 console', expected.console, actual.console)
    ?? checkConsole('instance 1 console', expected.console1, actual.console1 ?? '');
  if (d) return d;
  if (expected.exit.kind !== actual.exit.kind) return { where: 'exit kind', expected: expected.exit.kind, actual: actual.exit.kind };
  if ((expected.exit.code ?? null) !== (actual.exit.code ?? null)) {
    return { where: 'exit code', expected: String(expected.exit.code ?? '(none)'), actual: String(actual.exit.code ?? '(none)') };
  }
  return null;
}

/** The first difference as one line, or null when the run is what the specification allows. */
export function isolationDifferenceText(expected: IsolationExpectation, actual: IsolationActual): string | null {
  const d = checkIsolation(expected, actual);
  return d && describeDifference(d);
}

/** A console's text as the expected-line form (every line exact). */
export function exactLines(text: string): string[] {
  return text.split('\n');
}
