// The platform's IOPMP: it checks every DMA access a device makes, as the RISC-V IOPMP
// specification describes (riscv-non-isa/iopmp-spec, "Registers" and "Priority and Matching
// Logic"). PMP checks only the hart's own accesses, so without it a device could be told to read
// or write any memory; with it the firmware confines each device to its owner's memory.
//
// The subset the platform implements (conformance/platform.md, "IOPMP"):
// - the full model: SRCMD table format 0 (SRCMD_EN per requestor) and MDCFG table format 0
//   (MDCFG(m).t per memory domain); 8 requestor ids (RRID s = virtio-mmio slot s), 8 memory
//   domains, 16 entries of which the first 8 are priority entries (HWCFG2.prio_entry = 8, not
//   programmable);
// - entries OFF, TOR, NA4 and NAPOT with r and w (x reads as r: no instruction fetches, chk_x = 0);
//   addresses are bits 33:2 (addrh_en = 0: ENTRY_ADDRH reads 0);
// - HWCFG0.enable (reset 0, sticky 1): until the firmware sets it every access passes, so software
//   that never programs the IOPMP (bare kernels, QEMU's own firmware) sees the platform as before;
// - the lock registers MDLCK, MDCFGLCK, ENTRYLCK, SRCMD_EN.l and ERR_CFG.l;
// - error capture of the first violation (ERR_INFO v/ttype/etype, ERR_REQADDR/H, ERR_REQID),
//   cleared by writing 1 to ERR_INFO.v. No interrupt line and no MSI (ERR_CFG.ie, msi_en read 0)
//   and always an error response (ERR_CFG.rs reads 0): the device sees the bus error and
//   reports it as the virtio specification says (virtio-mmio.ts).
// Not implemented (each optional in the specification): SPS, MDSTALL/RRIDSCP, ERR_MFR,
// ENTRY_USER_CFG, per-entry suppression, RRID translation, MDLCKH (md_num <= 31).
//
// A device's DMA access is a run of bus transactions, each inside one naturally aligned 64-byte
// block; each transaction is checked on its own (a priority entry must cover all of a
// transaction's bytes, not all of a long buffer's). An access with any denied transaction is
// denied as a whole before any byte moves, so nothing is read or written on either side.

import type { MmioDevice } from '../device';
import { IOPMP_BASE, IOPMP_SIZE } from './memory-map';

export const IOPMP_RRIDS = 8;
export const IOPMP_MDS = 8;
export const IOPMP_ENTRIES = 16;
export const IOPMP_PRIO_ENTRIES = 8;
/** Where the entry array starts (ENTRYOFFSET). */
export const IOPMP_ENTRY_OFFSET = 0x2000;
/** Bytes in one bus transaction (a naturally aligned burst). */
export const IOPMP_BURST = 64;

/** Register offsets (specification, "Register summary"). */
export const IOPMP_REG = {
  VERSION: 0x0, IMPLEMENTATION: 0x4, HWCFG0: 0x8, HWCFG1: 0xc, HWCFG2: 0x10, ENTRYOFFSET: 0x14,
  MDLCK: 0x40, MDLCKH: 0x44, MDCFGLCK: 0x48, ENTRYLCK: 0x4c,
  ERR_CFG: 0x60, ERR_INFO: 0x64, ERR_REQADDR: 0x68, ERR_REQADDRH: 0x6c, ERR_REQID: 0x70,
  MDCFG0: 0x800, SRCMD_EN0: 0x1000, SRCMD_STRIDE: 32,
  ENTRY_ADDR0: IOPMP_ENTRY_OFFSET, ENTRY_STRIDE: 16, ENTRY_CFG: 8,
} as const;

export const IOPMP_HWCFG0_ENABLE = 0x80000000;
/** ENTRY_CFG fields. */
export const IOPMP_CFG = { R: 1, W: 2, X: 4, OFF: 0 << 3, TOR: 1 << 3, NA4: 2 << 3, NAPOT: 3 << 3 } as const;
/** ERR_INFO.etype values. */
export const IOPMP_ETYPE = { ILLEGAL_READ: 1, ILLEGAL_WRITE: 2, PARTIAL_HIT: 4, NO_HIT: 5, UNKNOWN_RRID: 6 } as const;
/** The implementation id (IMPLEMENTATION register): "DV" and version 1. */
export const IOPMP_IMPID = 0x44560001;

