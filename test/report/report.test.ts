// The JSON report and what `devirt report` makes of it: shards merged back into the unsharded
// run (and refused when a shard is missing, repeated or from another run), two runs compared,
// expected-failure lists generated from a report, JUnit as dashboards read it, interrupted runs
// that never look green, and TAP streamed so that a reader that goes away stops the run.

import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Parser } from 'tap-parser';
import { convert } from 'xmlbuilder2';
import { readReport, ReportDocument } from '../../harness/report/document';
import { diffReports } from '../../harness/report/diff';
import { mergeReports } from '../../harness/report/merge';
import { renderJunit } from '../../harness/reporters/junit';
import { renderPretty } from '../../harness/reporters/pretty';
import { renderTap } from '../../harness/reporters/tap';
import { NOT_RUN, summarize } from '../../harness/summary';
import type { ResultRecord } from '../../vectors/schema/types';
import { check } from '../../vectors/schema/validate';
import { devirt, DIST, nodeCmd, ROOT } from '../harness/helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-report-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const at = (name: string) => path.join(tmp, name);
const SELECT = ['--suite', 'isa', 'priv', '--filter', 'sra'];

function run(out: string, extra: string[] = []): ReportDocument {
  const r = devirt(['run', ...SELECT, '--jobs', '1', '--reporter', 'json', '--out', out, ...extra]);
  expect([0, 1]).toContain(r.status);
  return readReport(out);
}

const comparable = (doc: ReportDocument) => doc.results.map(({ ms: _ms, ...r }) => r).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : (a.reason ?? '').localeCompare(b.reason ?? '')));

