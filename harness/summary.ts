// Counting results: by kind, by suite, and whether the run failed.

import type { ResultKind, ResultRecord } from '../vectors/schema/types';

export const KINDS: ResultKind[] = ['pass', 'fail', 'error', 'crash', 'timeout', 'skip', 'xfail', 'xpass'];
/** Kinds that make the run fail (exit 1). */
export const FAILING_KINDS: ReadonlySet<ResultKind> = new Set(['fail', 'error', 'crash', 'timeout', 'xpass']);

/** The reason given to the vectors an interrupted run never started (reporters recognise it). */
export const NOT_RUN = 'not run: the run was interrupted';
export const notRun = (r: { kind: string; reason?: string }): boolean => r.kind === 'skip' && (r.reason ?? '').startsWith(NOT_RUN);

export type Counts = Record<ResultKind, number> & { total: number };

const zero = (): Counts => ({ total: 0, pass: 0, fail: 0, error: 0, crash: 0, timeout: 0, skip: 0, xfail: 0, xpass: 0 });

/** `interrupted` names the signal that stopped the run before every vector ran: such a run never looks green. */
export interface Summary { total: Counts; bySuite: Record<string, Counts>; failed: boolean; interrupted: string | null }

export function summarize(records: ResultRecord[], interrupted: string | null = null): Summary {
  const total = zero();
  const bySuite: Record<string, Counts> = {};
  for (const r of records) {
    const s = (bySuite[r.suite] ??= zero());
    total[r.kind]++; total.total++;
    s[r.kind]++; s.total++;
  }
  return { total, bySuite, failed: interrupted !== null || KINDS.some((k) => FAILING_KINDS.has(k) && total[k] > 0), interrupted };
}