/** The result of checking one access. */
export interface IopmpVerdict { etype: number; eid: number; addr: number }

const A_OFF = 0, A_TOR = 1, A_NA4 = 2, A_NAPOT = 3;

export class Iopmp implements MmioDevice {
  readonly name = 'iopmp';
  readonly base = IOPMP_BASE;
  readonly size = IOPMP_SIZE;
  readonly minWidth = 4;
  readonly maxWidth = 4;
  private enabled = false;
  private mdlck = 0;
  private mdcfglck = 0;
  private entrylck = 0;
  private errCfgLocked = false;
  private errV = false;
  private errTtype = 0;
  private errEtype = 0;
  private errAddr = 0;
  private errRrid = 0;
  private errEid = 0;
  private readonly mdcfg = new Uint16Array(IOPMP_MDS);
  /** SRCMD_EN(s): bit 0 the lock, bits 1.. the memory domains. */
  private readonly srcmd = new Uint32Array(IOPMP_RRIDS);
  private readonly entryAddr = new Uint32Array(IOPMP_ENTRIES);
  private readonly entryCfg = new Uint8Array(IOPMP_ENTRIES);
  /** Decoded regions [lo, hi) in bytes; recomputed on every entry write. */
  private readonly lo = new Float64Array(IOPMP_ENTRIES);
  private readonly hi = new Float64Array(IOPMP_ENTRIES);
  /** Denied accesses since reset (diagnostics and tests). */
  denials = 0;

  reset(): void {
    this.enabled = false; this.mdlck = 0; this.mdcfglck = 0; this.entrylck = 0; this.errCfgLocked = false;
    this.errV = false; this.errTtype = 0; this.errEtype = 0; this.errAddr = 0; this.errRrid = 0; this.errEid = 0;
    this.mdcfg.fill(0); this.srcmd.fill(0); this.entryAddr.fill(0); this.entryCfg.fill(0);
    this.decode();
    this.denials = 0;
  }

  constructor() { this.decode(); }

  get enable(): boolean { return this.enabled; }

  read(off: number): number {
    const R = IOPMP_REG;
    switch (off) {
      case R.VERSION: return 0; // no JEDEC vendor id; the specification version is not yet ratified
      case R.IMPLEMENTATION: return IOPMP_IMPID;
      case R.HWCFG0:
        // mdcfg_fmt 0, srcmd_fmt 0, tor_en, md_num, enable.
        return ((1 << 4) | (IOPMP_MDS << 24) | (this.enabled ? IOPMP_HWCFG0_ENABLE : 0)) >>> 0;
      case R.HWCFG1: return ((IOPMP_ENTRIES << 16) | IOPMP_RRIDS) >>> 0;
      case R.HWCFG2: return IOPMP_PRIO_ENTRIES;
      case R.ENTRYOFFSET: return IOPMP_ENTRY_OFFSET;
      case R.MDLCK: return this.mdlck;
      case R.MDCFGLCK: return this.mdcfglck;
      case R.ENTRYLCK: return this.entrylck;
      case R.ERR_CFG: return this.errCfgLocked ? 1 : 0;
      case R.ERR_INFO: return this.errV ? (1 | (this.errTtype << 1) | (this.errEtype << 4)) : 0;
      case R.ERR_REQADDR: return this.errV ? Math.floor(this.errAddr / 4) % 2 ** 32 : 0;
      case R.ERR_REQADDRH: return this.errV ? Math.floor(this.errAddr / 2 ** 34) % 2 ** 32 : 0;
      case R.ERR_REQID: return this.errV ? ((this.errEid << 16) | this.errRrid) >>> 0 : 0;
    }
    if (off >= R.MDCFG0 && off < R.MDCFG0 + 4 * IOPMP_MDS) return off % 4 ? 0 : this.mdcfg[(off - R.MDCFG0) / 4];
    if (off >= R.SRCMD_EN0 && off < R.SRCMD_EN0 + R.SRCMD_STRIDE * IOPMP_RRIDS) {
      // SRCMD_EN(s) only; SRCMD_ENH (md_num <= 31) and the SPS registers are not implemented.
      return (off - R.SRCMD_EN0) % R.SRCMD_STRIDE === 0 ? this.srcmd[(off - R.SRCMD_EN0) / R.SRCMD_STRIDE] : 0;
    }
    if (off >= R.ENTRY_ADDR0 && off < R.ENTRY_ADDR0 + R.ENTRY_STRIDE * IOPMP_ENTRIES) {
      const i = Math.floor((off - R.ENTRY_ADDR0) / R.ENTRY_STRIDE), field = (off - R.ENTRY_ADDR0) % R.ENTRY_STRIDE;
      if (field === 0) return this.entryAddr[i];
      if (field === R.ENTRY_CFG) return this.entryCfg[i];
    }
    return 0;
  }

