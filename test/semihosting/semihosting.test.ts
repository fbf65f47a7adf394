// RISC-V semihosting (reference/machine/semihosting.ts; RISC-V Semihosting 0.3 on Arm semihosting
// 2.0), as QEMU's -semihosting: the marked ebreak from M mode calls the host, the result lands in
// a0 and the program goes on; without -semihosting, or from U mode, or without both markers, the
// same ebreak is a breakpoint. When the RISC-V toolchain with picolibc and QEMU are installed, a
// picolibc program built with --oslib=semihost prints, writes a file, reads its command line and
// exits with its status exactly as on QEMU (bar the clock, which is guest time on the reference).
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Machine } from '../../reference/machine/machine';
import { ADP_STOPPED_APPLICATION_EXIT, SEMIHOST_ENTRY, SEMIHOST_EXIT, SYS } from '../../reference/machine/semihosting';
import { assemble, E, EBREAK, Item, SELF_LOOP } from '../machine/helpers';
import { devirt } from '../harness/helpers';

const RAM = 0x80000000;
const DATA = 0x400;     // offset of the data area from the program's start

/** a0 = op; a1 = the program's start + offset (auipc at a known pc), then the marked ebreak. */
function call(op: number, at: number, a1Offset: number | null, a1Value?: number): Item[] {
  const a1: Item[] = a1Offset !== null
    ? [E('auipc', { rd: 11, imm: 0 }), E('addi', { rd: 11, rs1: 11, imm: a1Offset - at })]
    : [E('addi', { rd: 11, rs1: 0, imm: a1Value ?? 0 }), E('addi', { rd: 0, rs1: 0, imm: 0 })];
  return [E('addi', { rd: 10, rs1: 0, imm: op }), ...a1, SEMIHOST_ENTRY, EBREAK, SEMIHOST_EXIT];
}

/** A program of calls laid out from RAM's start, then its data at DATA. */
function program(calls: [number, number | null, number?][], data: Record<number, Uint8Array>, tail: Item[] = [SELF_LOOP]): Uint8Array {
  const items: Item[] = [];
  for (const [op, off, value] of calls) items.push(...call(op, items.length * 4 + 4, off, value));
  items.push(...tail);
  const code = assemble(items);
  const image = new Uint8Array(DATA + 0x200);
  image.set(code);
  for (const [off, bytes] of Object.entries(data)) image.set(bytes, Number(off));
  return image;
}

const text = (s: string) => new Uint8Array([...Buffer.from(s, 'latin1'), 0]);
const u64s = (...v: bigint[]) => { const b = new Uint8Array(8 * v.length); v.forEach((x, i) => new DataView(b.buffer).setBigUint64(8 * i, x, true)); return b; };

function boot(image: Uint8Array, semihosting = true): Machine {
  return new Machine({ bios: null, kernel: image, kernelName: 'program.bin', ramSize: 8 << 20, semihosting: semihosting ? { cmdline: 'prog one two' } : null });
}

test('WRITE0, WRITEC and a write to :tt reach the console; SYS_EXIT ends the run with its subcode', () => {
  // OPEN(":tt", mode 4 = w) on a fresh machine answers handle 1, which the WRITE block names.
  const m = boot(program([
    [SYS.WRITE0, DATA], [SYS.WRITEC, DATA + 0x20], [SYS.OPEN, DATA + 0x40], [SYS.WRITE, DATA + 0x60], [SYS.EXIT, DATA + 0x80],
  ], {
    [DATA]: text('hello\n'), [DATA + 0x20]: text('!'), [DATA + 0x30]: text(':tt'),
    [DATA + 0x40]: u64s(BigInt(RAM + DATA + 0x30), 4n, 3n),
    [DATA + 0x60]: u64s(1n, BigInt(RAM + DATA + 0xa0), 3n), [DATA + 0xa0]: text('ok\n'),
    [DATA + 0x80]: u64s(BigInt(ADP_STOPPED_APPLICATION_EXIT), 5n),
  }));
  const r = m.run({ maxInsns: 10_000 });
  expect(r).toMatchObject({ reason: 'finisher', code: 5 });
  expect(m.console).toBe('hello\n!ok\n');
});

test('the clock is guest time; a bad pointer is an error in a0, never the host\'s; an unknown operation is -1', () => {
  const m = boot(program([
    [SYS.TICKFREQ, null],
    [SYS.WRITE0, null, 8],             // a1 = 8: no memory there
  ], {}));
  m.run({ maxInsns: 1_000 });
  expect(m.hart.getX(10)).toBe((1n << 64n) - 1n);
  const t = boot(program([[SYS.TICKFREQ, null]], {}));
  t.run({ maxInsns: 1_000 });
  expect(t.hart.getX(10)).toBe(10_000_000n);
  const u = boot(program([[0x7f, null]], {}));
  u.run({ maxInsns: 1_000 });
  expect(u.hart.getX(10)).toBe((1n << 64n) - 1n);
  expect(u.console).toBe('');
});

