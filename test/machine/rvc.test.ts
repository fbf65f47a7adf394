// RV64C (unprivileged spec 20191213, chapter 16): each compressed form expands to the base
// instruction the spec's tables name; reserved encodings are illegal instructions whose mtval
// holds the 16 instruction bits. Compressed encodings are built in helpers.ts from the spec's
// bit layouts, independently of the decoder.

import { decode } from '../../reference/machine/isa/decode';
import { C, E, EBREAK, RAM, RAMN, load, newHart, r64, run, trapOf, u64, w64 } from './helpers';

const fields = (bits: number) => {
  const d = decode(bits);
  return { op: d.op, rd: d.rd, rs1: d.rs1, rs2: d.rs2, imm: d.imm };
};

type Case = [string, { c: number }, number];
const CASES: Case[] = [
  // Quadrant 0
  ['c.addi4spn x8, 4', C.addi4spn(8, 4), E('addi', { rd: 8, rs1: 2, imm: 4 })],
  ['c.addi4spn x15, 1020', C.addi4spn(15, 1020), E('addi', { rd: 15, rs1: 2, imm: 1020 })],
  ['c.addi4spn x9, 0x248', C.addi4spn(9, 0x248), E('addi', { rd: 9, rs1: 2, imm: 0x248 })],
  ['c.lw x8, 124(x15)', C.lw(8, 15, 124), E('lw', { rd: 8, rs1: 15, imm: 124 })],
  ['c.lw x9, 64(x10)', C.lw(9, 10, 64), E('lw', { rd: 9, rs1: 10, imm: 64 })],
  ['c.lw x9, 4(x10)', C.lw(9, 10, 4), E('lw', { rd: 9, rs1: 10, imm: 4 })],
  ['c.ld x10, 248(x11)', C.ld(10, 11, 248), E('ld', { rd: 10, rs1: 11, imm: 248 })],
  ['c.ld x10, 128(x11)', C.ld(10, 11, 128), E('ld', { rd: 10, rs1: 11, imm: 128 })],
  ['c.sw x12, 124(x13)', C.sw(13, 12, 124), E('sw', { rs1: 13, rs2: 12, imm: 124 })],
  ['c.sd x14, 248(x8)', C.sd(8, 14, 248), E('sd', { rs1: 8, rs2: 14, imm: 248 })],
  ['c.sd x14, 64(x8)', C.sd(8, 14, 64), E('sd', { rs1: 8, rs2: 14, imm: 64 })],
  // Quadrant 1
  ['c.nop', { c: 0x0001 }, E('addi', { rd: 0, rs1: 0, imm: 0 })],
  ['c.addi x5, -32', C.addi(5, -32), E('addi', { rd: 5, rs1: 5, imm: -32 })],
  ['c.addi x31, 31', C.addi(31, 31), E('addi', { rd: 31, rs1: 31, imm: 31 })],
  ['c.addiw x6, -1', C.addiw(6, -1), E('addiw', { rd: 6, rs1: 6, imm: -1 })],
  ['c.addiw x6, 0', C.addiw(6, 0), E('addiw', { rd: 6, rs1: 6, imm: 0 })],
  ['c.li x7, -32', C.li(7, -32), E('addi', { rd: 7, rs1: 0, imm: -32 })],
  ['c.li x7, 17', C.li(7, 17), E('addi', { rd: 7, rs1: 0, imm: 17 })],
  ['c.addi16sp -512', C.addi16sp(-512), E('addi', { rd: 2, rs1: 2, imm: -512 })],
  ['c.addi16sp 496', C.addi16sp(496), E('addi', { rd: 2, rs1: 2, imm: 496 })],
  ['c.addi16sp 16', C.addi16sp(16), E('addi', { rd: 2, rs1: 2, imm: 16 })],
  ['c.lui x3, 0x1f (nzimm = 0x1f000)', C.lui(3, 0x1f), E('lui', { rd: 3, imm: 0x1f000 })],
  ['c.lui x3, 0x20 (nzimm = -0x20000)', C.lui(3, 0x20), E('lui', { rd: 3, imm: -0x20000 })],
  ['c.lui x31, 1', C.lui(31, 1), E('lui', { rd: 31, imm: 0x1000 })],
  ['c.srli x8, 63', C.srli(8, 63), E('srli', { rd: 8, rs1: 8, imm: 63 })],
  ['c.srli x8, 1', C.srli(8, 1), E('srli', { rd: 8, rs1: 8, imm: 1 })],
  ['c.srai x9, 32', C.srai(9, 32), E('srai', { rd: 9, rs1: 9, imm: 32 })],
  ['c.andi x10, -1', C.andi(10, -1), E('andi', { rd: 10, rs1: 10, imm: -1 })],
  ['c.andi x10, 15', C.andi(10, 15), E('andi', { rd: 10, rs1: 10, imm: 15 })],
  ['c.sub x8, x15', C.ca(0, 0, 8, 15), E('sub', { rd: 8, rs1: 8, rs2: 15 })],
  ['c.xor x9, x14', C.ca(0, 1, 9, 14), E('xor', { rd: 9, rs1: 9, rs2: 14 })],
  ['c.or x10, x13', C.ca(0, 2, 10, 13), E('or', { rd: 10, rs1: 10, rs2: 13 })],
  ['c.and x11, x12', C.ca(0, 3, 11, 12), E('and', { rd: 11, rs1: 11, rs2: 12 })],
  ['c.subw x12, x11', C.ca(1, 0, 12, 11), E('subw', { rd: 12, rs1: 12, rs2: 11 })],
  ['c.addw x13, x10', C.ca(1, 1, 13, 10), E('addw', { rd: 13, rs1: 13, rs2: 10 })],
  ['c.j -2048', C.j(-2048), E('jal', { rd: 0, imm: -2048 })],
  ['c.j 2046', C.j(2046), E('jal', { rd: 0, imm: 2046 })],
  ['c.j 0x2a4 (mixed bits)', C.j(0x2a4), E('jal', { rd: 0, imm: 0x2a4 })],
  ['c.j 0x55a', C.j(0x55a), E('jal', { rd: 0, imm: 0x55a })],
  ['c.beqz x8, -256', C.beqz(8, -256), E('beq', { rs1: 8, rs2: 0, imm: -256 })],
  ['c.beqz x8, 254', C.beqz(8, 254), E('beq', { rs1: 8, rs2: 0, imm: 254 })],
  ['c.bnez x15, 0x6a', C.bnez(15, 0x6a), E('bne', { rs1: 15, rs2: 0, imm: 0x6a })],
  ['c.bnez x15, -0x96', C.bnez(15, -0x96), E('bne', { rs1: 15, rs2: 0, imm: -0x96 })],
  // Quadrant 2
  ['c.slli x1, 63', C.slli(1, 63), E('slli', { rd: 1, rs1: 1, imm: 63 })],
  ['c.slli x31, 1', C.slli(31, 1), E('slli', { rd: 31, rs1: 31, imm: 1 })],
  ['c.lwsp x1, 252', C.lwsp(1, 252), E('lw', { rd: 1, rs1: 2, imm: 252 })],
  ['c.lwsp x1, 0xa4', C.lwsp(1, 0xa4), E('lw', { rd: 1, rs1: 2, imm: 0xa4 })],
  ['c.ldsp x31, 504', C.ldsp(31, 504), E('ld', { rd: 31, rs1: 2, imm: 504 })],
  ['c.ldsp x31, 0x148', C.ldsp(31, 0x148), E('ld', { rd: 31, rs1: 2, imm: 0x148 })],
  ['c.jr x1', C.jr(1), E('jalr', { rd: 0, rs1: 1, imm: 0 })],
  ['c.jalr x5', C.jalr(5), E('jalr', { rd: 1, rs1: 5, imm: 0 })],
  ['c.ebreak', C.ebreak(), EBREAK],
  ['c.add x3, x4', C.add(3, 4), E('add', { rd: 3, rs1: 3, rs2: 4 })],
  ['c.swsp x31, 252', C.swsp(31, 252), E('sw', { rs1: 2, rs2: 31, imm: 252 })],
  ['c.swsp x1, 0x84', C.swsp(1, 0x84), E('sw', { rs1: 2, rs2: 1, imm: 0x84 })],
  ['c.sdsp x7, 504', C.sdsp(7, 504), E('sd', { rs1: 2, rs2: 7, imm: 504 })],
  ['c.sdsp x7, 0x148', C.sdsp(7, 0x148), E('sd', { rs1: 2, rs2: 7, imm: 0x148 })],
];