  write(off: number, _width: 1 | 2 | 4, value: number): void {
    const R = IOPMP_REG, v = value >>> 0;
    switch (off) {
      case R.HWCFG0: if (v & IOPMP_HWCFG0_ENABLE) this.enabled = true; return; // W1SS
      case R.MDLCK:
        // l (bit 0) locks MDLCK itself; md bits are sticky to 1 (W1SS, per memory domain).
        if (!(this.mdlck & 1)) this.mdlck = (this.mdlck | (v & (((1 << IOPMP_MDS) - 1) << 1 | 1))) >>> 0;
        return;
      case R.MDCFGLCK: {
        if (this.mdcfglck & 1) return;
        const f = Math.max((this.mdcfglck >> 1) & 0x3f, Math.min((v >> 1) & 0x3f, IOPMP_MDS)); // incremental only
        this.mdcfglck = (f << 1) | (v & 1);
        return;
      }
      case R.ENTRYLCK: {
        if (this.entrylck & 1) return;
        const f = Math.max((this.entrylck >> 1) & 0xffff, Math.min((v >> 1) & 0xffff, IOPMP_ENTRIES));
        this.entrylck = (f << 1) | (v & 1);
        return;
      }
      case R.ERR_CFG: if (v & 1) this.errCfgLocked = true; return; // ie, rs, msi_en: wired 0
      case R.ERR_INFO: if (v & 1) this.errV = false; return; // W1C: the recorder re-arms
    }
    if (off >= R.MDCFG0 && off < R.MDCFG0 + 4 * IOPMP_MDS) {
      const m = (off - R.MDCFG0) / 4;
      if (off % 4 || m < ((this.mdcfglck >> 1) & 0x3f)) return;
      this.mdcfg[m] = Math.min(v & 0xffff, IOPMP_ENTRIES); // WARL: no top index beyond the array
      return;
    }
    if (off >= R.SRCMD_EN0 && off < R.SRCMD_EN0 + R.SRCMD_STRIDE * IOPMP_RRIDS) {
      if ((off - R.SRCMD_EN0) % R.SRCMD_STRIDE) return;
      const s = (off - R.SRCMD_EN0) / R.SRCMD_STRIDE, old = this.srcmd[s];
      if (old & 1) return; // SRCMD_EN(s).l locks the requestor's row
      const locked = this.mdlck & ~1; // MDLCK.md[m] (bit m + 1) locks column m for every requestor
      const md = (v & ((1 << IOPMP_MDS) - 1) << 1);
      this.srcmd[s] = ((old & locked) | (md & ~locked) | (v & 1)) >>> 0;
      return;
    }
    if (off >= R.ENTRY_ADDR0 && off < R.ENTRY_ADDR0 + R.ENTRY_STRIDE * IOPMP_ENTRIES) {
      const i = Math.floor((off - R.ENTRY_ADDR0) / R.ENTRY_STRIDE), field = (off - R.ENTRY_ADDR0) % R.ENTRY_STRIDE;
      if (i < ((this.entrylck >> 1) & 0xffff)) return; // ENTRYLCK.f: entries below it are locked
      if (field === 0) this.entryAddr[i] = v;
      else if (field === R.ENTRY_CFG) {
        // r, w, a; x is not implemented and reads as r (chk_x = 0).
        const r = v & 1, w = v & 2, a = v & 0x18;
        this.entryCfg[i] = r | w | (r << 2) | a;
      } else return;
      this.decode();
    }
  }

