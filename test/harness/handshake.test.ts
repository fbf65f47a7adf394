// Handshake honesty (issue 8): a capability outside the vocabulary fails the handshake naming the
// word, --max-skips fails a run that skipped too much, every reporter says how many vectors ran,
// and a failed start shows the implementation's last stderr lines, not only "Node.js v20...".

import { Parser } from 'tap-parser';
import { unknownCapabilities } from '../../harness/capabilities';
import { parseHello } from '../../harness/adapters/external';
import { REFERENCE_HELLO } from '../../harness/adapters/reference';
import { renderJson } from '../../harness/reporters/json';
import { renderJunit } from '../../harness/reporters/junit';
import { renderPretty } from '../../harness/reporters/pretty';
import { renderTap } from '../../harness/reporters/tap';
import { summarize } from '../../harness/summary';
import type { ResultRecord } from '../../vectors/schema/types';
import { devirt, nodeCmd } from './helpers';

const helloCmd = (capabilities: string[]) =>
  `echo '${JSON.stringify({ type: 'hello', protocol: 1, name: 'typo', version: '1', capabilities })}'; sleep 5`;

describe('handshake', () => {
  test('an unknown capability is a handshake error naming the word (exit 2), not a run that skips everything', () => {
    const r = devirt(['run', '--impl-cmd', helloCmd(['state', 'RV64I', 'M']), '--filter', 'isa/add.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^devirt: --impl-cmd: bad handshake: \/capabilities: unknown capabilities 'RV64I' \(did you mean 'rv64i'\?\), 'M' \(did you mean 'm'\?\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  test('the vocabulary is harness/capabilities.ts: every name the reference declares is known', () => {
    expect(unknownCapabilities(REFERENCE_HELLO.capabilities)).toBeNull();
    expect(unknownCapabilities(['state', 'zicsr', 'stepp'])).toMatch(/^unknown capability 'stepp' \(known: /);
    expect(parseHello(JSON.stringify({ ...REFERENCE_HELLO, capabilities: ['state', 'Zicsr'] }))).toMatch(/'Zicsr' \(did you mean 'zicsr'\?\)/);
  });

  test('a failed start shows the last stderr lines: the error, not only "Node.js v20"', () => {
    const r = devirt(['run', '--impl-cmd', `node -e 'throw new Error("the model file is missing")'`, '--filter', 'isa/add.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/exited with code 1 \(stderr, last lines: .*Error: the model file is missing \| Node\.js v\d+/);
  });
});

describe('--max-skips', () => {
  const withoutC = nodeCmd('harness/controls/without-c.js');

  test('fails the run when more vectors are skipped than allowed, and says so', () => {
    const r = devirt(['run', '--impl-cmd', withoutC, '--filter', 'isa/rvc/c.addi', '--max-skips', '3', '--jobs', '1']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^not ok \d+ - devirt --max-skips 3: \d+ vectors skipped, more than allowed$/m);
    expect(r.stderr).toMatch(/^devirt run: 0 of (\d+) vectors ran \(\1 skipped\); --max-skips 3: \1 skipped, more than allowed: the run fails$/m);
  });

  test('a share: P% of the selection', () => {
    // add.json and addw.json run, c.add is skipped: about a third of the vectors.
    const args = ['run', '--impl-cmd', withoutC, '--filter', 'add', '--suite', 'isa', '--jobs', '1', '--reporter', 'json'];
    const share = (r: { stdout: string }) => { const d = JSON.parse(r.stdout); return (100 * d.skipLimit.skipped) / d.total.total; };
    const over = devirt([...args, '--max-skips', '1%']);
    expect(over.status).toBe(1);
    expect(JSON.parse(over.stdout).skipLimit).toMatchObject({ limit: '1%', exceeded: true });
    const s = share(over);
    expect(s).toBeGreaterThan(1);
    const within = devirt([...args, '--max-skips', `${Math.ceil(s)}%`]);
    expect(within.status).toBe(0);
    expect(JSON.parse(within.stdout).skipLimit).toMatchObject({ exceeded: false });
  });

  test('within the limit the run passes; without the flag skips never fail a run', () => {
    expect(devirt(['run', '--impl-cmd', withoutC, '--filter', 'isa/addw.json', '--max-skips', '0', '--jobs', '1']).status).toBe(0);
    expect(devirt(['run', '--impl-cmd', withoutC, '--filter', 'isa/rvc/c.addi', '--jobs', '1']).status).toBe(0);
  });

  test.each([['x'], ['-1'], ['101%'], ['5%%']])('--max-skips %s is a usage error', (v) => {
    const r = devirt(['run', '--max-skips', v, '--filter', 'isa/add.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`devirt: --max-skips: bad value '${v}' (a count N, or a share P% with P at most 100)\n`);
  });
});

describe('every reporter says how many vectors ran', () => {
  const base = { suite: 'isa', file: 'isa/add.json' };
  const records: ResultRecord[] = [
    { ...base, id: 'isa-1', title: 'a', kind: 'pass' },
    { ...base, id: 'isa-2', title: 'b', kind: 'skip', reason: 'needs c (not among the implementation\'s capabilities)' },
    { ...base, id: 'isa-3', title: 'c', kind: 'skip', reason: 'needs c (not among the implementation\'s capabilities)' },
    { ...base, id: 'isa-4', title: 'd', kind: 'fail', difference: { where: 'x7', expected: '0x1', actual: '0x2' } },
  ];
  const summary = summarize(records, { max: 1 });
  const line = '2 of 4 vectors ran (2 skipped); --max-skips 1: 2 skipped, more than allowed: the run fails';

  test('pretty, TAP, JUnit and JSON', async () => {
    expect(renderPretty(REFERENCE_HELLO, records, summary)).toContain(`\n${line}\n`);
    const tap = renderTap(REFERENCE_HELLO, records, summary);
    expect(tap).toContain(`\n# ${line}\n`);
    const asserts: { ok: boolean }[] = [];
    await new Promise<void>((resolve) => { const p = new Parser(); p.on('assert', (a: { ok: boolean }) => asserts.push(a)); p.on('complete', () => resolve()); p.end(tap); });
    expect(asserts).toHaveLength(5); // the four vectors and the --max-skips point
    expect(renderJunit(REFERENCE_HELLO, records, summary)).toContain(`<property name="devirt.ran" value="${line}"/>`);
    const json = JSON.parse(renderJson(REFERENCE_HELLO, records, summary));
    expect(json).toMatchObject({ ran: 2, skipLimit: { limit: '1', skipped: 2, exceeded: true }, failed: true });
  });

  test('a duplicate is not counted against --max-skips', () => {
    const dup: ResultRecord = { ...base, id: 'isa-5', title: 'e', kind: 'skip', reason: 'duplicate: the same test as isa-1 in isa/add.json' };
    expect(summarize([records[0], dup], { max: 0 }).skipLimit).toEqual({ limit: '0', skipped: 0, exceeded: false });
  });
});
