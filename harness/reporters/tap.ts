// TAP 14: one test point per vector, in suite order. Failures carry a YAML diagnostic block with
// the first difference and the instruction at the failing point; skips are `# SKIP`, expected
// failures `# TODO` (TAP's own meaning: a known failure that does not fail the run).

import type { HelloMessage, ResultRecord } from '../../vectors/schema/types';
import type { RunInfo } from '../run-info';
import { notRun, ranLine, Summary } from '../summary';
import { describeStop, furtherDifferences } from './pretty';

/** A description cannot contain a raw `#` (it would start a directive) or a newline. */
const escapeDescription = (s: string) => s.replace(/[\r\n]+/g, ' ').replace(/\\/g, '\\\\').replace(/#/g, '\\#');
const escapeDirective = (s: string) => s.replace(/[\r\n]+/g, ' ');
/** JSON strings are YAML double-quoted scalars. */
const y = (s: string) => JSON.stringify(s);

export function diagnostics(r: ResultRecord): string[] {
  const lines = [`id: ${y(r.id)}`, `file: ${y(r.file)}`, `kind: ${r.kind}`];
  if (r.reason) lines.push(`reason: ${y(r.reason)}`);
  if (r.difference) lines.push(`where: ${y(r.difference.where)}`, `expected: ${y(r.difference.expected)}`, `actual: ${y(r.difference.actual)}`);
  if (r.at) lines.push(`at: ${y(`${r.at.pc}: ${r.at.instruction}`)}`);
  const more = furtherDifferences(r);
  if (more.length) lines.push('more differences:', ...more.map((d) => `  - ${y(`${d.where}: expected ${d.expected}, got ${d.actual}`)}`));
  if (r.exits) lines.push('stop:', `  expected: ${y(describeStop(r.exits.expected, r.stops?.expected))}`, `  actual: ${y(describeStop(r.exits.actual, r.stops?.actual))}`);
  if (r.trace) {
    lines.push('trace:', `  step: ${r.trace.step}`, `  at: ${y(`${r.trace.pc}: ${r.trace.instruction}`)}`,
      `  where: ${y(r.trace.difference.where)}`, `  expected: ${y(r.trace.difference.expected)}`, `  actual: ${y(r.trace.difference.actual)}`);
    if (r.trace.shrunk) lines.push(`  shrunk: ${y(r.trace.shrunk)}`);
  }
  return lines;
}

export function tapLine(r: ResultRecord, n: number): string {
  const desc = escapeDescription(`${r.suite} ${r.id} ${r.title}`);
  switch (r.kind) {
    case 'pass': return `ok ${n} - ${desc}`;
    case 'skip': return `ok ${n} - ${desc} # SKIP ${escapeDirective(r.reason ?? '')}`;
    case 'xfail': return [`not ok ${n} - ${desc} # TODO ${escapeDirective(r.reason ?? 'expected failure')}`, '  ---', ...diagnostics(r).map((l) => '  ' + l), '  ...'].join('\n');
    default: return [`not ok ${n} - ${desc}`, '  ---', ...diagnostics(r).map((l) => '  ' + l), '  ...'].join('\n');
  }
}

/** The stream's opening lines; `planned` test points follow (an interrupted run's plan is what it ran). */
export function tapHeader(hello: HelloMessage, planned: number): string[] {
  return ['TAP version 14', `# devirt run: ${hello.name} ${hello.version}`, `1..${planned}`];
}

export function tapFooter(summary: Summary, info: RunInfo | undefined, notRunCount: number): string[] {
  const t = summary.total;
  const out = [`# ${t.total} vectors: ${t.pass} pass, ${t.fail} fail, ${t.error} error, ${t.crash} crash, ${t.timeout} timeout, ${t.skip} skip, ${t.xfail} xfail, ${t.xpass} xpass`];
  out.push(`# ${ranLine(summary)}`);
  for (const note of summary.notes ?? []) out.push(`# ${note}`);
  if (info?.shard) out.push(`# shard ${info.shard.index}/${info.shard.count} of ${info.selectionSize} vectors (selection ${info.selectionDigest.slice(0, 16)})`);
  // TAP's own word for a run that stopped early: a consumer never mistakes it for a finished run.
  if (summary.interrupted) out.push(`Bail out! interrupted by ${summary.interrupted}: ${notRunCount} vectors not run`);
  return out;
}

export function renderTap(hello: HelloMessage, records: ResultRecord[], summary: Summary, info?: RunInfo): string {
  // An exceeded --max-skips is one more failing test point, so TAP and JUnit consumers fail too.
  const over = summary.skipLimit?.exceeded ? summary.skipLimit : undefined;
  const ran = summary.interrupted ? records.filter((r) => !notRun(r)) : records;
  const out = tapHeader(hello, ran.length + (over ? 1 : 0));
  ran.forEach((r, i) => out.push(tapLine(r, i + 1)));
  if (over) out.push(`not ok ${ran.length + 1} - devirt --max-skips ${escapeDescription(over.limit)}: ${over.skipped} vectors skipped, more than allowed`);
  out.push(...tapFooter(summary, info, records.length - ran.length));
  return out.join('\n') + '\n';
}
