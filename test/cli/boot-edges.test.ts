// What a user meets at the edges of `devirt boot`: doorbell deliveries shown, schedules that
// cannot happen refused, --mmode with --bios none refused, a hart stuck in a trap storm stopped
// (exit 125), a guest polling for input after stdin ended stopped (exit 124), and devirt's own
// last message on a line of its own when it shares a file with the guest's output.

import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Asm, R, RAM, UART, elf } from './images';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/devirt.js');
const MK = path.join(ROOT, 'reference/guests/mkernels/build/mk-probe.elf');
const BASIC = path.join(ROOT, 'reference/guests/sbi/build/basic.elf');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-edges-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const boot = (args: string[], input = ''): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, [BIN, 'boot', ...args], { encoding: 'utf8', input, timeout: 120_000 });
function oneLine(r: SpawnSyncReturns<string>, status: number, message: RegExp): void {
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status, stderr: expect.stringMatching(message) });
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
}

describe('--doorbell', () => {
  test('--doorbell-log prints each delivery on stderr; the guest\'s output is unchanged', () => {
    const plain = boot(['--mmode', '--kernel', MK, '--mem', '8M', '--doorbell', '2000:virtualize,300000:devirtualize']);
    const r = boot(['--mmode', '--kernel', MK, '--mem', '8M', '--doorbell', '2000:virtualize,300000:devirtualize', '--doorbell-log']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
    expect(plain.stderr).toBe('');
    expect(r.stderr).toBe('devirt: doorbell virtualize delivered at instruction 2000\ndevirt: doorbell devirtualize delivered at instruction 300000\n');
  });

  test('a schedule that cannot happen is refused with one line', () => {
    const cases: [string, RegExp][] = [
      ['3000:virtualize,2000:devirtualize', /--doorbell: '2000:devirtualize' comes before the event at 3000/],
      ['2000:virtualize,2000:7', /--doorbell: two events at instruction 2000/],
      ['2000:devirtualize', /--doorbell: '2000:devirtualize' would do nothing: the machine is not virtualized then/],
      ['2000:virtualize,3000:virtualize', /--doorbell: '3000:virtualize' would do nothing: the machine is already virtualized then/],
      ['2000:0', /--doorbell: '2000:0' rings with cause 0/],
    ];
    for (const [schedule, message] of cases) oneLine(boot(['--mmode', '--kernel', MK, '--doorbell', schedule]), 2, message);
  });

  test('--help explains AT:ACTION', () => {
    const r = spawnSync(process.execPath, [BIN, 'boot', '--help'], { encoding: 'utf8' });
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/AT is the number of instructions retired before the ring \(strictly increasing\) and ACTION is virtualize, devirtualize \(alternating, starting with virtualize\) or a nonzero numeric cause/);
  });
});

test('--mmode with --bios none is refused: --mmode already means the kernel owns M-mode', () => {
  oneLine(boot(['--mmode', '--bios', 'none', '--kernel', MK]), 2, /^devirt: --mmode: --bios none is what --mmode already means/);
});

describe('a hart stuck taking the same trap, retiring nothing: one line, exit 125', () => {
  test('a garbage raw kernel with --bios none', () => {
    const junk = path.join(dir, 'junk.bin');
    fs.writeFileSync(junk, Buffer.alloc(4096, 0xff));
    const r = boot(['--bios', 'none', '--kernel', junk]);
    oneLine(r, 125, /^devirt: hart stuck: .*\(instruction access fault, mcause 0x1, epc 0x0, tval 0x0, pc 0x0\)/);
  });

  test('an S-mode kernel booted with --bios none (its SBI ecall goes to mtvec 0)', () => {
    const r = boot(['--bios', 'none', '--kernel', BASIC]);
    oneLine(r, 125, /^devirt: hart stuck: .*instruction access fault/);
  });
});

test('piped stdin ended and the guest keeps polling the UART: stopped with one line, exit 124', () => {
  // Echo every byte typed; poll the line status register for more, forever.
  const a = new Asm().li(R.s1, UART);
  const top = a.here;
  a.lbu(R.t3, R.s1, 5).andi(R.t3, R.t3, 1).beq(R.t3, R.zero, top).lbu(R.t3, R.s1, 0).sb(R.t3, R.s1, 0).beq(R.zero, R.zero, top);
  const echo = path.join(dir, 'echo.elf');
  fs.writeFileSync(echo, elf([{ addr: RAM, data: a.bytes() }]));
  const r = boot(['--bios', 'none', '--kernel', echo], 'typed\n');
  expect(r.stdout).toBe('typed\n');
  oneLine(r, 124, /^devirt: stdin ended and the guest keeps polling the UART for more input .*QEMU's -serial stdio would wait forever/);
});

test('devirt\'s last message starts on a new line when it shares the file with an unfinished guest line', () => {
  const prompt = path.join(dir, 'prompt.elf');
  fs.writeFileSync(prompt, elf([{ addr: RAM, data: new Asm().print('login: ').spin().bytes() }]));
  const outFile = path.join(dir, 'both.txt');
  const fd = fs.openSync(outFile, 'w');
  const r = spawnSync(process.execPath, [BIN, 'boot', '--bios', 'none', '--kernel', prompt, '--max-insns', '10000'], { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  expect(r.status).toBe(124);
  expect(fs.readFileSync(outFile, 'utf8')).toMatch(/^login: \ndevirt: stopped after --max-insns 10000 instructions/);
  // Separate files: stdout keeps exactly the guest's bytes, stderr exactly devirt's line.
  const apart = boot(['--bios', 'none', '--kernel', prompt, '--max-insns', '10000']);
  expect(apart.stdout).toBe('login: ');
  expect(apart.stderr).toMatch(/^devirt: stopped after --max-insns 10000/);
});
