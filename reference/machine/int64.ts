// 64-bit helpers over (lo, hi) pairs of signed 32-bit halves, the hart's register representation.
// Node 20 runs these far faster than BigInt arithmetic; the rare wide cases fall back to BigInt.

const TWO32 = 4294967296;

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
