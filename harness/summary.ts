// Counting results: by kind, by suite, and whether the run failed.

import type { ResultKind, ResultRecord } from '../vectors/schema/types';

export const KINDS: ResultKind[] = ['pass', 'fail', 'error', 'crash', 'timeout', 'skip', 'xfail', 'xpass'];
/** Kinds that make the run fail (exit 1). */
export const FAILING_KINDS: ReadonlySet<ResultKind> = new Set(['fail', 'error', 'crash', 'timeout', 'xpass']);

export type Counts = Record<ResultKind, number> & { total: number };

const zero = (): Counts => ({ total: 0, pass: 0, fail: 0, error: 0, crash: 0, timeout: 0, skip: 0, xfail: 0, xpass: 0 });

export interface Summary { total: Counts; bySuite: Record<string, Counts>; failed: boolean }

export function summarize(records: ResultRecord[]): Summary {
  const total = zero();
  const bySuite: Record<string, Counts> = {};
  for (const r of records) {
    const s = (bySuite[r.suite] ??= zero());
    total[r.kind]++; total.total++;
    s[r.kind]++; s.total++;
  }
  return { total, bySuite, failed: KINDS.some((k) => FAILING_KINDS.has(k) && total[k] > 0) };
}
