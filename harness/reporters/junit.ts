// JUnit XML as CI dashboards read it: one <testsuite> per vector suite, one <testcase> per vector
// with its family (the vector file) as classname and its time, the failure's text in the element
// body with a one-line message. An expected failure has no JUnit state of its own: it is skipped
// with the reason. An interrupted run says so: the vectors it never started are skipped with the
// reason, and one <error> case names the signal, so the report can never look green.
//
// Written with xmlbuilder2 (tap-junit's serializer, which this used to go through, writes a single
// testsuite without classnames, times or body text).

import { create } from 'xmlbuilder2';
import type { HelloMessage, ResultRecord } from '../../vectors/schema/types';
import type { RunInfo } from '../run-info';
import { FAILING_KINDS, notRun, ranLine, Summary } from '../summary';
import { describeFailure } from './pretty';

/** XML 1.0 forbids most control characters even escaped: a broken vector file can carry them. */
const clean = (s: string) => s.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** "isa/rv64i/add.json" -> "isa.rv64i.add": the family a vector belongs to. */
export const classnameOf = (file: string) => file.replace(/\.json$/, '').split('/').join('.');

const ERROR_KINDS = new Set(['error', 'crash', 'timeout']);

function testcase(r: ResultRecord): Record<string, unknown> {
  const el: Record<string, unknown> = { '@name': clean(`${r.id} ${r.title}`), '@classname': clean(classnameOf(r.file)), '@time': ((r.ms ?? 0) / 1000).toFixed(3) };
  const detail = clean(describeFailure(r).slice(1).map((l) => l.trim()).join('\n'));
  const message = clean(r.difference ? `${r.difference.where}: expected ${r.difference.expected}, got ${r.difference.actual}` : (r.reason ?? r.kind));
  if (r.kind === 'skip' || r.kind === 'xfail') el.skipped = { '@message': clean(r.reason ?? r.kind) };
  else if (ERROR_KINDS.has(r.kind)) el.error = { '@type': r.kind, '@message': message, '#': detail };
  else if (FAILING_KINDS.has(r.kind)) el.failure = { '@type': r.kind, '@message': message, '#': detail };
  return el;
}

function counts(records: ResultRecord[]) {
  const failures = records.filter((r) => r.kind === 'fail' || r.kind === 'xpass').length;
  const errors = records.filter((r) => ERROR_KINDS.has(r.kind)).length;
  const skipped = records.filter((r) => r.kind === 'skip' || r.kind === 'xfail').length;
  const time = (records.reduce((a, r) => a + (r.ms ?? 0), 0) / 1000).toFixed(3);
  return { '@tests': records.length, '@failures': failures, '@errors': errors, '@skipped': skipped, '@time': time };
}

export function renderJunit(hello: HelloMessage, records: ResultRecord[], summary: Summary, info?: RunInfo): string {
  const bySuite = new Map<string, ResultRecord[]>();
  for (const r of records) bySuite.set(r.suite, [...(bySuite.get(r.suite) ?? []), r]);
  const suites = [...bySuite].map(([name, rs]) => ({ '@name': clean(name), ...counts(rs), testcase: rs.map(testcase) }));
  if (summary.interrupted) {
    const missing = records.filter(notRun).length;
    suites.push({ '@name': 'devirt', '@tests': 1, '@failures': 0, '@errors': 1, '@skipped': 0, '@time': '0.000',
      testcase: [{ '@name': 'run completed', '@classname': 'devirt.run', '@time': '0.000', error: { '@type': 'interrupted', '@message': `interrupted by ${summary.interrupted}: ${missing} vectors not run`, '#': `the run was stopped by ${summary.interrupted} before ${missing} of ${records.length} vectors started; this report is partial` } }] });
  }
  // An exceeded --max-skips is one more failing case, so CI fails on it as on a failing vector.
  const over = summary.skipLimit?.exceeded ? summary.skipLimit : undefined;
  if (over) {
    suites.push({ '@name': 'devirt', '@tests': 1, '@failures': 1, '@errors': 0, '@skipped': 0, '@time': '0.000',
      testcase: [{ '@name': `--max-skips ${over.limit}`, '@classname': 'devirt.run', '@time': '0.000', failure: { '@type': 'max-skips', '@message': `${over.skipped} vectors skipped, more than allowed`, '#': clean(ranLine(summary)) } }] });
  }
  const all = counts(records);
  const root: Record<string, unknown> = {
    testsuites: {
      '@name': clean(`devirt run: ${hello.name} ${hello.version}${info?.shard ? ` (shard ${info.shard.index}/${info.shard.count})` : ''}`),
      ...all, '@failures': all['@failures'] + (over ? 1 : 0), '@errors': all['@errors'] + (summary.interrupted ? 1 : 0),
      // How many ran (JUnit's counts mix skips and expected failures).
      properties: { property: [{ '@name': 'devirt.ran', '@value': clean(ranLine(summary)) }] },
      testsuite: suites,
    },
  };
  return create({ version: '1.0', encoding: 'UTF-8' }, root).end({ prettyPrint: true }) + '\n';
}
