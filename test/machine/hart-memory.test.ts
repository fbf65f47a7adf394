// Reusing the memory of finished machines (reference/machine/hart-memory.ts): the next hart of
// the same size must start from all zero, as a fresh memory does, whatever the last guest wrote
// (fast and slow stores, translated blocks, page-table A/D updates, loaders, DMA).

import * as fs from 'fs';
import * as path from 'path';
import { allocateHartMemory, HartMemory } from '../../reference/machine/hart-memory';
import { Machine } from '../../reference/machine/machine';
import { ReferenceImplementation } from '../../harness/adapters/reference';
import { VECTORS_DIR } from '../../vectors/format';
import type { Vector } from '../../vectors/schema/types';
import { encode } from '../../reference/tools/disasm';

const MiB = 1024 * 1024;

function nonZeroAt(mem: HartMemory): number {
  const words = new Uint32Array(mem.memory.buffer);
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) return i * 4;
  return -1;
}

function vectorsOf(file: string, count: number): Vector[] {
  const d = JSON.parse(fs.readFileSync(path.join(VECTORS_DIR, file), 'utf8'));
  return ((d.vectors ?? d) as Vector[]).slice(0, count);
}

test('a disposed machine\'s memory goes to the next hart of its size, all zero', () => {
  const m = new Machine({ ramSize: 2 * MiB, bios: null, kernel: null, deviceTree: false });
  m.loadBytes(0x80000000n, new Uint8Array(MiB).fill(0xa5));
  m.hart.setX(5, 0x1234n);
  const mem = m.hart.memory;
  m.dispose();
  m.dispose(); // twice is once: the memory must not be handed out twice
  expect(allocateHartMemory(3 * MiB)).not.toBe(mem);
  const again = allocateHartMemory(2 * MiB);
  expect(again).toBe(mem);
  expect(nonZeroAt(again)).toBe(-1);
  expect(allocateHartMemory(2 * MiB)).not.toBe(mem);
});

test('pages only stores reached (the fast path, translated blocks) are cleared too', () => {
  // Fill 32 KiB at 0x80100000 with ones, 8 bytes at a time: hot enough to be translated.
  const [t0, t1, t2, t3] = [5, 6, 7, 28];
  const code = [
    encode('addi', { rd: t0, rs1: 0, imm: 1 }), encode('slli', { rd: t0, rs1: t0, imm: 31 }),
    encode('lui', { rd: t1, imm: 0x100000 }), encode('add', { rd: t0, rs1: t0, rs2: t1 }),
    encode('lui', { rd: t1, imm: 0x8000 }), encode('add', { rd: t3, rs1: t0, rs2: t1 }),
    encode('addi', { rd: t2, rs1: 0, imm: -1 }),
    encode('sd', { rs1: t0, rs2: t2, imm: 0 }), encode('addi', { rd: t0, rs1: t0, imm: 8 }), encode('bne', { rs1: t0, rs2: t3, imm: -8 }),
    encode('jal', { rd: 0, imm: 0 }),
  ];
  const m = new Machine({ ramSize: 4 * MiB, bios: null, kernel: null, deviceTree: false });
  m.loadBytes(0x80000000n, new Uint8Array(new Uint32Array(code).buffer));
  m.hart.setPc(0x80000000n);
  m.run({ maxInsns: 20000 });
  expect(m.readBytes(0x80107ff8n, 8)).toEqual(new Uint8Array(8).fill(0xff));
  // A machine reset to empty (the state vectors' pooled machines) clears only the written pages too.
  m.resetEmpty();
  expect(m.hart.ram.every((b) => b === 0)).toBe(true);
  m.loadBytes(0x80000000n, new Uint8Array(new Uint32Array(code).buffer));
  m.hart.setPc(0x80000000n);
  m.run({ maxInsns: 20000 });
  expect(m.readBytes(0x80107ff8n, 8)).toEqual(new Uint8Array(8).fill(0xff));
  const mem = m.hart.memory;
  m.dispose();
  const again = allocateHartMemory(4 * MiB);
  expect(again).toBe(mem);
  expect(nonZeroAt(again)).toBe(-1);
});

test('whatever guests wrote, a reused memory holds zeros only', async () => {
  const impl = new ReferenceImplementation();
  const vectors = [
    ...vectorsOf('transparency/paging.json', 3), ...vectorsOf('transparency/basic.json', 3),
    ...vectorsOf('isolation/victim-instance1.json', 2), ...vectorsOf('maintenance/upgrade.json', 1),
  ];
  const outcomes = await impl.runAll(vectors);
  expect(outcomes.map((o) => o.kind)).toEqual(vectors.map(() => 'observed'));
  for (const size of [16 * MiB, 128 * MiB]) {
    const mem = allocateHartMemory(size);
    expect(nonZeroAt(mem)).toBe(-1);
  }
});
