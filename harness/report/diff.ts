// `devirt report diff before.json after.json`: the vectors whose result changed between two runs,
// for regression gates. A new failure (a vector that fails now and did not before, new vectors
// included) makes the command fail.

import type { ResultKind, ResultRecord } from '../../vectors/schema/types';
import { FAILING_KINDS } from '../summary';
import type { ReportDocument } from './document';

export interface Change { id: string; title: string; before?: ResultKind; after?: ResultKind; reason?: string }

export interface ReportDiff {
  newFailures: Change[];
  fixed: Change[];
  added: Change[];
  removed: Change[];
  /** Any other change of result (pass to skip, fail to crash, ...). */
  changed: Change[];
}

const failing = (k: ResultKind | undefined) => k !== undefined && FAILING_KINDS.has(k);

export function diffReports(before: ReportDocument, after: ReportDocument): ReportDiff {
  const old = new Map<string, ResultRecord>(before.results.map((r) => [r.id, r]));
  const now = new Map<string, ResultRecord>(after.results.map((r) => [r.id, r]));
  const d: ReportDiff = { newFailures: [], fixed: [], added: [], removed: [], changed: [] };
  for (const [id, r] of now) {
    const b = old.get(id);
    const c: Change = { id, title: r.title, before: b?.kind, after: r.kind, ...(r.reason ? { reason: r.reason } : {}) };
    if (failing(r.kind) && !failing(b?.kind)) d.newFailures.push(c);
    else if (!b) d.added.push(c);
    else if (failing(b.kind) && r.kind === 'pass') d.fixed.push(c);
    else if (b.kind !== r.kind) d.changed.push(c);
  }
  for (const [id, b] of old) if (!now.has(id)) d.removed.push({ id, title: b.title, before: b.kind });
  return d;
}

export function renderDiff(d: ReportDiff): string {
  const out: string[] = [];
  const section = (name: string, cs: Change[]) => {
    if (!cs.length) return;
    out.push(`${name} (${cs.length}):`);
    for (const c of cs) out.push(`  ${c.id} ${c.title}: ${c.before ?? '(absent)'} -> ${c.after ?? '(absent)'}${c.reason && failing(c.after) ? ` (${c.reason.split('\n')[0]})` : ''}`);
  };
  section('new failures', d.newFailures);
  section('fixed', d.fixed);
  section('new vectors', d.added);
  section('removed vectors', d.removed);
  section('other changes', d.changed);
  out.push(`${d.newFailures.length} new failures, ${d.fixed.length} fixed, ${d.added.length} new, ${d.removed.length} removed, ${d.changed.length} other changes`);
  return out.join('\n') + '\n';
}

/** An expected-failure list (harness/expect-fail.ts's format) of what failed in a report. */
export function expectFailList(doc: ReportDocument): string {
  const lines = [`# expected failures of ${doc.implementation.name} ${doc.implementation.version}, from a devirt report (${doc.run.startedAt})`];
  for (const r of doc.results) {
    if (!FAILING_KINDS.has(r.kind) && r.kind !== 'xfail') continue;
    if (r.kind === 'xpass') continue;
    const why = r.difference ? `${r.kind}: ${r.difference.where} expected ${r.difference.expected}, got ${r.difference.actual}` : `${r.kind}${r.reason ? `: ${r.reason}` : ''}`;
    lines.push(`${r.id} # ${why.replace(/[\r\n]+/g, ' ').replace(/#/g, '')}`);
  }
  return lines.join('\n') + '\n';
}
