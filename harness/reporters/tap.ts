// TAP 14: one test point per vector, in suite order. Failures carry a YAML diagnostic block with
// the first difference and the instruction at the failing point; skips are `# SKIP`, expected
// failures `# TODO` (TAP's own meaning: a known failure that does not fail the run).

import type { HelloMessage, ResultRecord } from '../../vectors/schema/types';
import { ranLine, Summary } from '../summary';
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

export function renderTap(hello: HelloMessage, records: ResultRecord[], summary: Summary): string {
  // An exceeded --max-skips is one more failing test point, so TAP and JUnit consumers fail too.
  const over = summary.skipLimit?.exceeded ? summary.skipLimit : undefined;
  const out = ['TAP version 14', `# devirt run: ${hello.name} ${hello.version}`, `1..${records.length + (over ? 1 : 0)}`];
  records.forEach((r, i) => out.push(tapLine(r, i + 1)));
  if (over) out.push(`not ok ${records.length + 1} - devirt --max-skips ${escapeDescription(over.limit)}: ${over.skipped} vectors skipped, more than allowed`);
  const t = summary.total;
  out.push(`# ${t.total} vectors: ${t.pass} pass, ${t.fail} fail, ${t.error} error, ${t.crash} crash, ${t.timeout} timeout, ${t.skip} skip, ${t.xfail} xfail, ${t.xpass} xpass`);
  out.push(`# ${ranLine(summary)}`);
  for (const note of summary.notes ?? []) out.push(`# ${note}`);
  return out.join('\n') + '\n';
}
