// Physical memory protection (privileged spec 1.12, section 3.7), 16 entries, grain 4 bytes.
//
// No entry matching means M succeeds and S/U fail, because all 16 entries are implemented
// (3.7.1: "If no PMP entry matches an S-mode or U-mode access, but at least one PMP entry is
// implemented, the access fails"), whether or not any entry is active. Firmware opens memory for
// S and U with an entry of its own; QEMU 7.2 denies there too.

import { Access } from './trap-causes';

export const PMP_ENTRIES = 16;
const ADDR_MASK = (1n << 54n) - 1n;

const enum A { OFF = 0, TOR = 1, NA4 = 2, NAPOT = 3 }
const R = 1, W = 2, X = 4, L = 0x80;

/** Result of asking whether a whole page has one PMP verdict. */
export const enum PageVerdict { Deny = 0, Allow = 1, Mixed = 2 }

export class Pmp {
  readonly cfg = new Uint8Array(PMP_ENTRIES);
  readonly addr: bigint[] = new Array<bigint>(PMP_ENTRIES).fill(0n);
  // Decoded ranges [lo, hi) as doubles: exact below 2^53, and nothing the bus maps lies above.
  private readonly lo = new Float64Array(PMP_ENTRIES);
  private readonly hi = new Float64Array(PMP_ENTRIES);
  private active = 0;
  /** Bumped on every change, so translation caches know when to forget verdicts. */
  generation = 0;

  reset(): void {
    this.cfg.fill(0);
    this.addr.fill(0n);
    this.recompute();
  }

  readCfg(reg: number): bigint {
    // RV64: pmpcfg0 holds entries 0..7, pmpcfg2 entries 8..15.
    const base = (reg >> 1) * 8;
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(this.cfg[base + i]);
    return v;
  }

  /** `reservedRW` says how the hart legalises the reserved R=0, W=1 (reference/machine/choices.ts). */
  writeCfg(reg: number, value: bigint, reservedRW: () => 'keep-previous' | 'clear-w' = () => 'keep-previous'): void {
    const base = (reg >> 1) * 8;
    for (let i = 0; i < 8; i++) {
      const e = base + i;
      if (this.cfg[e] & L) continue;
      let b = Number((value >> BigInt(8 * i)) & 0xffn) & 0x9f;
      // R=0, W=1 is reserved: keep the entry's previous R/W/X rather than make it W-only (or,
      // as the other legal choice, drop W).
      if ((b & (R | W)) === W) b = reservedRW() === 'clear-w' ? b & ~W : (b & ~7) | (this.cfg[e] & 7);
      this.cfg[e] = b;
    }
    this.recompute();
  }

  readAddr(i: number): bigint {
    return this.addr[i];
  }

  writeAddr(i: number, value: bigint): void {
    if (this.cfg[i] & L) return;
    // A locked TOR entry also locks the address register below it (its base).
    if (i + 1 < PMP_ENTRIES && (this.cfg[i + 1] & L) && ((this.cfg[i + 1] >> 3) & 3) === A.TOR) return;
    this.addr[i] = value & ADDR_MASK;
    this.recompute();
  }

  private recompute(): void {
    this.active = 0;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const mode = (this.cfg[i] >> 3) & 3;
      const a = this.addr[i];
      let lo = 0, hi = 0;
      if (mode === A.TOR) {
        lo = i === 0 ? 0 : Number(this.addr[i - 1] << 2n);
        hi = Number(a << 2n);
      } else if (mode === A.NA4) {
        lo = Number(a << 2n); hi = lo + 4;
      } else if (mode === A.NAPOT) {
        // Trailing ones of pmpaddr encode the size: 2^(ones+3) bytes.
        let ones = 0n;
        while (ones < 54n && ((a >> ones) & 1n) === 1n) ones++;
        const size = 1n << (ones + 3n);
        const base = (a & ~((1n << ones) - 1n)) << 2n;
        lo = Number(base); hi = Number(base + size);
      }
      if (mode !== A.OFF) this.active++;
      this.lo[i] = lo; this.hi[i] = hi;
    }
    this.generation++;
  }

  /** Does an access of `size` bytes at `pa` by privilege `priv` (0 U, 1 S, 3 M) pass? */
  check(pa: number, size: number, priv: number, access: Access): boolean {
    if (this.active === 0) return priv === 3;
    const end = pa + size;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const c = this.cfg[i];
      if (((c >> 3) & 3) === A.OFF) continue;
      const lo = this.lo[i], hi = this.hi[i];
      if (end <= lo || pa >= hi) continue;
      // The lowest-numbered entry that matches any byte decides, and must match all of them.
      if (pa < lo || end > hi) return false;
      if (priv === 3 && !(c & L)) return true;
      return (c & permBit(access)) !== 0;
    }
    return priv === 3;
  }

  /** One verdict for every aligned access inside the 4 KiB page at `page`, or Mixed. */
  pageVerdict(page: number, priv: number, access: Access): PageVerdict {
    if (this.active === 0) return priv === 3 ? PageVerdict.Allow : PageVerdict.Deny;
    const end = page + 4096;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const c = this.cfg[i];
      if (((c >> 3) & 3) === A.OFF) continue;
      const lo = this.lo[i], hi = this.hi[i];
      if (end <= lo || page >= hi) continue;
      if (page < lo || end > hi) return PageVerdict.Mixed;
      if (priv === 3 && !(c & L)) return PageVerdict.Allow;
      return (c & permBit(access)) !== 0 ? PageVerdict.Allow : PageVerdict.Deny;
    }
    return priv === 3 ? PageVerdict.Allow : PageVerdict.Deny;
  }
}

function permBit(access: Access): number {
  return access === Access.Fetch ? X : access === Access.Load ? R : W;
}
