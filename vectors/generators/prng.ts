// SplitMix64: the generators' only source of randomness, always seeded, so a vector file is a
// pure function of (generator version, seed).

export class Prng {
  private s: bigint;
  constructor(seed: bigint | number) { this.s = BigInt.asUintN(64, BigInt(seed)); }

  next64(): bigint {
    this.s = BigInt.asUintN(64, this.s + 0x9e3779b97f4a7c15n);
    let z = this.s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }

  /** Uniform integer in [0, n). */
  below(n: number): number { return Number(this.next64() % BigInt(n)); }

  pick<T>(items: readonly T[]): T { return items[this.below(items.length)]; }

  /** A 64-bit value biased toward the edges that break arithmetic. */
  interesting64(): bigint {
    const r = this.below(4);
    if (r === 0) return this.pick(EDGE_VALUES);
    if (r === 1) return BigInt.asUintN(64, this.pick(EDGE_VALUES) + BigInt(this.below(5)) - 2n);
    if (r === 2) return BigInt.asUintN(64, BigInt.asIntN(32, this.next64())); // sign-extended 32-bit
    return this.next64();
  }
}

const M = (v: bigint) => BigInt.asUintN(64, v);
/** Operands at the boundaries of signed/unsigned 32- and 64-bit arithmetic. */
export const EDGE_VALUES: readonly bigint[] = [
  0n, 1n, 2n, M(-1n), M(-2n),
  0x7fffffffffffffffn, 0x8000000000000000n,
  0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, M(-0x80000000n), M(-0x80000001n),
  0x00000000ffff0000n, 0x5555555555555555n, 0xaaaaaaaaaaaaaaaan, 0x0123456789abcdefn,
];
