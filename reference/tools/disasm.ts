// Disassembler and encoder, both driven by the one instruction table (reference/machine/isa).

import { decode, Decoded, nameOf } from '../machine/isa/decode';
import { Format, Op, ROW_BY_NAME, ROW_OF } from '../machine/isa/opcodes';
import { CSR_NAMES } from '../machine/csr';

export const ABI_NAMES = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

const reg = (r: number) => ABI_NAMES[r];
const csrName = (n: number) => CSR_NAMES.get(n) ?? `0x${n.toString(16)}`;
const hex = (v: number) => (v < 0 ? '-0x' + (-v).toString(16) : '0x' + v.toString(16));

/** Operand text for a decoded instruction; `pc` makes branch and jump targets absolute. */
function operands(format: Format, d: Decoded, pc?: number): string {
  const target = (off: number) => (pc === undefined ? hex(off) : '0x' + (pc + off).toString(16));
  switch (format) {
    case 'R': return `${reg(d.rd)}, ${reg(d.rs1)}, ${reg(d.rs2)}`;
    case 'I': return `${reg(d.rd)}, ${reg(d.rs1)}, ${d.imm}`;
    case 'SH6': case 'SH5': return `${reg(d.rd)}, ${reg(d.rs1)}, ${d.imm}`;
    case 'LOAD': case 'JALR': return `${reg(d.rd)}, ${d.imm}(${reg(d.rs1)})`;
    case 'S': return `${reg(d.rs2)}, ${d.imm}(${reg(d.rs1)})`;
    case 'B': return `${reg(d.rs1)}, ${reg(d.rs2)}, ${target(d.imm)}`;
    case 'U': return `${reg(d.rd)}, ${hex((d.imm >>> 12) & 0xfffff)}`;
    case 'J': return `${reg(d.rd)}, ${target(d.imm)}`;
    case 'CSR': return `${reg(d.rd)}, ${csrName(d.imm & 0xfff)}, ${reg(d.rs1)}`;
    case 'CSRI': return `${reg(d.rd)}, ${csrName(d.imm & 0xfff)}, ${d.rs1}`;
    case 'AMO': return `${reg(d.rd)}, ${reg(d.rs2)}, (${reg(d.rs1)})`;
    case 'LR': return `${reg(d.rd)}, (${reg(d.rs1)})`;
    case 'SFENCE': return `${reg(d.rs1)}, ${reg(d.rs2)}`;
    case 'FENCE': return fenceSet((d.imm >> 4) & 15) + ', ' + fenceSet(d.imm & 15);
    case 'NONE': return '';
  }
}

function fenceSet(bits: number): string {
  return (bits & 8 ? 'i' : '') + (bits & 4 ? 'o' : '') + (bits & 2 ? 'r' : '') + (bits & 1 ? 'w' : '') || '0';
}

/**
 * Operands of a compressed form as objdump prints it (-M no-aliases): only the operands the
 * encoding has, not the implicit ones of the base instruction it expands to (`c.mv s0, sp`, not
 * `c.mv s0, zero, sp`). Forms not listed print like their base instruction (`c.lw a0, 4(a1)`).
 */
function compressedOperands(name: string, d: Decoded, pc?: number): string | undefined {
  const target = (off: number) => (pc === undefined ? hex(off) : '0x' + (pc + off).toString(16));
  switch (name) {
    case 'c.addi': case 'c.addiw': case 'c.li': case 'c.andi': case 'c.addi16sp': return `${reg(d.rd)}, ${d.imm}`;
    // A shift by 0 is RV64's HINT form, c.slli64 and friends.
    case 'c.slli': case 'c.srli': case 'c.srai': return d.imm === 0 ? undefined : `${reg(d.rd)}, 0x${d.imm.toString(16)}`;
    case 'c.mv': case 'c.add': case 'c.sub': case 'c.xor': case 'c.or': case 'c.and': case 'c.subw': case 'c.addw': return `${reg(d.rd)}, ${reg(d.rs2)}`;
    case 'c.jr': case 'c.jalr': return reg(d.rs1);
    case 'c.j': return target(d.imm);
    case 'c.beqz': case 'c.bnez': return `${reg(d.rs1)}, ${target(d.imm)}`;
    default: return undefined;
  }
}

