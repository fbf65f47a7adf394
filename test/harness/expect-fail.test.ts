// Expected-failure lists: listed failures are xfail (the run passes), a listed vector that
// passes is XPASS (the run fails), and a malformed list is a usage error.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyExpectation, parseExpectFail } from '../../harness/expect-fail';
import { devirt, nodeCmd } from './helpers';

describe('expected failures', () => {
  test('the list format: ids, reasons after #, comments and blank lines', () => {
    const m = parseExpectFail('# known bugs\n\nisa-1   # sraw sign\nisa-2\n', 'list.txt');
    expect([...m.entries()]).toEqual([['isa-1', { reason: 'sraw sign', where: 'list.txt:3' }], ['isa-2', { reason: '', where: 'list.txt:4' }]]);
    expect(() => parseExpectFail('isa 1\n', 'l')).toThrow("l:1: 'isa 1' is not a vector id");
    expect(() => parseExpectFail('isa-1\nisa-1\n', 'l')).toThrow('l:2: isa-1 is listed twice (first at l:1)');
  });

  test('listed failures become xfail, listed passes xpass, skips stay skips', () => {
    const listed = { reason: 'ticket 7', where: 'l:1' };
    expect(applyExpectation({ kind: 'fail' }, listed)).toEqual({ kind: 'xfail', reason: 'expected failure: ticket 7; fail' });
    expect(applyExpectation({ kind: 'crash', reason: 'exited' }, listed)).toEqual({ kind: 'xfail', reason: 'expected failure: ticket 7; crash: exited' });
    expect(applyExpectation({ kind: 'pass' }, listed).kind).toBe('xpass');
    expect(applyExpectation({ kind: 'skip', reason: 'r' }, listed)).toEqual({ kind: 'skip', reason: 'r' });
    expect(applyExpectation({ kind: 'fail' }, undefined)).toEqual({ kind: 'fail' });
  });

  test('end to end: a list of the failures makes the run pass; a stale entry makes it fail (XPASS)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-xfail-'));
    try {
      const impl = ['--impl-cmd', nodeCmd('harness/controls/wrong-answers.js'), '--filter', 'isa/srliw', '--jobs', '1'];
      const first = devirt(['run', ...impl, '--reporter', 'json']);
      expect(first.status).toBe(1);
      const doc = JSON.parse(first.stdout);
      const failing: string[] = doc.results.filter((r: { kind: string }) => r.kind === 'fail').map((r: { id: string }) => r.id);
      expect(failing.length).toBeGreaterThan(0);
      const list = path.join(dir, 'expected.txt');
      fs.writeFileSync(list, failing.map((id) => `${id}  # off by one, on purpose`).join('\n') + '\n');
      const second = devirt(['run', ...impl, '--reporter', 'tap', '--expect-fail', list]);
      expect(second.status).toBe(0);
      expect(second.stdout.match(/# TODO expected failure: off by one, on purpose/g)).toHaveLength(failing.length);

      // Against the reference every listed vector passes: each one is an XPASS and the run fails.
      const third = devirt(['run', '--filter', 'isa/srliw', '--jobs', '1', '--reporter', 'json', '--expect-fail', list]);
      expect(third.status).toBe(1);
      const xpass = JSON.parse(third.stdout).results.filter((r: { kind: string }) => r.kind === 'xpass');
      expect(xpass.map((r: { id: string }) => r.id).sort()).toEqual([...failing].sort());

      fs.writeFileSync(list, 'not an id!\n');
      const bad = devirt(['run', '--filter', 'isa/srliw', '--expect-fail', list]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain(`${list}:1: 'not an id!' is not a vector id`);
      expect(devirt(['run', '--expect-fail', path.join(dir, 'missing.txt')]).status).toBe(2);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});
