// The rule for "image" vectors (transparency, overhead): whatever the schedule of virtualize and
// devirtualize points, the guest must print exactly what it printed natively and end the same
// way. Only timing may differ, so cycle and instruction counts are not compared.

import { describeDifference, Difference } from './state-check';

export interface ImageExpectation { console: string; exit: { kind: string; code?: number } }
export interface ImageActual { console: string; exit: { kind: string; code?: number } }

const quote = (s: string | undefined) => (s === undefined ? '(no such line)' : JSON.stringify(s));

/** First difference between expectation and observation, or null when they agree. */
export function checkImage(expected: ImageExpectation, actual: ImageActual): Difference | null {
  if (expected.console !== actual.console) {
    const want = expected.console.split('\n');
    const got = actual.console.split('\n');
    let line = 0;
    while (line < want.length && want[line] === got[line]) line++;
    return { where: `console line ${line + 1}`, expected: quote(want[line]), actual: quote(got[line]) };
  }
  if (expected.exit.kind !== actual.exit.kind) return { where: 'exit kind', expected: expected.exit.kind, actual: actual.exit.kind };
  if ((expected.exit.code ?? null) !== (actual.exit.code ?? null)) {
    return { where: 'exit code', expected: String(expected.exit.code ?? '(none)'), actual: String(actual.exit.code ?? '(none)') };
  }
  return null;
}

/** The first difference as one line, or null when the run agrees with its expectation. */
export function imageDifferenceText(expected: ImageExpectation, actual: ImageActual): string | null {
  const d = checkImage(expected, actual);
  return d && describeDifference(d);
}
