// Decoding of 32-bit and 16-bit (RVC) encodings into one operand form shared by the hart,
// the disassembler and the tests. Compressed instructions are expanded here into the base
// instruction they stand for (RVC is defined that way: every RV64C instruction is an alias
// of a base instruction), so the hart executes a single set of operations.

import { Format, INSTRUCTIONS, InstructionRow, Op, ROW_OF } from './opcodes';

/** The decoded form. rd/rs1/rs2 are architectural register numbers (0..31). */
export interface Decoded {
  op: Op;
  rd: number;
  rs1: number;
  rs2: number;
  /** Sign-extended immediate; the CSR number for CSR ops; the shift amount for shifts. */
  imm: number;
  /** 2 or 4. */
  len: number;
  /** Name of the compressed form when len is 2 (for disassembly). */
  cname?: string;
}

// Rows bucketed by major opcode so a decode looks at a handful of candidates.
const BY_MAJOR: InstructionRow[][] = (() => {
  const buckets: InstructionRow[][] = [];
  for (let m = 0; m < 128; m++) buckets.push([]);
  for (const rw of INSTRUCTIONS) buckets[rw.match & 0x7f].push(rw);
  return buckets;
})();

const sext = (v: number, bits: number) => (v << (32 - bits)) >> (32 - bits);

/** Operand fields of a 32-bit word according to its row's format. */
export function fieldsOf(format: Format, w: number, out: Decoded): void {
  const rd = (w >>> 7) & 31, rs1 = (w >>> 15) & 31, rs2 = (w >>> 20) & 31;
  out.rd = 0; out.rs1 = 0; out.rs2 = 0; out.imm = 0;
  switch (format) {
    case 'R': case 'AMO': out.rd = rd; out.rs1 = rs1; out.rs2 = rs2; break;
    case 'LR': out.rd = rd; out.rs1 = rs1; break;
    case 'I': case 'LOAD': case 'JALR': out.rd = rd; out.rs1 = rs1; out.imm = w >> 20; break;
    case 'S': out.rs1 = rs1; out.rs2 = rs2; out.imm = ((w >> 25) << 5) | ((w >>> 7) & 31); break;
    case 'B':
      out.rs1 = rs1; out.rs2 = rs2;
      out.imm = sext(((w >>> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 0x3f) << 5) | (((w >>> 8) & 0xf) << 1), 13);
      break;
    case 'U': out.rd = rd; out.imm = w & 0xfffff000; break;
    case 'J':
      out.rd = rd;
      out.imm = sext(((w >>> 31) << 20) | (((w >>> 12) & 0xff) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3ff) << 1), 21);
      break;
    case 'SH6': out.rd = rd; out.rs1 = rs1; out.imm = (w >>> 20) & 63; break;
    case 'SH5': out.rd = rd; out.rs1 = rs1; out.imm = (w >>> 20) & 31; break;
    case 'CSR': case 'CSRI': out.rd = rd; out.rs1 = rs1; out.imm = w >>> 20; break;
    case 'FENCE': out.imm = (w >>> 20) & 0xfff; break;
    case 'SFENCE': out.rs1 = rs1; out.rs2 = rs2; break;
    case 'NONE': break;
  }
}

/** Decode a 32-bit instruction word. Unknown encodings decode to Op.ILLEGAL. */
export function decode32(word: number, out: Decoded): Decoded {
  const w = word >>> 0;
  out.len = 4;
  out.cname = undefined;
  for (const rw of BY_MAJOR[w & 0x7f]) {
    if (((w & rw.mask) >>> 0) === rw.match) {
      out.op = rw.op;
      fieldsOf(rw.format, w, out);
      return out;
    }
  }
  out.op = Op.ILLEGAL; out.rd = 0; out.rs1 = 0; out.rs2 = 0; out.imm = w | 0;
  return out;
}

// ---- RV64C -------------------------------------------------------------------------------

const bit = (h: number, b: number) => (h >>> b) & 1;
const bits = (h: number, hi: number, lo: number) => (h >>> lo) & ((1 << (hi - lo + 1)) - 1);
const rdP = (h: number) => 8 + bits(h, 4, 2);
const rs1P = (h: number) => 8 + bits(h, 9, 7);
const rdFull = (h: number) => bits(h, 11, 7);
const rs2Full = (h: number) => bits(h, 6, 2);
const ci6 = (h: number) => sext((bit(h, 12) << 5) | bits(h, 6, 2), 6);
const shamt6 = (h: number) => (bit(h, 12) << 5) | bits(h, 6, 2);

/** [op, rd, rs1, rs2, imm] of the base instruction, or null for a reserved encoding. */
type Expansion = [Op, number, number, number, number] | null;

