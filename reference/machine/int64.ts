// 64-bit helpers over (lo, hi) pairs of signed 32-bit halves, the hart's register representation.
// Node 20 runs these far faster than BigInt arithmetic; the rare wide cases fall back to BigInt.

const TWO32 = 4294967296;
// A module constant, not a global lookup (slow in vm contexts such as jest's).
const floor = Math.floor;

export function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0);
}

export function toBigU(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Halves of a bigint taken modulo 2^64. */
export function loOf(v: bigint): number {
  return Number(BigInt.asUintN(32, v)) | 0;
}
export function hiOf(v: bigint): number {
  return Number(BigInt.asUintN(32, v >> 32n)) | 0;
}

/** A double holding a signed 64-bit value; exact when |v| < 2^53. */
export function toNum(lo: number, hi: number): number {
  return hi * TWO32 + (lo >>> 0);
}

export function isSafePair(hi: number): boolean {
  return hi >= -0x200000 && hi < 0x200000;
}

/** Unsigned 32x32 -> 64 multiply; returns the low half and leaves the high half in MUL_HI[0]. */
export const MUL_HI = new Int32Array(1);
export function mulu32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  MUL_HI[0] = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
  return ((mid << 16) | (p00 & 0xffff)) | 0;
}

export function hex64(v: bigint): string {
  return '0x' + BigInt.asUintN(64, v).toString(16).padStart(16, '0');
}

/** Results of the wide helpers below: [lo, hi] of a high product, or [qlo, qhi, rlo, rhi]. */
export const WIDE = new Int32Array(4);

/** High 64 bits of the unsigned 128-bit product of a and b (halves), into WIDE[0..1]. */
export function mulhu64(al: number, ah: number, bl: number, bh: number): void {
  mulu32(al, bl); const h00 = MUL_HI[0] >>> 0;
  const l01 = mulu32(al, bh) >>> 0; const h01 = MUL_HI[0] >>> 0;
  const l10 = mulu32(ah, bl) >>> 0; const h10 = MUL_HI[0] >>> 0;
  const l11 = mulu32(ah, bh) >>> 0; const h11 = MUL_HI[0] >>> 0;
  // Column sums stay below 2^53, so doubles carry exactly; `| 0` keeps the low 32 bits.
  const carry1 = floor((h00 + l01 + l10) / TWO32);
  const c2 = h01 + h10 + l11 + carry1;
  WIDE[0] = c2 | 0;
  WIDE[1] = (h11 + floor(c2 / TWO32)) | 0;
}

/**
 * Unsigned 64-bit a / b (b != 0) into WIDE as quotient and remainder halves, when doubles can do
 * it exactly: a divisor below 2^21 (long division by 32-bit digits keeps every step below 2^53),
 * or both operands below 2^53. Returns false otherwise (the caller falls back to BigInt).
 */
export function divu64(al: number, ah: number, bl: number, bh: number): boolean {
  const aH = ah >>> 0, aL = al >>> 0, bL = bl >>> 0;
  if (bh === 0 && bL < 0x200000) {
    const qh = floor(aH / bL);
    const t = (aH - qh * bL) * TWO32 + aL;
    const ql = floor(t / bL);
    WIDE[0] = ql | 0; WIDE[1] = qh | 0; WIDE[2] = (t - ql * bL) | 0; WIDE[3] = 0;
    return true;
  }
  const bH = bh >>> 0;
  if (aH < 0x200000 && bH < 0x200000) {
    const a = aH * TWO32 + aL, b = bH * TWO32 + bL;
    let q = floor(a / b), r = a - q * b;
    if (r < 0) { q--; r += b; } else if (r >= b) { q++; r -= b; }
    WIDE[0] = q | 0; WIDE[1] = floor(q / TWO32) | 0; WIDE[2] = r | 0; WIDE[3] = floor(r / TWO32) | 0;
    return true;
  }
  return false;
}
