// Counting results: by kind, by suite, and whether the run failed.

import type { ResultKind, ResultRecord } from '../vectors/schema/types';

export const KINDS: ResultKind[] = ['pass', 'fail', 'error', 'crash', 'timeout', 'skip', 'xfail', 'xpass'];
/** Kinds that make the run fail (exit 1). */
export const FAILING_KINDS: ReadonlySet<ResultKind> = new Set(['fail', 'error', 'crash', 'timeout', 'xpass']);

export type Counts = Record<ResultKind, number> & { total: number };

const zero = (): Counts => ({ total: 0, pass: 0, fail: 0, error: 0, crash: 0, timeout: 0, skip: 0, xfail: 0, xpass: 0 });

/** --max-skips: at most `max` skipped vectors, or at most `percent` % of the selection. */
export type SkipLimit = { max: number } | { percent: number };

export interface Summary {
  total: Counts; bySuite: Record<string, Counts>; failed: boolean;
  /** Vectors the implementation was given (everything selected but the skips). */
  ran: number;
  /** The --max-skips limit, the skips it counts and whether they exceed it. */
  skipLimit?: { limit: string; skipped: number; exceeded: boolean };
  /** What the run itself wants said (e.g. --trace-diff reaching its limit). */
  notes?: string[];
}

/** Skips that count against --max-skips: every skip but a duplicate of another vector (skipped for everyone). */
export const countedSkip = (r: ResultRecord) => r.kind === 'skip' && !(r.reason ?? '').startsWith('duplicate:');

export function summarize(records: ResultRecord[], maxSkips?: SkipLimit): Summary {
  const total = zero();
  const bySuite: Record<string, Counts> = {};
  for (const r of records) {
    const s = (bySuite[r.suite] ??= zero());
    total[r.kind]++; total.total++;
    s[r.kind]++; s.total++;
  }
  const summary: Summary = { total, bySuite, failed: KINDS.some((k) => FAILING_KINDS.has(k) && total[k] > 0), ran: total.total - total.skip };
  if (maxSkips) {
    const skipped = records.filter(countedSkip).length;
    const exceeded = 'max' in maxSkips ? skipped > maxSkips.max : skipped * 100 > maxSkips.percent * total.total;
    summary.skipLimit = { limit: 'max' in maxSkips ? String(maxSkips.max) : `${maxSkips.percent}%`, skipped, exceeded };
    if (exceeded) summary.failed = true;
  }
  return summary;
}

/** The sentence every reporter ends with: how many vectors ran, and the --max-skips verdict. */
export function ranLine(s: Summary): string {
  const ran = `${s.ran} of ${s.total.total} vectors ran (${s.total.skip} skipped)`;
  if (!s.skipLimit) return ran;
  const l = s.skipLimit;
  return `${ran}; --max-skips ${l.limit}: ${l.skipped} skipped${l.exceeded ? ', more than allowed: the run fails' : ', within the limit'}`;
}
