// The M extension (unprivileged spec 20191213 ch. 7). `mulDivDefinition` is what each operation
// means, on BigInt, including division by zero and overflow (table 7.1); it is the one
// definition. The functions below it compute the same on the hart's (lo, hi) register halves
// without BigInt where they can, and fall back to the definition where doubles cannot be exact.
// test/machine/muldiv.test.ts checks them against the definition over edge and seeded operands.

import { Op } from './isa/opcodes';
import { MUL_HI, WIDE, divu64, hiOf, loOf, mulhu64, mulu32, toBigU } from './int64';

// Math's functions as module constants (a global lookup is slow in vm contexts such as jest's).
const floor = Math.floor, imul = Math.imul, trunc = Math.trunc;

const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
/** A 32-bit result written to a 64-bit register: sign-extended (the *W forms). */
const sext32 = (v: bigint): bigint => u64(BigInt.asIntN(32, v));

/**
 * rd for M-extension operation `op` on register values `a` and `b` (unsigned 64-bit), as an
 * unsigned 64-bit value. Division by zero gives all ones (quotient) or the dividend (remainder);
 * the most negative value divided by -1 gives itself (quotient) or zero (remainder).
 */
export function mulDivDefinition(op: Op, a: bigint, b: bigint): bigint {
  const sa = s64(a), sb = s64(b);
  const a32 = BigInt.asIntN(32, a), b32 = BigInt.asIntN(32, b);
  const ua32 = BigInt.asUintN(32, a), ub32 = BigInt.asUintN(32, b);
  switch (op) {
    case Op.MUL: return u64(a * b);
    case Op.MULH: return u64((sa * sb) >> 64n);
    case Op.MULHSU: return u64((sa * b) >> 64n);
    case Op.MULHU: return (a * b) >> 64n;
    case Op.DIV: return b === 0n ? M64 : (sa === -(1n << 63n) && sb === -1n) ? a : u64(sa / sb);
    case Op.DIVU: return b === 0n ? M64 : a / b;
    case Op.REM: return b === 0n ? a : (sa === -(1n << 63n) && sb === -1n) ? 0n : u64(sa % sb);
    case Op.REMU: return b === 0n ? a : a % b;
    case Op.MULW: return sext32(a32 * b32);
    case Op.DIVW: return b32 === 0n ? M64 : (a32 === -(1n << 31n) && b32 === -1n) ? sext32(a32) : sext32(a32 / b32);
    case Op.DIVUW: return ub32 === 0n ? M64 : sext32(ua32 / ub32);
    case Op.REMW: return b32 === 0n ? sext32(a32) : (a32 === -(1n << 31n) && b32 === -1n) ? 0n : sext32(a32 % b32);
    case Op.REMUW: return ub32 === 0n ? sext32(ua32) : sext32(ua32 % ub32);
    default: throw new Error(`internal: op ${op} is not an M-extension operation`);
  }
}

// ---- the hart's paths: x holds registers as (lo, hi) halves; rd, rs1, rs2 index pairs ------------
// MUL and the *W forms are small enough for V8 to inline into the run loop.

export function mul(x: Int32Array, rd: number, rs1: number, rs2: number): void {
  const al = x[rs1], bl = x[rs2];
  const lo = mulu32(al, bl);
  const hi = (MUL_HI[0] + imul(x[rs1 + 1], bl) + imul(al, x[rs2 + 1])) | 0;
  x[rd] = lo; x[rd + 1] = hi;
}

export function mulw(x: Int32Array, rd: number, rs1: number, rs2: number): void {
  const v = imul(x[rs1], x[rs2]); x[rd] = v; x[rd + 1] = v >> 31;
}

export function divw(x: Int32Array, rd: number, rs1: number, rs2: number): void {
  const a = x[rs1], b = x[rs2];
  const v = b === 0 ? -1 : (a === -2147483648 && b === -1) ? a : (a / b) | 0;
  x[rd] = v; x[rd + 1] = v >> 31;
}

export function divuw(x: Int32Array, rd: number, rs1: number, rs2: number): void {
  const a = x[rs1] >>> 0, b = x[rs2] >>> 0;
  const v = b === 0 ? -1 : (floor(a / b) | 0);
  x[rd] = v; x[rd + 1] = v >> 31;
}

