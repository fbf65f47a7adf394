// `devirt report merge`: the reports of `devirt run --shard i/n` put back together. Each shard
// must come from the same selection of the same vectors (the selection digest), the same
// implementation and the same devirt; shards 1..n must each be there exactly once and every
// vector must appear exactly once. Anything else is a MergeError naming the file and the problem.

import type { ResultRecord } from '../../vectors/schema/types';
import type { RunInfo } from '../run-info';
import { summarize } from '../summary';
import { readReport, ReportDocument } from './document';

export class MergeError extends Error {}

export function mergeReports(files: string[], docs: ReportDocument[] = files.map((f) => readReport(f))): ReportDocument {
  if (!docs.length) throw new MergeError('no reports to merge');
  const first = docs[0], name = files[0];
  const same = (what: string, get: (d: ReportDocument) => unknown) => {
    docs.forEach((d, i) => {
      if (JSON.stringify(get(d)) !== JSON.stringify(get(first))) {
        throw new MergeError(`${files[i]}: ${what} ${JSON.stringify(get(d))} differs from ${name}'s ${JSON.stringify(get(first))}`);
      }
    });
  };
  same('implementation', (d) => ({ name: d.implementation.name, version: d.implementation.version }));
  same('devirt version', (d) => d.run.devirt);
  same('selection', (d) => d.run.selection);
  same('vector set (selection digest)', (d) => d.run.selectionDigest);

  const count = first.run.shard?.count ?? 1;
  const byIndex = new Map<number, string>();
  docs.forEach((d, i) => {
    const shard = d.run.shard ?? { index: 1, count: 1 };
    if (shard.count !== count) throw new MergeError(`${files[i]}: shard ${shard.index}/${shard.count}, but ${name} is one of ${count}`);
    const seen = byIndex.get(shard.index);
    if (seen !== undefined) throw new MergeError(`${files[i]}: shard ${shard.index}/${count} again (already in ${seen})`);
    byIndex.set(shard.index, files[i]);
  });
  const missing = Array.from({ length: count }, (_, k) => k + 1).filter((k) => !byIndex.has(k));
  if (missing.length) throw new MergeError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${count}`).join(', ')} missing (merged ${docs.length} of ${count})`);

  const where = new Map<string, string>();
  const results: ResultRecord[] = [];
  docs.forEach((d, i) => {
    for (const r of d.results) {
      const dup = where.get(r.id);
      // A run skips a repeated test as a duplicate of the same id; that is one vector reported twice on purpose.
      if (dup !== undefined && !(r.kind === 'skip' && (r.reason ?? '').startsWith('duplicate:'))) throw new MergeError(`${files[i]}: vector ${r.id} is also in ${dup}`);
      where.set(r.id, files[i]);
      results.push(r);
    }
  });
  if (results.length !== first.run.selectionSize) {
    throw new MergeError(`the shards hold ${results.length} results, the selection ${first.run.selectionSize} vectors`);
  }
  const suiteOrder = new Map<string, number>();
  for (const d of docs) for (const r of d.results) if (!suiteOrder.has(r.suite)) suiteOrder.set(r.suite, suiteOrder.size);
  results.sort((a, b) => (suiteOrder.get(a.suite)! - suiteOrder.get(b.suite)!) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const interrupted = docs.find((d) => d.run.interrupted !== null);
  const run: RunInfo = {
    ...first.run,
    shard: null,
    interrupted: interrupted ? `${interrupted.run.interrupted} (${files[docs.indexOf(interrupted)]})` : null,
    startedAt: docs.map((d) => d.run.startedAt).sort()[0],
    durationMs: Math.max(...docs.map((d) => d.run.durationMs)),
    merged: files,
  };
  const summary = summarize(results, undefined, run.interrupted);
  const { skipLimit: _limit, notes: _notes, ...head } = first;
  return { ...head, run, total: summary.total, ran: summary.ran, bySuite: summary.bySuite, failed: summary.failed, results };
}
