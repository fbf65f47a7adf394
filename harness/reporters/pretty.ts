// For people: what failed and where to look, then a table by suite. The progress bar lives in
// cli/run.ts (stderr, terminals only).

import type { Exit, HelloMessage, ResultRecord, StopPoint } from '../../vectors/schema/types';
import { FAILING_KINDS, KINDS, Summary, ranLine } from '../summary';

/** An exit as one phrase: "trap cause 0x2 tval 0x0 epc 0x80000008", "finisher code 0", "limit". */
export function describeExit(e: Exit): string {
  const parts: string[] = [e.kind];
  if (e.code !== undefined) parts.push(`code ${e.code}`);
  for (const k of ['cause', 'tval', 'epc'] as const) if (e[k] !== undefined) parts.push(`${k} 0x${BigInt(e[k]!).toString(16)}`);
  return parts.join(' ');
}

/** The exit and where it happened, as one line ("trap cause 0x3 tval 0x0 epc 0x80000004, at 0x...: ebreak"). */
export const describeStop = (e: Exit, s: StopPoint | undefined) => `${describeExit(e)}${s?.pc ? `, at ${s.pc}: ${s.instruction}` : ''}`;

/** Every difference after the first (the first is shown on its own line). */
export const furtherDifferences = (r: ResultRecord) => (r.differences ?? []).slice(1);

const SHOWN = 25;

export function describeFailure(r: ResultRecord): string[] {
  const out = [`${r.kind.toUpperCase()} ${r.suite} ${r.id} ${r.title}`, `    file: vectors/${r.file}`];
  if (r.reason) out.push(`    ${r.reason}`);
  if (r.difference) out.push(`    ${r.difference.where}: expected ${r.difference.expected}, got ${r.difference.actual}`);
  if (r.at) out.push(`    at ${r.at.pc}: ${r.at.instruction}`);
  for (const d of furtherDifferences(r)) out.push(`    ${d.where}: expected ${d.expected}, got ${d.actual}`);
  if (r.exits) out.push(`    stop expected: ${describeStop(r.exits.expected, r.stops?.expected)}`, `    stop actual:   ${describeStop(r.exits.actual, r.stops?.actual)}`);
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

export function renderPretty(hello: HelloMessage, records: ResultRecord[], summary: Summary): string {
  const out: string[] = [`devirt run: ${hello.name} ${hello.version}`];
  const bad = records.filter((r) => FAILING_KINDS.has(r.kind));
  for (const r of bad.slice(0, SHOWN)) out.push(...describeFailure(r));
  if (bad.length > SHOWN) out.push(`... and ${bad.length - SHOWN} more (--reporter json lists them all)`);
  if (bad.length) out.push('');
  const rows = [['suite', 'total', ...KINDS]];
  for (const [suite, c] of Object.entries(summary.bySuite)) rows.push([suite, String(c.total), ...KINDS.map((k) => String(c[k]))]);
  rows.push(['all', String(summary.total.total), ...KINDS.map((k) => String(summary.total[k]))]);
  out.push(...table(rows));
  out.push(ranLine(summary));
  for (const note of summary.notes ?? []) out.push(note);
  out.push(summary.failed ? 'FAILED' : 'OK');
  return out.join('\n') + '\n';
}
