// For people: what failed and where to look, then a table by suite. The progress bar lives in
// cli/run.ts (stderr, terminals only).

import type { HelloMessage, ResultRecord } from '../../vectors/schema/types';
import type { RunInfo } from '../run-info';
import { FAILING_KINDS, KINDS, notRun, Summary } from '../summary';

const SHOWN = 25;

export function describeFailure(r: ResultRecord): string[] {
  const out = [`${r.kind.toUpperCase()} ${r.suite} ${r.id} ${r.title}`, `    file: vectors/${r.file}`];
  if (r.reason) out.push(`    ${r.reason}`);
  if (r.difference) out.push(`    ${r.difference.where}: expected ${r.difference.expected}, got ${r.difference.actual}`);
  if (r.at) out.push(`    at ${r.at.pc}: ${r.at.instruction}`);
  if (r.trace) {
    out.push(`    trace: first divergence after step ${r.trace.step}, ${r.trace.pc}: ${r.trace.instruction}: ${r.trace.difference.where} expected ${r.trace.difference.expected}, got ${r.trace.difference.actual}`);
    if (r.trace.shrunk) out.push(`    shrunk to ${r.trace.shrunk}`);
  }
  return out;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
}

export function renderPretty(hello: HelloMessage, records: ResultRecord[], summary: Summary, info?: RunInfo): string {
  const out: string[] = [`devirt run: ${hello.name} ${hello.version}${info?.shard ? ` (shard ${info.shard.index}/${info.shard.count} of ${info.selectionSize} vectors)` : ''}`];
  const bad = records.filter((r) => FAILING_KINDS.has(r.kind));
  for (const r of bad.slice(0, SHOWN)) out.push(...describeFailure(r));
  if (bad.length > SHOWN) out.push(`... and ${bad.length - SHOWN} more (--reporter json lists them all)`);
  if (bad.length) out.push('');
  const rows = [['suite', 'total', ...KINDS]];
  for (const [suite, c] of Object.entries(summary.bySuite)) rows.push([suite, String(c.total), ...KINDS.map((k) => String(c[k]))]);
  rows.push(['all', String(summary.total.total), ...KINDS.map((k) => String(summary.total[k]))]);
  out.push(...table(rows));
  if (summary.interrupted) out.push(`INTERRUPTED by ${summary.interrupted}: ${records.filter(notRun).length} of ${records.length} vectors not run; this report is partial`);
  out.push(summary.failed ? 'FAILED' : 'OK');
  return out.join('\n') + '\n';
}
