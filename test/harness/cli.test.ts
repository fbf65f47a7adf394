// `devirt run` as a user runs it: exit codes 0 / 1 / 2, reporters, --out, and one-line errors.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { devirt, nodeCmd } from './helpers';

describe('devirt run', () => {
  test('passes on the reference with TAP when stdout is not a terminal', () => {
    const r = devirt(['run', '--filter', 'isa/mulh', '--jobs', '2']);
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('TAP version 14\n# devirt run: devirt-reference ')).toBe(true);
    expect(r.stdout).not.toMatch(/^not ok/m);
    expect(r.stderr).toMatch(/^devirt run: \d+ vectors in [\d.]+ s: \d+ pass, 0 failing/m);
  });

  test('exit 1 when an implementation fails; the pretty view names the failure', () => {
    const r = devirt(['run', '--impl-cmd', nodeCmd('harness/controls/wrong-answers.js'), '--filter', 'isa/addw', '--reporter', 'pretty', '--jobs', '1']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL isa isa-[0-9a-f]{16} addw: /m);
    expect(r.stdout).toMatch(/^ {4}x7: expected 0x[0-9a-f]{16}, got 0x[0-9a-f]{16}$/m);
    expect(r.stdout).toMatch(/^ {4}at 0x0000000080000000: addw t2, t0, t1$/m);
    expect(r.stdout).toMatch(/^ {4}stop expected: trap cause 0x3 tval 0x0 epc 0x80000004, at 0x0000000080000004: ebreak\n {4}stop actual: {3}trap cause 0x3 tval 0x0 epc 0x80000004, at 0x0000000080000004: ebreak$/m);
    expect(r.stdout).toMatch(/^\d+ of \d+ vectors ran \(0 skipped\)$/m);
    expect(r.stdout.trimEnd().endsWith('FAILED')).toBe(true);
  });

  test('--out writes the report to a file; junit is XML', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-cli-'));
    try {
      const out = path.join(dir, 'report.xml');
      const r = devirt(['run', '--filter', 'isa/lui', '--reporter', 'junit', '--out', out]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('');
      expect(fs.readFileSync(out, 'utf8')).toMatch(/^<\?xml version="1.0"( encoding="UTF-8")?\?>\s*<testsuites /);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });

  test.each([
    [['--reporter', 'xml'], "devirt: option '--reporter <name>' argument 'xml' is invalid"],
    [['--jobs', '0'], "--jobs: bad value '0' (a positive integer)"],
    [['--shard', '0/3'], "--shard: bad value '0/3' (I/N with 1 <= I <= N)"],
    [['--impl', 'spike'], "--impl: unknown implementation 'spike' (known: reference, qemu; or --impl-cmd \"COMMAND\")"],
    [['--impl', 'reference', '--impl-cmd', 'x'], '--impl and --impl-cmd exclude each other'],
    [['--suite', 'nosuch'], "--suite: no suite 'nosuch' (known: "],
    [['--impl-cmd', 'exit 3'], '--impl-cmd: the implementation exited with code 3 before its handshake'],
    [['--impl-cmd', 'echo hello'], '--impl-cmd: handshake is not JSON: "hello"'],
    [['--vectors', '/nonexistent'], '--vectors: no directory /nonexistent'],
    [['--trace-diff-limit', '5'], '--trace-diff-limit needs --trace-diff'],
    [['--trace-diff', '--trace-diff-limit', '0'], "--trace-diff-limit: bad value '0' (a positive integer)"],
  ])('usage error %j exits 2 with one line', (args, message) => {
    const r = devirt(['run', ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
