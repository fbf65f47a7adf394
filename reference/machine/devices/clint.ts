// CLINT (SiFive core-local interruptor, as QEMU virt's ACLINT MSWI + MTIMER pair) for one hart:
// msip at +0, mtimecmp at +0x4000, mtime at +0xbff8. 64-bit registers are read and written as two
// 32-bit halves (the bus splits 8-byte accesses, low half first), so RV64 `sd`/`ld` and RV32-style
// pairs of `sw`/`lw` both work.

import { HartPins, MmioDevice, TimeSource, mergeSubword, readSubword } from '../device';
import { CLINT_BASE, CLINT_SIZE } from './memory-map';

export const MSIP = 0x0;
export const MTIMECMP = 0x4000;
export const MTIME = 0xbff8;
const TWO32 = 4294967296;

export class Clint implements MmioDevice {
  readonly name = 'clint';
  readonly base = CLINT_BASE;
  readonly size = CLINT_SIZE;
  readonly minWidth = 4;
  private msip = 0;
  private cmpLo = 0;
  private cmpHi = 0;
  /** mtime minus the machine's cycle-derived time (software may write mtime). */
  mtimeOffset = 0;
  // QEMU raises MTIP only once software has written mtimecmp; until then the comparator is idle.
  private armed = false;

  constructor(private readonly pins: HartPins, private readonly time: TimeSource) {}

  reset(): void {
    this.msip = 0; this.cmpLo = 0; this.cmpHi = 0; this.mtimeOffset = 0; this.armed = false;
    this.pins.setMsip(false);
  }

  /** mtimecmp of a hart as a double (exact below 2^53, ordered correctly above); Infinity before any write. */
  mtimecmp(_hart: number): number { return this.armed ? this.cmpHi * TWO32 + this.cmpLo : Infinity; }

  read(off: number, width: 1 | 2 | 4): number {
    const o = off & ~3;
    let word = 0;
    if (o === MSIP) word = this.msip;
    else if (o === MTIMECMP) word = this.cmpLo;
    else if (o === MTIMECMP + 4) word = this.cmpHi;
    else if (o === MTIME || o === MTIME + 4) {
      const now = this.time.mtime();
      word = o === MTIME ? now % TWO32 : Math.floor(now / TWO32);
    }
    return readSubword(word, off, width);
  }

  write(off: number, width: 1 | 2 | 4, value: number): void {
    const o = off & ~3;
    if (o === MSIP) {
      // Only bit 0 exists; the others read as zero (ACLINT spec, MSIP register).
      this.msip = mergeSubword(this.msip, off, width, value) & 1;
      this.pins.setMsip(this.msip !== 0);
    } else if (o === MTIMECMP || o === MTIMECMP + 4) {
      if (o === MTIMECMP) this.cmpLo = mergeSubword(this.cmpLo, off, width, value);
      else this.cmpHi = mergeSubword(this.cmpHi, off, width, value);
      this.armed = true;
      this.pins.timerChanged();
    } else if (o === MTIME || o === MTIME + 4) {
      const now = this.time.mtime();
      let lo = now % TWO32, hi = Math.floor(now / TWO32);
      if (o === MTIME) lo = mergeSubword(lo, off, width, value); else hi = mergeSubword(hi, off, width, value);
      this.mtimeOffset += hi * TWO32 + lo - now;
      this.pins.timerChanged();
    }
  }
}