interface CompressedRow {
  readonly name: string;
  readonly mask: number;
  readonly match: number;
  readonly expand: (h: number) => Expansion;
}

const Q = (funct3: number, quadrant: number) => (funct3 << 13) | quadrant;
const QMASK = 0xe003;

// Order matters only where masks overlap: more specific rows come first.
export const COMPRESSED: readonly CompressedRow[] = [
  { name: 'c.addi4spn', mask: QMASK, match: Q(0, 0), expand: (h) => {
    const imm = (bits(h, 12, 11) << 4) | (bits(h, 10, 7) << 6) | (bit(h, 6) << 2) | (bit(h, 5) << 3);
    return imm === 0 ? null : [Op.ADDI, rdP(h), 2, 0, imm];
  } },
  { name: 'c.lw', mask: QMASK, match: Q(2, 0), expand: (h) =>
    [Op.LW, rdP(h), rs1P(h), 0, (bits(h, 12, 10) << 3) | (bit(h, 6) << 2) | (bit(h, 5) << 6)] },
  { name: 'c.ld', mask: QMASK, match: Q(3, 0), expand: (h) =>
    [Op.LD, rdP(h), rs1P(h), 0, (bits(h, 12, 10) << 3) | (bits(h, 6, 5) << 6)] },
  { name: 'c.sw', mask: QMASK, match: Q(6, 0), expand: (h) =>
    [Op.SW, 0, rs1P(h), rdP(h), (bits(h, 12, 10) << 3) | (bit(h, 6) << 2) | (bit(h, 5) << 6)] },
  { name: 'c.sd', mask: QMASK, match: Q(7, 0), expand: (h) =>
    [Op.SD, 0, rs1P(h), rdP(h), (bits(h, 12, 10) << 3) | (bits(h, 6, 5) << 6)] },

  { name: 'c.addi', mask: QMASK, match: Q(0, 1), expand: (h) => [Op.ADDI, rdFull(h), rdFull(h), 0, ci6(h)] },
  { name: 'c.addiw', mask: QMASK, match: Q(1, 1), expand: (h) =>
    rdFull(h) === 0 ? null : [Op.ADDIW, rdFull(h), rdFull(h), 0, ci6(h)] },
  { name: 'c.li', mask: QMASK, match: Q(2, 1), expand: (h) => [Op.ADDI, rdFull(h), 0, 0, ci6(h)] },
  { name: 'c.addi16sp', mask: QMASK | (31 << 7), match: Q(3, 1) | (2 << 7), expand: (h) => {
    const imm = sext((bit(h, 12) << 9) | (bit(h, 6) << 4) | (bit(h, 5) << 6) | (bits(h, 4, 3) << 7) | (bit(h, 2) << 5), 10);
    return imm === 0 ? null : [Op.ADDI, 2, 2, 0, imm];
  } },
  { name: 'c.lui', mask: QMASK, match: Q(3, 1), expand: (h) => {
    const imm = ci6(h) << 12;
    return imm === 0 ? null : [Op.LUI, rdFull(h), 0, 0, imm];
  } },
  { name: 'c.srli', mask: QMASK | (3 << 10), match: Q(4, 1), expand: (h) => [Op.SRLI, rdP(h >>> 5), rdP(h >>> 5), 0, shamt6(h)] },
  { name: 'c.srai', mask: QMASK | (3 << 10), match: Q(4, 1) | (1 << 10), expand: (h) => [Op.SRAI, rdP(h >>> 5), rdP(h >>> 5), 0, shamt6(h)] },
  { name: 'c.andi', mask: QMASK | (3 << 10), match: Q(4, 1) | (2 << 10), expand: (h) => [Op.ANDI, rdP(h >>> 5), rdP(h >>> 5), 0, ci6(h)] },
  ...([['c.sub', Op.SUB], ['c.xor', Op.XOR], ['c.or', Op.OR], ['c.and', Op.AND], ['c.subw', Op.SUBW], ['c.addw', Op.ADDW]] as const)
    .map(([name, op], k): CompressedRow => ({
      name, mask: QMASK | (1 << 12) | (3 << 10) | (3 << 5),
      match: Q(4, 1) | ((k >> 2) << 12) | (3 << 10) | ((k & 3) << 5),
      expand: (h) => [op, rdP(h >>> 5), rdP(h >>> 5), rdP(h), 0],
    })),
  { name: 'c.j', mask: QMASK, match: Q(5, 1), expand: (h) => [Op.JAL, 0, 0, 0, cjImm(h)] },
  { name: 'c.beqz', mask: QMASK, match: Q(6, 1), expand: (h) => [Op.BEQ, 0, rs1P(h), 0, cbImm(h)] },
  { name: 'c.bnez', mask: QMASK, match: Q(7, 1), expand: (h) => [Op.BNE, 0, rs1P(h), 0, cbImm(h)] },

  { name: 'c.slli', mask: QMASK, match: Q(0, 2), expand: (h) => [Op.SLLI, rdFull(h), rdFull(h), 0, shamt6(h)] },
  { name: 'c.lwsp', mask: QMASK, match: Q(2, 2), expand: (h) =>
    rdFull(h) === 0 ? null : [Op.LW, rdFull(h), 2, 0, (bit(h, 12) << 5) | (bits(h, 6, 4) << 2) | (bits(h, 3, 2) << 6)] },
  { name: 'c.ldsp', mask: QMASK, match: Q(3, 2), expand: (h) =>
    rdFull(h) === 0 ? null : [Op.LD, rdFull(h), 2, 0, (bit(h, 12) << 5) | (bits(h, 6, 5) << 3) | (bits(h, 4, 2) << 6)] },
  { name: 'c.ebreak', mask: 0xffff, match: 0x9002, expand: () => [Op.EBREAK, 0, 0, 0, 0] },
  { name: 'c.jr', mask: QMASK | (1 << 12) | (31 << 2), match: Q(4, 2), expand: (h) =>
    rdFull(h) === 0 ? null : [Op.JALR, 0, rdFull(h), 0, 0] },
  { name: 'c.mv', mask: QMASK | (1 << 12), match: Q(4, 2), expand: (h) => [Op.ADD, rdFull(h), 0, rs2Full(h), 0] },
  { name: 'c.jalr', mask: QMASK | (1 << 12) | (31 << 2), match: Q(4, 2) | (1 << 12), expand: (h) => [Op.JALR, 1, rdFull(h), 0, 0] },
  { name: 'c.add', mask: QMASK | (1 << 12), match: Q(4, 2) | (1 << 12), expand: (h) => [Op.ADD, rdFull(h), rdFull(h), rs2Full(h), 0] },
  { name: 'c.swsp', mask: QMASK, match: Q(6, 2), expand: (h) => [Op.SW, 0, 2, rs2Full(h), (bits(h, 12, 9) << 2) | (bits(h, 8, 7) << 6)] },
  { name: 'c.sdsp', mask: QMASK, match: Q(7, 2), expand: (h) => [Op.SD, 0, 2, rs2Full(h), (bits(h, 12, 10) << 3) | (bits(h, 9, 7) << 6)] },
];

