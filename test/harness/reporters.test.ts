// Reporters: TAP 14 that a real TAP parser (tap-parser, which tap-junit uses) accepts, JUnit XML
// that parses, a JSON summary whose records match the result schema, and the human view.

import { Parser } from 'tap-parser';
import { convert } from 'xmlbuilder2';
import { REFERENCE_HELLO } from '../../harness/adapters/reference';
import { renderJson } from '../../harness/reporters/json';
import { renderJunit } from '../../harness/reporters/junit';
import { renderPretty } from '../../harness/reporters/pretty';
import { renderTap } from '../../harness/reporters/tap';
import { runSuite } from '../../harness/run-suite';
import { summarize } from '../../harness/summary';
import type { ResultRecord } from '../../vectors/schema/types';
import { check } from '../../vectors/schema/validate';
import { sample } from './helpers';

const base = { suite: 'isa', file: 'isa/add.json' };
const INFO = { devirt: '0.1.0', selection: { suites: null, filters: [] }, shard: null, selectionDigest: '0'.repeat(64), selectionSize: 8, interrupted: null, startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1 };
const RECORDS: ResultRecord[] = [
  { ...base, id: 'isa-1', title: 'add: plain', kind: 'pass' },
  { ...base, id: 'isa-2', title: 'add: with # and \\ in the title', kind: 'fail', difference: { where: 'x7', expected: '0x0000000000000002', actual: '0x0000000000000003' }, at: { pc: '0x0000000080000000', instruction: 'add t2, t0, t1' },
    trace: { step: 0, pc: '0x0000000080000000', instruction: 'add t2, t0, t1', difference: { where: 'x7', expected: '0x2', actual: '0x3' }, shrunk: 'out/shrunk-isa-2.json' } },
  { ...base, id: 'isa-3', title: 'add: needs c', kind: 'skip', reason: 'needs c (not among the implementation\'s capabilities)' },
  { ...base, id: 'isa-4', title: 'add: known bug', kind: 'xfail', reason: 'expected failure: ticket 7; fail', difference: { where: 'x7', expected: '0x1', actual: '0x2' } },
  { ...base, id: 'isa-5', title: 'add: fixed bug', kind: 'xpass', reason: 'listed as an expected failure (list:3) but passed: remove it from the list' },
  { ...base, suite: 'priv', file: 'priv/x.json', id: 'priv-6', title: 'broken vector', kind: 'error', reason: 'priv/x.json: priv-6: /inputs/hart/pc: is required' },
  { ...base, id: 'isa-7', title: 'add: crash', kind: 'crash', reason: 'the implementation exited with code 70' },
  { ...base, id: 'isa-8', title: 'add: hang', kind: 'timeout', reason: 'no answer within 10 ms' },
];

function parseTap(text: string): Promise<{ asserts: any[]; final: any }> {
  return new Promise((resolve) => {
    const asserts: any[] = [];
    const p = new Parser();
    p.on('assert', (a: any) => asserts.push(a));
    p.on('complete', (final: any) => resolve({ asserts, final }));
    p.end(text);
  });
}

describe('reporters', () => {
  const summary = summarize(RECORDS);

  test('TAP 14 parses, with one test point per result and the right directives', async () => {
    const tap = renderTap(REFERENCE_HELLO, RECORDS, summary);
    expect(tap.startsWith('TAP version 14\n')).toBe(true);
    const { asserts, final } = await parseTap(tap);
    expect(final.plan).toMatchObject({ start: 1, end: RECORDS.length });
    expect(final.count).toBe(RECORDS.length);
    expect(asserts.map((a) => a.ok)).toEqual([true, false, true, false, false, false, false, false]);
    expect(asserts[1].name).toBe('isa isa-2 add: with # and \\ in the title');
    expect(asserts[1].diag).toMatchObject({ id: 'isa-2', kind: 'fail', where: 'x7', expected: '0x0000000000000002', actual: '0x0000000000000003', at: '0x0000000080000000: add t2, t0, t1' });
    expect(asserts[1].diag.trace).toMatchObject({ step: 0, where: 'x7', shrunk: 'out/shrunk-isa-2.json' });
    expect(asserts[2].skip).toBe('needs c (not among the implementation\'s capabilities)');
    expect(asserts[3].todo).toBe('expected failure: ticket 7; fail');
    expect(final.ok).toBe(false);
    expect(final.fail - final.todo).toBe(5);
  });

  test('TAP of a real run parses and passes', async () => {
    const r = await runSuite({ items: sample(200), selection: {}, spec: { kind: 'reference' }, jobs: 1 });
    const { final } = await parseTap(renderTap(r.hello, r.records, r.summary));
    expect(final.ok).toBe(true);
    expect(final.count).toBe(r.records.length);
    expect(final.pass).toBe(r.records.length);
  });

  test('JUnit XML parses, with failures, errors and skips where TAP has them', () => {
    const xml = renderJunit(REFERENCE_HELLO, RECORDS, summary);
    const doc = convert(xml, { format: 'object' }) as any;
    expect(Number(doc.testsuites['@tests'])).toBe(RECORDS.length);
    expect(Number(doc.testsuites['@failures'])).toBe(2);
    expect(Number(doc.testsuites['@errors'])).toBe(3);
    expect(Number(doc.testsuites['@skipped'])).toBe(2);
    const isa = doc.testsuites.testsuite.find((s: any) => s['@name'] === 'isa');
    const cases: any[] = isa.testcase;
    expect(cases).toHaveLength(RECORDS.length - 1);
    expect(cases[0].failure).toBeUndefined();
    expect(cases[1].failure['@message']).toContain('x7: expected 0x0000000000000002');
    expect(cases[2].skipped).toBeDefined();
    expect(cases[3].skipped).toBeDefined();
    expect(cases[4].failure['#']).toContain('remove it from the list');
  });

  test('the JSON report counts by suite and lists every result, valid by the schema', () => {
    const doc = JSON.parse(renderJson(REFERENCE_HELLO, RECORDS, summary, INFO));
    expect(doc.total).toMatchObject({ total: 8, pass: 1, fail: 1, skip: 1, xfail: 1, xpass: 1, error: 1, crash: 1, timeout: 1 });
    expect(doc.bySuite.priv).toMatchObject({ total: 1, error: 1 });
    expect(doc.failed).toBe(true);
    expect(doc.results.map((r: ResultRecord) => r.id)).toEqual(RECORDS.map((r) => r.id));
    for (const r of doc.results) expect(check('result', r)).toBeNull();
    expect(check('report', doc)).toBeNull();
  });

  test('the human view shows the difference, the instruction and a table by suite', () => {
    const text = renderPretty(REFERENCE_HELLO, RECORDS, summary);
    expect(text).toContain('x7: expected 0x0000000000000002, got 0x0000000000000003');
    expect(text).toContain('at 0x0000000080000000: add t2, t0, t1');
    expect(text).toMatch(/^isa +7 +1 +1 +0 +1 +1 +1 +1 +1$/m);
    expect(text).toMatch(/^priv +1 +0 +0 +1 /m);
    expect(text.trimEnd().endsWith('FAILED')).toBe(true);
  });
});