/** Disassemble one instruction (the low 16 bits decide its length). */
export function disassemble(bits: number, pc?: number): string {
  const d = decode(bits >>> 0);
  if (d.op === Op.ILLEGAL) return d.len === 2 ? `.2byte 0x${(bits & 0xffff).toString(16)}` : `.4byte 0x${(bits >>> 0).toString(16)}`;
  if (d.cname !== undefined && /^c\.s[lr][la]i$/.test(d.cname) && d.imm === 0) return `${d.cname}64 ${reg(d.rd)}`;
  const ops = (d.cname !== undefined ? compressedOperands(d.cname, d, pc) : undefined) ?? operands(ROW_OF[d.op].format, d, pc);
  return ops ? `${nameOf(d)} ${ops}` : nameOf(d);
}

export interface Operands { rd?: number; rs1?: number; rs2?: number; imm?: number; csr?: number; aq?: boolean; rl?: boolean }

/** Encode a base (32-bit) instruction from its mnemonic and operands. Throws on bad operands. */
export function encode(name: string, o: Operands = {}): number {
  const row = ROW_BY_NAME.get(name);
  if (!row) throw new Error(`encode: unknown instruction ${name}`);
  const rd = o.rd ?? 0, rs1 = o.rs1 ?? 0, rs2 = o.rs2 ?? 0, imm = o.imm ?? 0;
  for (const [k, v] of [['rd', rd], ['rs1', rs1], ['rs2', rs2]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 31) throw new Error(`encode ${name}: ${k}=${v} out of range`);
  }
  const checkImm = (bitsN: number, align = 1, unsigned = false) => {
    const lo = unsigned ? 0 : -(2 ** (bitsN - 1)), hi = unsigned ? 2 ** bitsN - 1 : 2 ** (bitsN - 1) - 1;
    if (!Number.isInteger(imm) || imm < lo || imm > hi || imm % align !== 0) throw new Error(`encode ${name}: immediate ${imm} out of range`);
  };
  let w = row.match;
  switch (row.format) {
    case 'R': w |= (rd << 7) | (rs1 << 15) | (rs2 << 20); break;
    case 'AMO': w |= (rd << 7) | (rs1 << 15) | (rs2 << 20) | ((o.aq ? 1 : 0) << 26) | ((o.rl ? 1 : 0) << 25); break;
    case 'LR': w |= (rd << 7) | (rs1 << 15) | ((o.aq ? 1 : 0) << 26) | ((o.rl ? 1 : 0) << 25); break;
    case 'I': case 'LOAD': case 'JALR': checkImm(12); w |= (rd << 7) | (rs1 << 15) | ((imm & 0xfff) << 20); break;
    case 'SH6': checkImm(6, 1, true); w |= (rd << 7) | (rs1 << 15) | (imm << 20); break;
    case 'SH5': checkImm(5, 1, true); w |= (rd << 7) | (rs1 << 15) | (imm << 20); break;
    case 'S': checkImm(12); w |= ((imm & 0x1f) << 7) | (rs1 << 15) | (rs2 << 20) | (((imm >> 5) & 0x7f) << 25); break;
    case 'B':
      checkImm(13, 2);
      w |= (((imm >> 11) & 1) << 7) | (((imm >> 1) & 0xf) << 8) | (rs1 << 15) | (rs2 << 20) | (((imm >> 5) & 0x3f) << 25) | (((imm >> 12) & 1) << 31);
      break;
    case 'U': w |= (rd << 7) | (imm & 0xfffff000); break;
    case 'J':
      checkImm(21, 2);
      w |= (rd << 7) | (((imm >> 12) & 0xff) << 12) | (((imm >> 11) & 1) << 20) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 20) & 1) << 31);
      break;
    case 'CSR': w |= (rd << 7) | (rs1 << 15) | (((o.csr ?? 0) & 0xfff) << 20); break;
    case 'CSRI': w |= (rd << 7) | ((imm & 31) << 15) | (((o.csr ?? 0) & 0xfff) << 20); break;
    case 'FENCE': w |= ((imm & 0xff) << 20); break;
    case 'SFENCE': w |= (rs1 << 15) | (rs2 << 20); break;
    case 'NONE': break;
  }
  return w >>> 0;
}
