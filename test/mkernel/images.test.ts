// The committed images of the M-mode firmware and the kernels that own M-mode: rebuilt
// byte for byte from their sources, and the kernel behaves the same on QEMU with -bios none.

import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Machine } from '../../reference/machine/machine';

const ROOT = path.resolve(__dirname, '../../..');
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const toolchain = has('riscv64-unknown-elf-gcc') && has('make');
const qemu = has('qemu-system-riscv64');

describe('mkernel images', () => {
  (toolchain ? test : test.skip)('firmware and kernels rebuild byte for byte (skipped without riscv64-unknown-elf-gcc)', () => {
    for (const dir of ['reference/firmware/mmode', 'reference/guests/mkernels']) {
      const out = execFileSync('make', ['-s', 'check'], { cwd: path.join(ROOT, dir), encoding: 'utf8' });
      expect(out).toMatch(/reproducible/);
    }
  });

  // Lines where the reference, by a documented choice, legalises a WARL field differently from
  // QEMU 7.2 (conformance/mmode-kernels.md, "QEMU").
  const QEMU_WARL_DIVERGENCES = ['WARL mstatus.MPP 2', 'WARL medeleg', 'WARL mideleg', 'WARL pmpcfg W only', 'WARL mepc odd'];
  const comparable = (text: string) => text.split('\n').filter((l) => !QEMU_WARL_DIVERGENCES.some((d) => l.startsWith(`sig ${d} =`)));

  (qemu ? test.each(['mk-probe', 'mk-probe-vectored']) : test.skip.each(['mk-probe', 'mk-probe-vectored']))('%s prints the same signature on QEMU -bios none (skipped without qemu-system-riscv64)', (name) => {
    const kernel = path.join(ROOT, `reference/guests/mkernels/build/${name}.elf`);
    const q = spawnSync('qemu-system-riscv64', ['-M', 'virt', '-cpu', 'rv64,f=off,d=off,h=off', '-m', '128M', '-bios', 'none', '-nographic',
      '-monitor', 'none', '-serial', 'stdio', '-kernel', kernel], { encoding: 'utf8', timeout: 60_000 });
    const m = new Machine({ kernel: new Uint8Array(fs.readFileSync(kernel)), bios: null });
    const r = m.run({ maxInsns: 20_000_000 });
    expect(r).toEqual({ reason: 'finisher', code: 0 });
    expect(q.status).toBe(0);
    expect(comparable(q.stdout.replace(/\r/g, ''))).toEqual(comparable(m.console));
    // The divergent lines are there on both sides, so the comparison did not lose them.
    expect(m.console.split('\n').length - comparable(m.console).length).toBe(QEMU_WARL_DIVERGENCES.length);
  });
});
