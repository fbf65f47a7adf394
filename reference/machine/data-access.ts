// The slow paths of loads and stores, taken when the translation cache misses or the access is
// not naturally aligned RAM: exact effective addresses, misaligned accesses (the decision is
// `misalignedDataPerformed`), accesses that span pages, devices and the boot ROM. The fast paths
// (a cache hit on aligned RAM) are in hart.ts.

import type { Hart } from './hart';
import { EVENT_COST } from './cycle-model';
import { Access } from './trap-causes';
import { toBig, toNum } from './int64';
import { translate } from './translation';
import { accessFaultCause, addressTval, misalignedCause, pageFaultCause } from './traps';

// A module constant, not a global lookup (slow in vm contexts such as jest's).
const floor = Math.floor;
const TWO52 = 4503599627370496;

/**
 * Where a misaligned load or store is decided. The ISA lets the execution environment either
 * perform it or raise an address-misaligned exception (unprivileged spec 20191213 2.6; privileged
 * spec 1.12 3.6.3.2 for the access-fault alternative). This platform performs every misaligned
 * load and store, as QEMU 7.2 does; LR/SC and AMOs are decided in amo.ts (they always trap).
 */
export function misalignedDataPerformed(h: Hart, va: number, _size: number, access: Access): boolean {
  // The other legal choices (reference/machine/choices.ts): address-misaligned or an access fault.
  const how = h.choose('misaligned');
  if (how === 'access-fault') h.raise(accessFaultCause(access), addressTval(va));
  return how === 'perform';
}

/** The effective address x[rs1]+imm as a double, or a fault when no canonical address can be that far. */
export function exactAddress(h: Hart, rs1: number, imm: number, access: Access): number {
  // Every slow access starts here (device registers, a page's first touch): without BigInt when
  // the high half is within +-2^20, where the double x[rs1] + imm is exact and cannot wrap (imm is
  // an int32), so it is the same number the BigInt arithmetic below gives.
  const hi = h.x[rs1 + 1];
  if (hi >= -0x100000 && hi < 0x100000) {
    const va = toNum(h.x[rs1], hi) + imm;
    if (va >= -TWO52 && va < TWO52) return va;
  }
  const exact = BigInt.asIntN(64, toBig(h.x[rs1], h.x[rs1 + 1]) + BigInt(imm));
  if (exact >= -(1n << 52n) && exact < (1n << 52n)) return Number(exact);
  const paged = h.dataPriv() !== 3 && h.satpMode !== 0;
  return h.raise(paged ? pageFaultCause(access) : accessFaultCause(access), BigInt.asUintN(64, exact));
}

export function loadSlow(h: Hart, rs1: number, imm: number, size: number): number {
  const va = exactAddress(h, rs1, imm, Access.Load);
  if (va % size !== 0 && !misalignedDataPerformed(h, va, size, Access.Load)) h.raise(misalignedCause(Access.Load), addressTval(va));
  const pageEnd = (floor(va / 4096) + 1) * 4096;
  if (va + size <= pageEnd) {
    const pa = translate(h, va, Access.Load, size);
    return readPhys(h, pa, size, Access.Load, va);
  }
  // Misaligned across a page boundary: both pages must translate before anything is read.
  const first = pageEnd - va;
  const pa1 = translate(h, va, Access.Load, first);
  const pa2 = translate(h, pageEnd, Access.Load, size - first);
  let lo = 0, hi = 0;
  for (let i = 0; i < size; i++) {
    const b = readPhys(h, i < first ? pa1 + i : pa2 + (i - first), 1, Access.Load, va + i) & 0xff;
    if (i < 4) lo |= b << (8 * i); else hi |= b << (8 * (i - 4));
  }
  h.rhi = hi;
  return lo;
}