test('without -semihosting, or without both markers, the ebreak is a breakpoint', () => {
  const image = program([[SYS.WRITE0, DATA]], { [DATA]: text('hello\n') });
  const off = boot(image, false);
  const r = off.run({ maxInsns: 1_000, stopOnTrap: true });
  expect(r).toMatchObject({ reason: 'trap', cause: 3n });
  expect(off.console).toBe('');
  const unmarked = image.slice();
  unmarked.set(assemble([E('addi', { rd: 0, rs1: 0, imm: 0 })]), 5 * 4);   // the exit marker replaced by a nop
  const r2 = boot(unmarked).run({ maxInsns: 1_000, stopOnTrap: true });
  expect(r2).toMatchObject({ reason: 'trap', cause: 3n });
});

test('QEMU\'s -semihosting-config is taken as QEMU takes it; what devirt cannot do is one line (exit 2)', () => {
  const image = program([[SYS.WRITE0, DATA], [SYS.EXIT, DATA + 0x80]], { [DATA]: text('via qemu flags\n'), [DATA + 0x80]: u64s(BigInt(ADP_STOPPED_APPLICATION_EXIT), 0n) });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-semihost-'));
  const file = path.join(dir, 'p.bin');
  fs.writeFileSync(file, image);
  // -icount (deterministic time on QEMU) runs too: devirt's time is always deterministic; a note says how.
  const ok = devirt(['boot', '-M', 'virt', '-nographic', '-bios', 'none', '-icount', 'shift=auto', '-semihosting-config', 'enable=on,target=native,arg=a', '-kernel', file]);
  expect(ok.status).toBe(0);
  expect(ok.stdout).toBe('via qemu flags\n');
  expect(ok.stderr).toMatch(/-icount shift=auto: .*cycle model/);
  const gdbTarget = devirt(['boot', '-M', 'virt', '-bios', 'none', '-semihosting-config', 'enable=on,target=gdb', '-kernel', file]);
  expect(gdbTarget.status).toBe(2);
  expect(gdbTarget.stderr).toMatch(/-semihosting-config.*target=gdb/);
  fs.rmSync(dir, { recursive: true, force: true });
});

const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const picolibc = have('riscv64-unknown-elf-gcc') && have('qemu-system-riscv64')
  && spawnSync('riscv64-unknown-elf-gcc', ['-print-file-name=picolibc.specs'], { encoding: 'utf8' }).stdout.trim().startsWith('/');

(picolibc ? test : test.skip)('a picolibc program built for semihosting runs as on QEMU: output, a host file, argv, exit status', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-picolibc-'));
  fs.writeFileSync(path.join(dir, 'p.c'), `#include <stdio.h>
int main(int argc, char **argv) {
  printf("argc=%d\\n", argc);
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\\n", i, argv[i]);
  fprintf(stderr, "to stderr\\n");
  FILE *f = fopen("out.txt", "w");
  if (!f) return 10;
  fputs("written by the guest\\n", f);
  fclose(f);
  f = fopen("out.txt", "r");
  char buf[64] = {0};
  if (!f || !fgets(buf, sizeof buf, f)) return 11;
  fclose(f);
  printf("read back: %s", buf);
  return 3;
}
`);
  execFileSync('riscv64-unknown-elf-gcc', ['--specs=picolibc.specs', '--oslib=semihost', '--crt0=semihost', '-march=rv64imac', '-mabi=lp64', '-mcmodel=medany',
    '-Wl,--defsym=__flash=0x80000000', '-Wl,--defsym=__flash_size=0x200000', '-Wl,--defsym=__ram=0x80200000', '-Wl,--defsym=__ram_size=0x200000',
    '-O2', '-o', 'p.elf', 'p.c'], { cwd: dir });
  const args = ['-M', 'virt', '-nographic', '-bios', 'none', '-semihosting-config', 'enable=on,arg=one,arg=two', '-kernel', 'p.elf'];
  const qemu = spawnSync('qemu-system-riscv64', args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  const qemuFile = fs.readFileSync(path.join(dir, 'out.txt'), 'utf8');
  fs.rmSync(path.join(dir, 'out.txt'));
  const ref = devirt(['boot', ...args], { cwd: dir });
  expect(qemu.status).toBe(3);
  expect(ref.status).toBe(3);
  // QEMU 7.2 without a semihosting chardev writes the console to its stderr; devirt to its console (stdout).
  expect(ref.stdout).toBe(qemu.stderr);
  expect(ref.stdout).toContain('argv[2]=two\nto stderr\nread back: written by the guest\n');
  expect(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8')).toBe(qemuFile);
  fs.rmSync(dir, { recursive: true, force: true });
});
