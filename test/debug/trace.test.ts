// `devirt boot -d ITEMS [-D FILE] [--trace-from N] [--trace-to N]` and `--trace`: QEMU's -d items
// and Spike's commit log, on tiny images built here and on committed guests.

import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Asm, R, RAM, elf } from '../cli/images';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/devirt.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-trace-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const BASIC = path.join(ROOT, 'reference/guests/sbi/build/basic.elf');

const boot = (args: string[]): SpawnSyncReturns<string> => spawnSync(process.execPath, [BIN, 'boot', ...args], { encoding: 'utf8', input: '', timeout: 120_000 });
const hello = path.join(dir, 'hello.elf');
fs.writeFileSync(hello, elf([{ addr: RAM, data: new Asm().print('hi\n').pass().bytes() }], { symbols: [{ name: '_start', value: RAM, size: 64 }] }));

test('-d exec: Spike\'s commit log, register and memory written', () => {
  const r = boot(['--bios', 'none', '--kernel', hello, '-d', 'exec']);
  expect(r.status).toBe(0);
  expect(r.stdout).toBe('hi\n');
  const lines = r.stderr.split('\n');
  // The boot ROM's first instruction: auipc t0, 0 at 0x1000 writes 0x1000 to x5.
  expect(lines).toContain('core   0: 3 0x0000000000001000 (0x00000297) x5  0x0000000000001000');
  // Each byte printed is a store to the UART with its value.
  const stores = lines.filter((l) => / mem 0x0000000010000000 0x[0-9a-f]{2}$/.test(l)).map((l) => String.fromCharCode(parseInt(l.slice(-2), 16)));
  expect(stores.join('')).toBe('hi\n');
  expect(lines).toContainEqual(expect.stringMatching(/^core {3}0: 3 0x0000000080000000 \(0x[0-9a-f]{8}\) x5  0x0000000010000000$/));
});

test('-d int: every trap with cause, epc and tval, as QEMU\'s riscv_cpu_do_interrupt line', () => {
  const r = boot(['--kernel', BASIC, '-d', 'int']);
  expect(r.status).toBe(0);
  const ints = r.stderr.split('\n').filter((l) => l.startsWith('riscv_cpu_do_interrupt:'));
  expect(ints.length).toBeGreaterThan(10);
  expect(ints).toContainEqual(expect.stringMatching(/^riscv_cpu_do_interrupt: hart:0, async:0, cause:0000000000000009, epc:0x00000000802[0-9a-f]{5}, tval:0x0000000000000000, desc=environment_call_from_S-mode \(from S\)$/));
  expect(r.stderr).not.toMatch(/^core/m); // no instruction lines
});

test('-d in_asm: each instruction once, where it is first run, under IN: headers', () => {
  const r = boot(['--kernel', BASIC, '-d', 'in_asm']);
  expect(r.status).toBe(0);
  const insns = r.stderr.split('\n').filter((l) => /^0x[0-9a-f]{16}: {2}/.test(l));
  expect(insns.length).toBeGreaterThan(500);
  expect(new Set(insns.map((l) => l.slice(0, 18))).size).toBe(insns.length);
  expect(r.stderr).toMatch(/^IN: main\n0x0000000080201[0-9a-f]{3}: {2}[0-9a-f]{4,8} +\S/m);
});

test('-D FILE takes the trace off stderr; --trace-from/--trace-to bound it by instruction counts', () => {
  const file = path.join(dir, 'window.log');
  const r = boot(['--kernel', BASIC, '-d', 'exec,cpu', '-D', file, '--trace-from', '100', '--trace-to', '150']);
  expect(r.status).toBe(0);
  expect(r.stderr).toBe('');
  const log = fs.readFileSync(file, 'utf8').split('\n');
  expect(log[0]).toBe('devirt: trace starts at instruction 100');
  expect(log).toContain('devirt: trace stops at instruction 150 (50 instructions traced)');
  expect(log.filter((l) => l.startsWith('core   0:'))).toHaveLength(50);
  expect(log.filter((l) => l.startsWith('cpu (start): pc'))).toHaveLength(1);
  expect(log.filter((l) => l.startsWith('cpu (stop): pc'))).toHaveLength(1);
});

test('--trace: devirt\'s readable trace with traps; doorbell deliveries appear in it', () => {
  const mk = path.join(ROOT, 'reference/guests/mkernels/build/mk-probe.elf');
  const r = boot(['--mmode', '--kernel', mk, '--mem', '8M', '--doorbell', '2000:virtualize', '--trace', '--trace-to', '5000']);
  expect(r.status).toBe(0);
  const lines = r.stderr.split('\n');
  const at = lines.indexOf('devirt: doorbell virtualize delivered at instruction 2000');
  expect(at).toBeGreaterThan(0);
  // The ring raises the doorbell's resumable NMI or interrupt: the next event is that trap.
  expect(lines[at - 1]).toMatch(/^S 0x/); // the last instruction before the ring
  expect(lines[at + 1]).toMatch(/^riscv_cpu_do_interrupt: hart:0, async:1, cause:8000000000000001, epc:0x[0-9a-f]{16}, tval:0x0{16}, desc=resumable_NMI_1 \(from S\)$/);
});

test('bad trace options are one line and exit 2', () => {
  for (const [args, msg] of [
    [['-d', 'nosuch'], /^devirt: -d: unknown trace item 'nosuch'/],
    [['-D', path.join(dir, 'x.log')], /^devirt: -D: nothing to trace/],
    [['-d', 'exec', '--trace-from', '10', '--trace-to', '10'], /^devirt: --trace-to: 10 is not after --trace-from 10/],
  ] as [string[], RegExp][]) {
    const r = boot(['--bios', 'none', '--kernel', hello, ...args]);
    expect({ args, status: r.status }).toEqual({ args, status: 2 });
    expect(r.stderr).toMatch(msg);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  }
});