describe('every RV64C form decodes to its base instruction', () => {
  for (const [label, c, base] of CASES) {
    test(label, () => {
      const d16 = decode(c.c);
      expect(d16.len).toBe(2);
      expect(fields(c.c)).toEqual(fields(base));
    });
  }
  test('c.mv rd, rs2 is add rd, x0, rs2', () => {
    const d = decode(C.mv(10, 11).c);
    const base = decode(E('add', { rd: 10, rs1: 0, rs2: 11 }));
    expect({ op: d.op, rd: d.rd, rs1: d.rs1, rs2: d.rs2 }).toEqual({ op: base.op, rd: base.rd, rs1: base.rs1, rs2: base.rs2 });
  });
});

describe('reserved compressed encodings are illegal with mtval = the 16 bits', () => {
  const RESERVED: [string, number][] = [
    ['all zeros', 0x0000],
    ['c.addi4spn nzuimm = 0 (rd = x9)', C.addi4spn(9, 0).c],
    ['c.lui nzimm = 0', C.lui(5, 0).c],
    ['c.addi16sp nzimm = 0', C.addi16sp(0).c],
    ['c.jr x0', C.jr(0).c],
    ['c.lwsp rd = 0', C.lwsp(0, 8).c],
    ['c.ldsp rd = 0', C.ldsp(0, 8).c],
    ['c.addiw rd = 0', C.addiw(0, 1).c],
    ['CA reserved (100111, funct2 10)', C.ca(1, 2, 8, 9).c],
    ['CA reserved (100111, funct2 11)', C.ca(1, 3, 8, 9).c],
    ['c.fld (no D)', 0x2000 | (1 << 7)],
    ['c.fsdsp (no D)', 0xa002],
    ['quadrant 0 funct3 100 (reserved)', 0x8000],
  ];
  for (const [label, bits] of RESERVED) {
    test(label, () => {
      // a 16-bit instruction followed by bytes that would form a valid word if misread as 32-bit
      const h = run([{ c: bits }, { c: 0x0001 }, EBREAK]);
      expect(trapOf(h)).toEqual({ cause: 2n, tval: BigInt(bits), epc: RAMN });
    });
  }
});

