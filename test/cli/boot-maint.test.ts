// `devirt boot` with a maintenance instance (conformance/maintenance-sbi.md, out-of-band path):
// --maint-kernel placed in the partition and created and started through the doorbell at
// --maint-at, with --maint-append as its command line; its console on stderr as prefixed lines
// or in a file (--maint-console); --trace names the instance that runs; bad flags are one line.

import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXIT } from '../../cli/exit-codes';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/devirt.js');
const G = path.join(ROOT, 'reference/guests/instances/build');
const TICKER = path.join(G, 'ticker.elf'), SECOND = path.join(G, 'second.elf'), FIRST = path.join(G, 'first.elf');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-maint-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const boot = (args: string[]): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, [BIN, 'boot', '--mem', '64M', ...args], { encoding: 'utf8', timeout: 120_000 });
const MAINT = ['--kernel', TICKER, '--maint-kernel', SECOND, '--maint-at', '30000', '--maint-append', 'console=hvc0 from-cli', '--max-insns', '6000000'];

test('instance 1 boots beside instance 0; its console goes to stderr, each line prefixed', () => {
  const r = boot(MAINT);
  expect(r.status).toBe(EXIT.hang);   // the ticker never ends: --max-insns stops the run
  expect(r.stdout).toMatch(/^ticker: start\ntick 10\n/);
  expect(r.stdout).not.toMatch(/second/);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('[instance 1] '));
  expect(lines[0]).toBe('[instance 1] second: hartid 0 satp 0x0 sie 0 fdt in partition 1');
  expect(lines).toContain('[instance 1] fdt: chosen bootargs console=hvc0 from-cli');
  expect(lines).toContain('[instance 1] ready 0 0x0');
  expect(r.stderr).toMatch(/^devirt: stopped after --max-insns 6000000 instructions/m);
});

test('--maint-console FILE takes the lines as written; --doorbell-log shows the three rings', () => {
  const file = path.join(dir, 'console1.txt');
  const r = boot([...MAINT, '--maint-console', file, '--doorbell-log']);
  expect(r.status).toBe(EXIT.hang);
  expect(r.stderr).not.toMatch(/\[instance 1\]/);
  expect(r.stderr).toMatch(/doorbell virtualize delivered at instruction 30000\n.*doorbell create delivered at instruction 130000\n.*doorbell start delivered at instruction 230000\n/s);
  const text = fs.readFileSync(file, 'utf8');
  expect(text.split('\n')[0]).toBe('second: hartid 0 satp 0x0 sie 0 fdt in partition 1');
  expect(text).toMatch(/^ready 0 0x0$/m);
});

test('an instance 1 created in band has its console on stderr too', () => {
  const r = boot(['--kernel', FIRST]);
  expect(r.status).toBe(0);   // the survivor's SRST: it is alone then
  expect(r.stdout).toMatch(/^first: retiring$/m);
  expect(r.stdout).not.toMatch(/second:/);
  expect(r.stderr).toMatch(/^\[instance 1\] second: done$/m);
});

test('--trace names the instance that runs', () => {
  const file = path.join(dir, 'trace.txt');
  const r = boot(['--kernel', FIRST, '-d', 'int', '-D', file]);
  expect(r.status).toBe(0);
  const notes = fs.readFileSync(file, 'utf8').split('\n').filter((l) => /^devirt: instance \d runs$/.test(l));
  // Instance 1 is started, the two alternate, and instance 1 is the one left.
  expect(notes[0]).toBe('devirt: instance 1 runs');
  expect(notes).toContain('devirt: instance 0 runs');
  expect(notes[notes.length - 1]).toBe('devirt: instance 1 runs');
  notes.forEach((n, i) => { if (i) expect(n).not.toBe(notes[i - 1]); });
});

test('bad maintenance flags are refused with one line', () => {
  const cases: [string[], RegExp][] = [
    [['--kernel', TICKER, '--maint-at', '1000'], /^devirt: --maint-at: needs --maint-kernel IMAGE/],
    [['--kernel', TICKER, '--maint-append', 'x'], /^devirt: --maint-append: needs --maint-kernel IMAGE/],
    [['--kernel', TICKER, '--maint-kernel', SECOND], /^devirt: --maint-kernel: needs --maint-at N/],
    [['--kernel', TICKER, '--maint-kernel', SECOND, '--maint-at', '2ms'], /^devirt: --maint-at: '2ms' is not an instruction count/],
    [['--kernel', TICKER, '--maint-kernel', path.join(dir, 'nope'), '--maint-at', '1000'], /^devirt: --maint-kernel: cannot read .*nope: ENOENT/],
    [['--kernel', TICKER, '--maint-kernel', SECOND, '--maint-at', '1000', '--doorbell', '5:virtualize'], /^devirt: --maint-at: cannot be combined with --doorbell/],
    [['--kernel', TICKER, '--maint-kernel', SECOND, '--maint-at', '1000', '--maint-console', path.join(dir, 'no/such/dir/f')], /^devirt: --maint-console: cannot write .*ENOENT/],
  ];
  for (const [args, message] of cases) {
    const r = boot(args);
    expect({ args, status: r.status, stderr: r.stderr.trimEnd().split('\n').length }).toEqual({ args, status: EXIT.usage, stderr: 1 });
    expect(r.stderr).toMatch(message);
  }
});