describe('devirt report merge', () => {
  let whole: ReportDocument;
  const shards: string[] = [];
  beforeAll(() => {
    whole = run(at('whole.json'));
    for (let i = 1; i <= 3; i++) { shards.push(at(`shard-${i}.json`)); run(shards[i - 1], ['--shard', `${i}/3`]); }
  });

  test('the JSON report is valid by its schema and lists every vector, passes included', () => {
    expect(check('report', whole)).toBeNull();
    expect(whole.results.length).toBe(whole.total.total);
    expect(whole.results.length).toBe(whole.run.selectionSize);
    expect(whole.total.pass).toBeGreaterThan(100);
    expect(whole.run.shard).toBeNull();
  });

  test('three shards merge into exactly the unsharded run', () => {
    const r = devirt(['report', 'merge', ...shards, '--out', at('merged.json')]);
    expect(r.status).toBe(0);
    const merged = readReport(at('merged.json'));
    expect(comparable(merged)).toEqual(comparable(whole));
    expect(merged.total).toEqual(whole.total);
    expect(merged.run.merged).toEqual(shards);
    expect(merged.run.selectionDigest).toBe(whole.run.selectionDigest);
  });

  test('a missing shard, a repeated shard and a shard of another selection are refused by name (exit 2)', () => {
    const missing = devirt(['report', 'merge', shards[0], shards[2]]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/shard 2\/3 missing/);
    const twice = devirt(['report', 'merge', shards[0], shards[0], shards[1], shards[2]]);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/shard 1\/3 again/);
    const other = JSON.parse(fs.readFileSync(shards[1], 'utf8'));
    other.run.selectionDigest = 'f'.repeat(64);
    fs.writeFileSync(at('other.json'), JSON.stringify(other));
    const foreign = devirt(['report', 'merge', shards[0], at('other.json'), shards[2]]);
    expect(foreign.status).toBe(2);
    expect(foreign.stderr).toMatch(/other\.json: vector set \(selection digest\)/);
    const version = JSON.parse(fs.readFileSync(shards[1], 'utf8'));
    version.implementation.version = '9.9.9';
    fs.writeFileSync(at('version.json'), JSON.stringify(version));
    expect(() => mergeReports([shards[0], at('version.json'), shards[2]])).toThrow(/version\.json: implementation/);
  });

  test('a file that is not a report is one line naming it', () => {
    fs.writeFileSync(at('junk.json'), '{"vectors": []}');
    const r = devirt(['report', 'merge', at('junk.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/junk\.json: not a devirt JSON report/);
  });

  test('merged shards render as JUnit and HTML too', () => {
    expect(devirt(['report', 'merge', ...shards, '--reporter', 'junit', '--out', at('merged.xml')]).status).toBe(0);
    const doc = convert(fs.readFileSync(at('merged.xml'), 'utf8'), { format: 'object' }) as any;
    expect(Number(doc.testsuites['@tests'])).toBe(whole.total.total);
  });
});

describe('devirt report diff and expect-fail', () => {
  let good: string, bad: string;
  beforeAll(() => {
    good = at('good.json'); bad = at('bad.json');
    run(good);
    run(bad, ['--impl-cmd', nodeCmd('harness/controls/wrong-answers.js')].filter(() => true));
  });

  test('a new failure fails the diff (exit 1) and is listed; the reverse lists it as fixed (exit 0)', () => {
    const worse = devirt(['report', 'diff', good, bad]);
    expect(worse.status).toBe(1);
    expect(worse.stdout).toMatch(/^new failures \(\d+\):/m);
    const better = devirt(['report', 'diff', bad, good, '--json']);
    expect(better.status).toBe(0);
    const d = JSON.parse(better.stdout);
    expect(d.newFailures).toHaveLength(0);
    expect(d.fixed.length).toBe(readReport(bad).total.fail);
  });

  test('added and removed vectors are told apart from changed results', () => {
    const a = readReport(good), b = readReport(good);
    b.results = b.results.slice(1);
    b.results.push({ ...b.results[0], id: 'isa-new-vector', kind: 'fail' });
    const d = diffReports(a, b);
    expect(d.removed.map((c) => c.id)).toEqual([a.results[0].id]);
    expect(d.newFailures.map((c) => c.id)).toEqual(['isa-new-vector']);
  });

  test('an expected-failure list made from a report turns those failures into xfail', () => {
    const list = devirt(['report', 'expect-fail', bad]);
    expect(list.status).toBe(0);
    fs.writeFileSync(at('expected.txt'), list.stdout);
    const again = devirt(['run', ...SELECT, '--jobs', '1', '--impl-cmd', nodeCmd('harness/controls/wrong-answers.js'), '--expect-fail', at('expected.txt'), '--reporter', 'json', '--out', at('again.json')]);
    expect(again.status).toBe(0);
    const doc = readReport(at('again.json'));
    expect(doc.total.fail).toBe(0);
    expect(doc.total.xfail).toBe(readReport(bad).total.fail);
  });
});

describe('JUnit and interrupted runs', () => {
  const base = { file: 'isa/rv64i/sra.json', title: 't' };
  const RECORDS: ResultRecord[] = [
    { ...base, suite: 'isa', id: 'isa-1', kind: 'pass', ms: 12 },
    { ...base, suite: 'isa', id: 'isa-2', kind: 'fail', difference: { where: 'x7', expected: '0x1', actual: '0x2' }, at: { pc: '0x0000000080000000', instruction: 'sra t2, t0, t1' } },
    { ...base, suite: 'priv', file: 'priv/csr.json', id: 'priv-3', kind: 'crash', reason: 'the implementation exited with code 70' },
    { ...base, suite: 'priv', file: 'priv/csr.json', id: 'priv-4', kind: 'skip', reason: `${NOT_RUN} (SIGINT)` },
  ];
  const info = { devirt: '0', selection: { suites: null, filters: [] }, shard: null, selectionDigest: '0'.repeat(64), selectionSize: 4, interrupted: null, startedAt: '', durationMs: 0 };

  test('one testsuite per suite, classname by family, time per case, the failure text in the body', () => {
    const hello = { type: 'hello' as const, protocol: 1 as const, name: 'x', version: '1', capabilities: [] };
    const xml = renderJunit(hello, RECORDS.slice(0, 3), summarize(RECORDS.slice(0, 3)), info);
    const doc = convert(xml, { format: 'object' }) as any;
    const suites = doc.testsuites.testsuite;
    expect(suites.map((s: any) => s['@name'])).toEqual(['isa', 'priv']);
    const [pass, fail] = suites[0].testcase;
    expect(pass['@classname']).toBe('isa.rv64i.sra');
    expect(pass['@time']).toBe('0.012');
    expect(fail.failure['@message']).toBe('x7: expected 0x1, got 0x2');
    expect(fail.failure['#']).toContain('at 0x0000000080000000: sra t2, t0, t1');
    expect(suites[1].testcase.error['@type']).toBe('crash');
  });

  test('an interrupted run bails out in TAP, errors in JUnit and is not OK in the human view', async () => {
    const hello = { type: 'hello' as const, protocol: 1 as const, name: 'x', version: '1', capabilities: [] };
    const summary = summarize(RECORDS, undefined, 'SIGINT');
    expect(summary.failed).toBe(true);
    const tap = renderTap(hello, RECORDS, summary, { ...info, interrupted: 'SIGINT' });
    expect(tap).toMatch(/^Bail out! interrupted by SIGINT: 1 vectors not run$/m);
    expect(tap).not.toMatch(/# SKIP not run/);
    const final: any = await new Promise((resolve) => { const p = new Parser(); p.on('complete', resolve); p.end(tap); });
    expect(final.ok).toBe(false);
    expect(final.bailout).toBeTruthy();
    const junit = convert(renderJunit(hello, RECORDS, summary, { ...info, interrupted: 'SIGINT' }), { format: 'object' }) as any;
    const devirtSuite = junit.testsuites.testsuite.find((s: any) => s['@name'] === 'devirt');
    expect(devirtSuite.testcase.error['@message']).toMatch(/interrupted by SIGINT: 1 vectors not run/);
    const pretty = renderPretty(hello, RECORDS, summary, info);
    expect(pretty).toMatch(/INTERRUPTED by SIGINT/);
    expect(pretty.trimEnd().endsWith('FAILED')).toBe(true);
  });
});

describe('TAP is streamed', () => {
  test('a reader that goes away after one line stops the run long before its end (exit 141)', async () => {
    const count = at('requests');
    fs.writeFileSync(count, '');
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/devirt.js'), 'run', '--suite', 'isa', '--jobs', '1', '--impl-cmd', `node ${JSON.stringify(path.join(DIST, 'test/report/counting-impl.js'))}`],
      { cwd: ROOT, env: { ...process.env, DEVIRT_COUNT_FILE: count }, stdio: ['ignore', 'pipe', 'pipe'] });
    let first = '';
    const status = await new Promise<number | null>((resolve) => {
      child.stdout.once('data', (d: Buffer) => { first = d.toString(); child.stdout.destroy(); });
      child.on('exit', (code) => resolve(code));
    });
    expect(first.startsWith('TAP version 14\n')).toBe(true);
    expect(status).toBe(141);
    // The isa suite holds over 14,000 vectors; a streamed run notices the closed pipe within a chunk or two.
    expect(fs.readFileSync(count, 'utf8').length).toBeLessThan(1000);
  });
});
