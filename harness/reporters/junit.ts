// JUnit XML for CI, made from the TAP stream by tap-junit: the TAP is parsed back with
// tap-parser (the parser tap-junit uses) and serialized by tap-junit's own serializer.

import { Parser } from 'tap-parser';
import type { HelloMessage, ResultRecord } from '../../vectors/schema/types';
import { ranLine, Summary } from '../summary';
import { renderTap } from './tap';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const serialize: (cases: unknown[], output: { count: number; fail: number; skip: number }, args: { name: string; classname: string; pretty: boolean }) => string = require('tap-junit/src/serialize');

interface Assert { ok: boolean; id: number; name: string; skip: string | boolean; todo: string | boolean; diag: Record<string, unknown> | null }

export function renderJunit(hello: HelloMessage, records: ResultRecord[], summary: Summary): string {
  const tap = renderTap(hello, records, summary);
  const cases: Assert[] = [];
  const parser = new Parser();
  parser.on('assert', (a: Assert) => cases.push(a));
  parser.end(tap);
  // An expected failure (TAP TODO) is not a CI failure: JUnit has no such state, so it is skipped.
  const mapped = cases.map((c) => (c.todo ? { ...c, skip: c.todo, ok: true } : c));
  const output = { count: mapped.length, fail: mapped.filter((c) => !c.ok && !c.skip).length, skip: mapped.filter((c) => c.skip).length };
  const xml = serialize(mapped, output, { name: `devirt run: ${hello.name} ${hello.version}`, classname: 'devirt', pretty: true });
  // XML 1.0 forbids most control characters even escaped; a broken vector file can put them in an
  // id or a message, and one would make the whole report unparseable.
  const escaped = ranLine(summary).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  // How many ran (JUnit's counts mix skips and expected failures): a property of the suite.
  const withRan = xml.replace(/(<testsuite [^>]*>)/, `$1\n    <properties><property name="devirt.ran" value="${escaped}"/></properties>`);
  return withRan.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
}
