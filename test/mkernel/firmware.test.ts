// The M-mode firmware on small kernels built here in the test: what a virtualize request does to
// the real machine, and the one case where it must refuse (a locked PMP entry).

import * as fs from 'fs';
import * as path from 'path';
import { Machine } from '../../reference/machine/machine';
import { FW_RAM_BASE, FW_RAM_SIZE } from '../../reference/machine/firmware-ram';
import { encode } from '../../reference/tools/disasm';

const ROOT = path.resolve(__dirname, '../../..');
const FIRMWARE = new Uint8Array(fs.readFileSync(path.join(ROOT, 'reference/firmware/mmode/build/mmode-fw.elf')));

/** An M-mode kernel: program PMP entry 0 (cfg byte `cfg`) over everything, then count in t0 forever. */
function kernel(cfg: number): Uint8Array {
  const words = [
    encode('addi', { rd: 6, rs1: 0, imm: -1 }),
    encode('srli', { rd: 6, rs1: 6, imm: 10 }),
    encode('csrrw', { rd: 0, rs1: 6, csr: 0x3b0 }),
    encode('addi', { rd: 6, rs1: 0, imm: cfg }),
    encode('csrrw', { rd: 0, rs1: 6, csr: 0x3a0 }),
    encode('addi', { rd: 5, rs1: 5, imm: 1 }),
    encode('jal', { rd: 0, imm: -4 }),
  ];
  const out = new Uint8Array(words.length * 4);
  words.forEach((w, i) => new DataView(out.buffer).setUint32(4 * i, w >>> 0, true));
  return out;
}

function bootAndVirtualize(cfg: number): Machine {
  const m = new Machine({ kernel: kernel(cfg), kernelName: 'loop.bin', mmodeFirmware: FIRMWARE, ramSize: 8 << 20 });
  m.run({ maxInsns: 1000 }); // past the firmware's boot and the kernel's PMP writes
  expect(m.hart.priv).toBe(3);
  m.doorbell.ring(1);
  m.run({ maxInsns: 2000 });
  return m;
}

const inFirmware = (pc: number) => pc >= FW_RAM_BASE && pc < FW_RAM_BASE + FW_RAM_SIZE;

describe('M-mode firmware', () => {
  test('virtualizing a kernel in its M-mode code: it continues in U-mode, traps reach the firmware, its PMP stays virtual', () => {
    const m = bootAndVirtualize(0x1f);
    expect(m.hart.priv).toBe(0);
    expect(inFirmware(Number(m.hart.mtvec))).toBe(true);
    expect(m.hart.medeleg).toBe(0);
    expect(m.hart.mideleg).toBe(0);
    expect(m.hart.satp).toBe(0n);
    // Real entry 0 denies the firmware RAM; the kernel still counts.
    expect(Number(m.hart.readCsr(0x3a0) & 0xffn)).toBe(0x18);
    const before = m.hart.getX(5);
    m.run({ maxInsns: 100 });
    expect(m.hart.getX(5)).toBeGreaterThan(before);
  });

  test('a kernel that locked a PMP entry is left dormant: the request is refused', () => {
    const m = bootAndVirtualize(0x9f);
    expect(m.hart.priv).toBe(3);
    expect(m.hart.mtvec).toBe(0n);
    expect(m.hart.readCsr(0x3a0)).toBe(0x9fn);
  });
});
