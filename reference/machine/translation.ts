// Address translation: the Sv39 page-table walk (privileged spec 1.12 4.3.2, 4.4) and filling
// the hart's translation cache, which holds a virtual page's RAM offset (or device page) together
// with its PMP verdict, per (privilege, access kind) set. The cache is also the cycle model's TLB.
// The hart's fast load, store and fetch paths read the cache; everything that fills it is here.

import type { Hart } from './hart';
import { EVENT_COST, TLB_ENTRIES } from './cycle-model';
import { PageVerdict } from './pmp';
import { Access } from './trap-causes';
import { MS_MXR, MS_SUM } from './mstatus';
import { TRAP, accessFaultCause, addressTval, pageFaultCause } from './traps';

// A module constant, not a global lookup (slow in vm contexts such as jest's).
const floor = Math.floor;
const SV39_LIMIT = 274877906944; // 2^38
const PA_LIMIT = 72057594037927936; // 2^56
const TLB_MASK = TLB_ENTRIES - 1;
/** 1/4096: multiplying by an exact power of two gives the same double as dividing, faster. */
const PAGE_RECIP = 0.000244140625;

/** First entry of the translation-cache set for a privilege (M and S/U sets) and an access kind. */
export function tlbSet(priv: number, access: Access): number {
  return ((priv === 3 ? 2 : priv) * 3 + access) * TLB_ENTRIES;
}

/** What tryTranslate returns for a page or access fault (physical addresses are never negative). */
export const FAULT = -1;

/**
 * Translate `va` for an access of `size` bytes and check PMP. Caches RAM and device pages
 * whose whole-page PMP verdict allows the access. Throws page and access faults.
 */
export function translate(h: Hart, va: number, access: Access, size: number): number {
  const pa = tryTranslate(h, va, access, size);
  if (pa === FAULT) throw TRAP; // tryTranslate recorded the cause and tval, as Hart.raise does
  return pa;
}

/**
 * translate, returning FAULT for a fault (its cause and tval recorded in the hart) instead of
 * throwing: the instruction fetch uses this, where a handler that faults at once (an stvec that
 * points nowhere) makes a storm of traps, and a JavaScript throw for each cost a microsecond or two.
 */
export function tryTranslate(h: Hart, va: number, access: Access, size: number): number {
  const effPriv = access === Access.Fetch ? h.priv : h.dataPriv();
  const vpn = floor(va * PAGE_RECIP);
  const e = tlbSet(effPriv, access) + (vpn & TLB_MASK);
  if (h.mmioTag[e] === vpn) return h.mmioPa[e] + (va - vpn * 4096);
  if (h.tlbTag[e] === vpn) return h.ramBase + h.tlbOff[e] + (va - vpn * 4096);
  let pa: number;
  if (effPriv === 3 || h.satpMode === 0) {
    if (va < 0 || va >= PA_LIMIT) return accessFault(h, access, va);
    pa = va;
  } else {
    pa = walk(h, va, access, effPriv);
    if (pa === FAULT) return FAULT;
  }
  const page = pa - (pa % 4096);
  const verdict = h.pmp.pageVerdict(page, effPriv, access);
  if (verdict === PageVerdict.Deny) return accessFault(h, access, va);
  if (verdict === PageVerdict.Mixed) {
    if (!h.pmp.check(pa, size, effPriv, access)) return accessFault(h, access, va);
    return pa;
  }
  const ramOff = page - h.ramBase;
  if (ramOff >= 0 && ramOff < h.ramSize) {
    // A cached store translation lets stores (the hart's fast path, translated blocks) reach the
    // page without coming here again: from now on it may hold data (hart-memory.ts, `written`).
    if (access === Access.Store) h.written[ramOff / 4096] = 1;
    h.tlbTag[e] = vpn; h.tlbOff[e] = ramOff;
  }
  else { h.mmioTag[e] = vpn; h.mmioPa[e] = page; }
  return pa;
}

function accessFault(h: Hart, access: Access, va: number): number {
  return h.fault(accessFaultCause(access), addressTval(va));
}

function pageFault(h: Hart, access: Access, va: number): number {
  return h.fault(pageFaultCause(access), addressTval(va));
}

/** Per level of an Sv39 walk: bytes of address space per PTE (2^(12 + 9 level)), and 4 KiB pages in a leaf's span. */
const LEVEL_UNIT = [4096, 2097152, 1073741824];
const LEVEL_PAGES = [1, 512, 262144];

/** Sv39 page-table walk (privileged spec 1.12, 4.3.2), updating A and D in hardware as QEMU does; FAULT for a fault. */
function walk(h: Hart, va: number, access: Access, effPriv: number): number {
  // satp may hold Sv48/Sv57 only on a hart switched to implement them (reference/machine/choices.ts),
  // which exists to state what such a hart reads back; it does not translate with them.
  if (h.satpMode !== 8) throw new Error(`internal: no page-table walk for satp MODE ${h.satpMode}`);
  if (va < -SV39_LIMIT || va >= SV39_LIMIT) return pageFault(h, access, va);
  const u = va < 0 ? va + 2 * SV39_LIMIT : va; // the low 39 bits
  // PTEs are 8-byte aligned: read as two words of the int32 view of RAM (little-endian, as the
  // hart's other fast paths), not through a DataView (a walk is on every translation-cache miss).
  const ram32 = h.memory.ram32;
  let table = h.satpRoot;
  for (let level = 2; level >= 0; level--) {
    h.cycles += EVENT_COST.pageWalkLevel;
    const vpnI = floor(u / LEVEL_UNIT[level]) % 512;
    const pteAddr = table + vpnI * 8;
    const off = pteAddr - h.ramBase;
    if (!(off >= 0 && off + 8 <= h.ramSize) || !h.pmp.check(pteAddr, 8, 1, Access.Load)) return accessFault(h, access, va);
    let lo = ram32[off / 4];
    const hi = ram32[off / 4 + 1];
    const v = lo & 1, r = lo & 2, w = lo & 4, xb = lo & 8;
    if (!v || (!r && w) || (hi >>> 22) !== 0) return pageFault(h, access, va);
    const ppn = (hi & 0x3fffff) * 4194304 + (lo >>> 10);
    if (!r && !xb) {
      if (lo & 0xd0) return pageFault(h, access, va); // D, A, U are reserved in non-leaf PTEs
      table = ppn * 4096;
      continue;
    }
    // Leaf.
    const span = LEVEL_PAGES[level];
    if (level > 0 && ppn % span !== 0) return pageFault(h, access, va);
    if (access === Access.Fetch) { if (!xb) return pageFault(h, access, va); }
    else if (access === Access.Load) { if (!r && !(xb && (h.mstatus & MS_MXR))) return pageFault(h, access, va); }
    else if (!w) return pageFault(h, access, va);
    const userPage = (lo & 16) !== 0;
    if (effPriv === 0) { if (!userPage) return pageFault(h, access, va); }
    else if (userPage && (access === Access.Fetch || !(h.mstatus & MS_SUM))) return pageFault(h, access, va);
    const need = access === Access.Store ? 0xc0 : 0x40;
    if ((lo & need) !== need) {
      // Svade: a page fault instead of the hardware update is the other legal choice.
      if (h.choose('adUpdate') === 'page-fault') return pageFault(h, access, va);
      lo |= need;
      ram32[off / 4] = lo;
      h.written[off >>> 12] = 1;
      if (h.codeFlag[off >>> 12] !== 0) h.codeWritten(off, 4);
    }
    const inPage = floor(u / 4096) % span;
    return (ppn + inPage) * 4096 + (u % 4096);
  }
  return pageFault(h, access, va);
}