function cjImm(h: number): number {
  return sext((bit(h, 12) << 11) | (bit(h, 11) << 4) | (bits(h, 10, 9) << 8) | (bit(h, 8) << 10) |
    (bit(h, 7) << 6) | (bit(h, 6) << 7) | (bits(h, 5, 3) << 1) | (bit(h, 2) << 5), 12);
}
function cbImm(h: number): number {
  return sext((bit(h, 12) << 8) | (bits(h, 11, 10) << 3) | (bits(h, 6, 5) << 6) | (bits(h, 4, 3) << 1) | (bit(h, 2) << 5), 9);
}

// c.mv and c.jr share a pattern (rs2 = 0 means c.jr), as do c.add/c.jalr/c.ebreak; resolve by
// trying the row with the more specific mask first.
const COMPRESSED_ORDERED: readonly CompressedRow[] = [...COMPRESSED].sort((a, b) => popcount(b.mask) - popcount(a.mask));
function popcount(v: number): number { let n = 0; for (let x = v >>> 0; x; x &= x - 1) n++; return n; }

/** Decode a 16-bit compressed instruction (low two bits != 3). */
export function decode16(half: number, out: Decoded): Decoded {
  const h = half & 0xffff;
  out.len = 2;
  for (const rw of COMPRESSED_ORDERED) {
    if ((h & rw.mask) === rw.match) {
      const e = rw.expand(h);
      if (e === null) break;
      out.op = e[0]; out.rd = e[1]; out.rs1 = e[2]; out.rs2 = e[3]; out.imm = e[4];
      out.cname = rw.name;
      return out;
    }
  }
  out.op = Op.ILLEGAL; out.rd = 0; out.rs1 = 0; out.rs2 = 0; out.imm = h; out.cname = undefined;
  return out;
}

/** Decode whichever form `bits` starts with (low 16 bits select the length). */
export function decode(bitsIn: number, out: Decoded = { op: Op.ILLEGAL, rd: 0, rs1: 0, rs2: 0, imm: 0, len: 4 }): Decoded {
  return (bitsIn & 3) === 3 ? decode32(bitsIn, out) : decode16(bitsIn, out);
}

export function nameOf(d: Decoded): string {
  if (d.op === Op.ILLEGAL) return 'illegal';
  return d.cname ?? ROW_OF[d.op].name;
}