export function storeSlow(h: Hart, rs1: number, imm: number, size: number, lo: number, hi: number): void {
  const va = exactAddress(h, rs1, imm, Access.Store);
  if (va % size !== 0 && !misalignedDataPerformed(h, va, size, Access.Store)) h.raise(misalignedCause(Access.Store), addressTval(va));
  const pageEnd = (floor(va / 4096) + 1) * 4096;
  if (va + size <= pageEnd) {
    const pa = translate(h, va, Access.Store, size);
    writePhys(h, pa, size, lo, hi, va);
    return;
  }
  const first = pageEnd - va;
  const pa1 = translate(h, va, Access.Store, first);
  const pa2 = translate(h, pageEnd, Access.Store, size - first);
  for (let i = 0; i < size; i++) {
    const b = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff;
    writePhys(h, i < first ? pa1 + i : pa2 + (i - first), 1, b, 0, va + i);
  }
}

/** Read from a physical address that translation and PMP have approved; the high half of 8 bytes goes to h.rhi. */
export function readPhys(h: Hart, pa: number, size: number, access: Access, va: number): number {
  const off = pa - h.ramBase;
  if (off >= 0 && off + size <= h.ramSize) {
    const v = h.ramView;
    switch (size) {
      case 1: return h.ram[off];
      case 2: return v.getUint16(off, true);
      case 4: return v.getInt32(off, true);
      default: h.rhi = v.getInt32(off + 4, true); return v.getInt32(off, true);
    }
  }
  h.cycles += EVENT_COST.mmioAccess;
  const bus = h.bus;
  const rom = bus.romAt(pa);
  if (rom !== null && pa - rom.base + size <= rom.bytes.length) {
    const b = rom.bytes, o = pa - rom.base;
    let lo = 0, hi = 0;
    for (let i = 0; i < size; i++) { if (i < 4) lo |= b[o + i] << (8 * i); else hi |= b[o + i] << (8 * (i - 4)); }
    h.rhi = hi;
    return lo;
  }
  let lo: number, hi = 0;
  if (size === 8) {
    if (bus.accepts8?.(pa) === false) lo = NaN;
    else { lo = bus.read(pa, 4); hi = bus.read(pa + 4, 4); }
  } else if ((pa & (size - 1)) !== 0) {
    lo = 0;
    for (let i = 0; i < size; i++) {
      const b = bus.read(pa + i, 1);
      if (Number.isNaN(b)) { lo = NaN; break; }
      lo |= (b & 0xff) << (8 * i);
    }
  } else {
    lo = bus.read(pa, size as 1 | 2 | 4);
  }
  if (Number.isNaN(lo) || Number.isNaN(hi)) h.raise(accessFaultCause(access), addressTval(va));
  h.rhi = hi | 0;
  h.kick();
  return lo | 0;
}

/** Write to a physical address that translation and PMP have approved. */
export function writePhys(h: Hart, pa: number, size: number, lo: number, hi: number, va: number): void {
  const off = pa - h.ramBase;
  if (off >= 0 && off + size <= h.ramSize) {
    const v = h.ramView;
    switch (size) {
      case 1: h.ram[off] = lo; break;
      case 2: v.setUint16(off, lo & 0xffff, true); break;
      case 4: v.setInt32(off, lo, true); break;
      default: v.setInt32(off, lo, true); v.setInt32(off + 4, hi, true); break;
    }
    h.written[off >>> 12] = 1; h.written[(off + size - 1) >>> 12] = 1;
    if (h.codeFlag[off >>> 12] !== 0 || h.codeFlag[(off + size - 1) >>> 12] !== 0) h.codeWritten(off, size);
    return;
  }
  h.cycles += EVENT_COST.mmioAccess;
  const bus = h.bus;
  if (bus.romAt(pa) !== null) return; // ROM ignores writes, as QEMU's mrom does
  let ok: boolean;
  if (size === 8) {
    ok = bus.accepts8?.(pa) !== false && bus.write(pa, 4, lo >>> 0) && bus.write(pa + 4, 4, hi >>> 0);
  } else if ((pa & (size - 1)) !== 0) {
    ok = true;
    for (let i = 0; i < size && ok; i++) ok = bus.write(pa + i, 1, (lo >>> (8 * i)) & 0xff);
  } else {
    ok = bus.write(pa, size as 1 | 2 | 4, size === 4 ? lo >>> 0 : lo & (size === 1 ? 0xff : 0xffff));
  }
  if (!ok) h.raise(accessFaultCause(Access.Store), addressTval(va));
  h.kick();
}