export function remw(x: Int32Array, rd: number, rs1: number, rs2: number): void {
  const a = x[rs1], b = x[rs2];
  const v = b === 0 ? a : (a === -2147483648 && b === -1) ? 0 : (a % b) | 0;
  x[rd] = v; x[rd + 1] = v >> 31;
}

export function remuw(x: Int32Array, rd: number, rs1: number, rs2: number): void {
  const a = x[rs1] >>> 0, b = x[rs2] >>> 0;
  const v = b === 0 ? (a | 0) : ((a % b) | 0);
  x[rd] = v; x[rd + 1] = v >> 31;
}

/** MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU: the operations that need more than 64 bits or a full 64-bit divide. */
export function mulDiv64(x: Int32Array, op: number, rd: number, rs1: number, rs2: number): void {
  const al = x[rs1], ah = x[rs1 + 1], bl = x[rs2], bh = x[rs2 + 1];
  // Fast path: both operands are sign-extended 32-bit values.
  if (op === Op.DIV || op === Op.REM) {
    if (ah === al >> 31 && bh === bl >> 31 && !(al === -2147483648 && bl === -1)) {
      let v: number;
      if (bl === 0) v = op === Op.DIV ? -1 : al;
      else v = op === Op.DIV ? trunc(al / bl) : al % bl;
      x[rd] = v | 0; x[rd + 1] = v < 0 ? -1 : 0; return;
    }
  } else if ((op === Op.DIVU || op === Op.REMU) && ah === 0 && bh === 0) {
    const a = al >>> 0, b = bl >>> 0;
    let v: number;
    if (b === 0) v = op === Op.DIVU ? -1 : a;
    else v = op === Op.DIVU ? floor(a / b) : a % b;
    if (v === -1) { x[rd] = -1; x[rd + 1] = -1; } else { x[rd] = v | 0; x[rd + 1] = 0; }
    return;
  } else if (op === Op.MULHU && ah === 0 && bh === 0) {
    x[rd] = 0; x[rd + 1] = 0; return; // the product is below 2^64
  }
  if (mulDivWide(x, op, rd, al, ah, bl, bh)) return;
  const r = mulDivDefinition(op, toBigU(al, ah), toBigU(bl, bh));
  x[rd] = loOf(r); x[rd + 1] = hiOf(r);
}

/**
 * The full-width operations on 32-bit halves (no BigInt): high products always, divisions when
 * divu64 can do them exactly. Returns false to leave the case to the definition.
 */
function mulDivWide(x: Int32Array, op: number, rd: number, al: number, ah: number, bl: number, bh: number): boolean {
  if (op === Op.MULHU || op === Op.MULH || op === Op.MULHSU) {
    mulhu64(al, ah, bl, bh);
    let lo = WIDE[0], hi = WIDE[1];
    // Signed high products from the unsigned one: subtract b when a < 0, a when b < 0 (mod 2^64).
    if (op !== Op.MULHU && ah < 0) { const s = (lo >>> 0) - (bl >>> 0); hi = (hi - bh - (s < 0 ? 1 : 0)) | 0; lo = s | 0; }
    if (op === Op.MULH && bh < 0) { const s = (lo >>> 0) - (al >>> 0); hi = (hi - ah - (s < 0 ? 1 : 0)) | 0; lo = s | 0; }
    x[rd] = lo; x[rd + 1] = hi;
    return true;
  }
  if (bl === 0 && bh === 0) return false;
  const signed = op === Op.DIV || op === Op.REM;
  if (signed && ah === -2147483648 && al === 0 && bl === -1 && bh === -1) return false;
  const negA = signed && ah < 0, negB = signed && bh < 0;
  // Magnitudes of signed operands (two's complement negation on halves).
  let ml = al, mh = ah, nl = bl, nh = bh;
  if (negA) { ml = (-al) | 0; mh = (~ah + (al === 0 ? 1 : 0)) | 0; }
  if (negB) { nl = (-bl) | 0; nh = (~bh + (bl === 0 ? 1 : 0)) | 0; }
  if (!divu64(ml, mh, nl, nh)) return false;
  const quotient = op === Op.DIV || op === Op.DIVU;
  let lo = quotient ? WIDE[0] : WIDE[2], hi = quotient ? WIDE[1] : WIDE[3];
  if (quotient ? negA !== negB : negA) { const l = (-lo) | 0; hi = (~hi + (lo === 0 ? 1 : 0)) | 0; lo = l; }
  x[rd] = lo; x[rd + 1] = hi;
  return true;
}