describe('compressed instructions execute with 2-byte length', () => {
  test('c.jalr links pc + 2 and c.jr returns', () => {
    // 0: c.jalr x5 -> +6 ; 2: c.ebreak ; 4: c.nop ; 6: c.jr x1 -> back to 2
    const h = run([C.jalr(5), C.ebreak(), { c: 0x0001 }, C.jr(1)], { regs: { 5: RAMN + 6n } });
    expect(h.getX(1)).toBe(RAMN + 2n);
    expect(trapOf(h)).toMatchObject({ cause: 3n, epc: RAMN + 2n });
  });
  test('c.j and c.beqz/c.bnez offsets are relative to the compressed instruction', () => {
    // 0: c.beqz x8, +6 (taken) ; 2: c.ebreak ; 4: c.ebreak ; 6: c.bnez x8, -4 (not taken) ; 8: c.j -6 -> 2
    const h = run([C.beqz(8, 6), C.ebreak(), C.ebreak(), C.bnez(8, -4), C.j(-6)]);
    expect(trapOf(h).epc).toBe(RAMN + 2n);
    expect(h.instret).toBe(3);
  });
  test('stack-relative loads and stores, c.li, c.lui sign extension, c.addiw', () => {
    const SP = RAM + 0x4000;
    const h = newHart();
    load(h, RAM, [
      C.li(10, -5), C.sdsp(10, 8), C.ldsp(11, 8), C.lwsp(12, 8), C.lui(13, 0x20), C.addiw(14, -1),
      C.addi4spn(8, 16), C.sd(8, 11, 8), C.ebreak(),
    ]);
    h.setX(2, BigInt(SP)); h.setX(14, 0x7fffffff_00000000n);
    h.run(20);
    expect(trapOf(h).cause).toBe(3n);
    expect(h.getX(10)).toBe(u64(-5n));
    expect(h.getX(11)).toBe(u64(-5n));
    expect(h.getX(12)).toBe(u64(-5n));
    expect(h.getX(13)).toBe(u64(-0x20000n));
    expect(h.getX(14)).toBe(u64(-1n));
    expect(h.getX(8)).toBe(BigInt(SP + 16));
    expect(r64(h, SP + 24)).toBe(u64(-5n));
  });
  test('a 32-bit instruction at a 2-byte offset straddling a page boundary executes', () => {
    const h = newHart();
    const at = RAM + 0x1000 - 2;
    load(h, at, [E('addi', { rd: 10, rs1: 0, imm: 123 }), EBREAK]);
    h.setPc(BigInt(at));
    h.run(10);
    expect(h.getX(10)).toBe(123n);
    expect(trapOf(h).epc).toBe(BigInt(at + 4));
  });
  test('c.ebreak reports cause 3 at its own pc', () => {
    const h = run([{ c: 0x0001 }, C.ebreak()]);
    expect(trapOf(h)).toMatchObject({ cause: 3n, epc: RAMN + 2n });
    void w64;
  });
});