  private decode(): void {
    for (let i = 0; i < IOPMP_ENTRIES; i++) {
      const a = (this.entryCfg[i] >> 3) & 3, addr = this.entryAddr[i] * 4;
      let lo = 0, hi = 0;
      if (a === A_TOR) { lo = i === 0 ? 0 : this.entryAddr[i - 1] * 4; hi = addr; }
      else if (a === A_NA4) { lo = addr; hi = addr + 4; }
      else if (a === A_NAPOT) {
        // Trailing ones t of ENTRY_ADDR: a region of 2^(t+3) bytes (as PMP's NAPOT).
        let t = 0, x = this.entryAddr[i];
        while (t < 32 && (x & 1)) { x = Math.floor(x / 2); t++; }
        const size = 2 ** (t + 3);
        lo = Math.floor(addr / size) * size; hi = lo + size;
      }
      if (a === A_OFF || hi <= lo) { lo = 0; hi = 0; }
      this.lo[i] = lo; this.hi[i] = hi;
    }
  }

  /** The memory domain entry `j` belongs to (MDCFG format 0), or -1. */
  private domainOf(j: number): number {
    let below = 0;
    for (let m = 0; m < IOPMP_MDS; m++) {
      const t = this.mdcfg[m];
      if (j >= below && j < t) return m;
      below = Math.max(below, t);
    }
    return -1;
  }

  /**
   * Check one transaction (inside one burst) of requestor `rrid`; null when legal, else the
   * violation. The specification's order: unknown RRID; the first priority entry that touches any
   * byte decides (partial hit, or its permission); then non-priority entries that cover every byte
   * (any one permitting grants it); no match at all is "not hit any rule".
   */
  private checkOne(rrid: number, addr: number, len: number, write: boolean): IopmpVerdict | null {
    if (rrid < 0 || rrid >= IOPMP_RRIDS) return { etype: IOPMP_ETYPE.UNKNOWN_RRID, eid: 0xffff, addr };
    const mds = this.srcmd[rrid] >>> 1;
    const end = addr + len;
    const perm = write ? IOPMP_CFG.W : IOPMP_CFG.R;
    const illegal = write ? IOPMP_ETYPE.ILLEGAL_WRITE : IOPMP_ETYPE.ILLEGAL_READ;
    let matched = -1;
    for (let j = 0; j < IOPMP_ENTRIES; j++) {
      if (this.hi[j] === 0) continue;
      const m = this.domainOf(j);
      if (m < 0 || !((mds >> m) & 1)) continue;
      if (j < IOPMP_PRIO_ENTRIES) {
        if (end <= this.lo[j] || addr >= this.hi[j]) continue;
        if (addr < this.lo[j] || end > this.hi[j]) return { etype: IOPMP_ETYPE.PARTIAL_HIT, eid: j, addr };
        return this.entryCfg[j] & perm ? null : { etype: illegal, eid: j, addr };
      }
      if (addr >= this.lo[j] && end <= this.hi[j]) {
        if (this.entryCfg[j] & perm) return null;
        if (matched < 0) matched = j;
      }
    }
    return matched >= 0 ? { etype: illegal, eid: matched, addr } : { etype: IOPMP_ETYPE.NO_HIT, eid: 0xffff, addr };
  }

  /**
   * Check a device's DMA access of `len` bytes at `addr` by requestor `rrid`, transaction by
   * transaction; the first violation is captured in the error registers (if the recorder is
   * free). Returns null when every transaction is legal.
   */
  check(rrid: number, addr: number, len: number, write: boolean): IopmpVerdict | null {
    if (!this.enabled || len <= 0) return null;
    let verdict: IopmpVerdict | null = null;
    // Fast path: one transaction, or a single entry that decides every transaction of the access
    // the same way (checkOne on the whole range returns null only when one entry covers all of it
    // and permits, which then holds for each burst inside it too).
    if (this.checkOne(rrid, addr, len, write) !== null) {
      for (let a = addr; a < addr + len;) {
        const next = Math.min(addr + len, (Math.floor(a / IOPMP_BURST) + 1) * IOPMP_BURST);
        verdict = this.checkOne(rrid, a, next - a, write);
        if (verdict) break;
        a = next;
      }
    }
    if (verdict) {
      this.denials++;
      if (!this.errV) {
        this.errV = true; this.errTtype = write ? 2 : 1; this.errEtype = verdict.etype;
        this.errAddr = verdict.addr; this.errRrid = rrid & 0xffff; this.errEid = verdict.eid;
      }
    }
    return verdict;
  }
}
