// The CSR file: which CSRs exist, who may access them, and what reads and writes do
// (privileged spec 1.12 chapters 2-4; Sstc; Smrnmi). WARL legalisation follows QEMU 7.2 where
// the specification leaves a choice; each such place says so.

import type { Hart } from './hart';
import { Irq } from './trap-causes';
import { MSTATUS_WRITABLE, MSTATUS_XL, MS_MPP, MS_MPP_SHIFT, MS_MPRV, MS_MXR, MS_SUM, SSTATUS_WRITABLE, SSTATUS_XL } from './mstatus';

/** misa: MXL = 2 (RV64), extensions A, C, I, M, S, U. */
export const MISA = (2n << 62n) | BigInt((1 << 0) | (1 << 2) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20));

/** Exceptions that may be delegated (QEMU 7.2's set: all but ecall from M and the reserved codes). */
const MEDELEG_WRITABLE = 0xb3ff;
const MIDELEG_WRITABLE = (1 << Irq.SSI) | (1 << Irq.STI) | (1 << Irq.SEI);
const MIE_WRITABLE = 0xaaa | (1 << Irq.DOORBELL);
const SSIP = 1 << Irq.SSI, STIP = 1 << Irq.STI, SEIP = 1 << Irq.SEI;
const MASK64 = (1n << 64n) - 1n;
const SATP_KEEP = (0xfn << 60n) | (0xffffn << 44n) | ((1n << 44n) - 1n);

function exists(n: number): boolean {
  if (n >= 0xc00 && n <= 0xc1f) return true;
  if (n >= 0xb00 && n <= 0xb1f) return n !== 0xb01;
  if (n >= 0x323 && n <= 0x33f) return true;
  if (n >= 0x3b0 && n <= 0x3bf) return true;
  switch (n) {
    case 0x100: case 0x104: case 0x105: case 0x106: case 0x10a:
    case 0x140: case 0x141: case 0x142: case 0x143: case 0x144: case 0x14d: case 0x180:
    case 0xf11: case 0xf12: case 0xf13: case 0xf14: case 0xf15:
    case 0x300: case 0x301: case 0x302: case 0x303: case 0x304: case 0x305: case 0x306: case 0x30a: case 0x320:
    case 0x340: case 0x341: case 0x342: case 0x343: case 0x344:
    case 0x3a0: case 0x3a2:
    case 0x7a0: case 0x7a1: case 0x7a2: case 0x7a3:
    case 0x740: case 0x741: case 0x742: case 0x744:
      return true;
  }
  return false;
}

/**
 * CSRs whose existence is the hart's choice: with 64 PMP entries implemented, pmpcfg4..14 (even)
 * and pmpaddr16..63 exist and are read-only zero (reads fall through to 0, writes are ignored).
 */
function existsByChoice(h: Hart, n: number): boolean {
  const pmpHigh = (n >= 0x3c0 && n <= 0x3ef) || (n >= 0x3a4 && n <= 0x3ae && (n & 1) === 0);
  if (pmpHigh) return h.choose('pmpCsrs') === 64;
  // tinfo: optional in the debug specification (Sdtrig); present, it reads a value of its own.
  if (n === 0x7a4) return h.choose('tinfo') === 'present';
  return false;
}

const FS = 3 << 13;
/** SD summarises FS (the only dirty-able state here, and only when FS is writable). */
const sd = (h: Hart) => ((h.mstatus & FS) === FS ? 1n << 63n : 0n);

/** May the current privilege read (and, if `write`, write) CSR `n`? False raises illegal instruction. */
export function csrAllowed(h: Hart, n: number, write: boolean): boolean {
  if (!exists(n) && !existsByChoice(h, n)) return false;
  if (n >= 0xc00 && n <= 0xc1f && h.choose('userCounters') === 'absent') return false;
  if (h.priv < ((n >> 8) & 3)) return false;
  if (write && (n >> 10) === 3) return false;
  if (n >= 0xc00 && n <= 0xc1f && h.priv < 3) {
    const bit = n - 0xc00;
    if (((h.mcounteren >>> bit) & 1) === 0) return false;
    if (h.priv === 0 && ((h.scounteren >>> bit) & 1) === 0) return false;
  }
  if (n === 0x180 && h.priv === 1 && (h.mstatus & (1 << 20))) return false; // TVM
  if (n === 0x14d && h.priv < 3 && (!h.stce || (h.mcounteren & 2) === 0)) return false; // Sstc
  return true;
}

const u64 = (v: number) => BigInt.asUintN(64, BigInt(v));

export function csrRead(h: Hart, n: number): bigint {
  switch (n) {
    case 0xc00: case 0xb00: return u64(h.cycles + h.mcycleOffset);
    case 0xc01: return u64(h.mtime());
    case 0xc02: case 0xb02: return u64(h.instret + h.minstretOffset);
    case 0x100: return (BigInt(h.mstatus) & BigInt(SSTATUS_WRITABLE | FS)) | SSTATUS_XL | sd(h);
    case 0x104: return BigInt(h.mie & h.mideleg);
    case 0x105: return h.stvec;
    case 0x106: return BigInt(h.scounteren >>> 0);
    case 0x10a: return h.senvcfg;
    case 0x140: return h.sscratch;
    case 0x141: return h.sepc;
    case 0x142: return h.scause;
    case 0x143: return h.stval;
    case 0x144: return BigInt(h.mip() & h.mideleg);
    case 0x14d: return h.stimecmp;
    case 0x180: return h.satp;
    case 0xf14: return BigInt(h.hartid);
    case 0x300: return BigInt(h.mstatus) | MSTATUS_XL | sd(h);
    case 0x301: return h.compressed ? MISA : MISA & ~4n;
    case 0x302: return BigInt(h.medeleg);
    case 0x303: return BigInt(h.mideleg);
    case 0x304: return BigInt(h.mie);
    case 0x305: return h.mtvec;
    case 0x306: return BigInt(h.mcounteren >>> 0);
    case 0x30a: return h.menvcfg;
    case 0x340: return h.mscratch;
    case 0x341: return h.mepc;
    case 0x342: return h.mcause;
    case 0x343: return h.mtval;
    case 0x344: return BigInt(h.mip());
    case 0x3a0: case 0x3a2: return h.pmp.readCfg(n - 0x3a0);
    case 0x740: return h.mnscratch;
    case 0x741: return h.mnepc;
    case 0x742: return h.mncause;
    case 0x744: return BigInt(h.mnstatus);
  }
  if (n >= 0x3b0 && n <= 0x3bf) return h.pmp.readAddr(n - 0x3b0);
  if (n === 0x7a4) return 0x5a5a07a4n;
  // An implementation's own identity: any value (a made-up one stands for it, per CSR).
  if ((n >= 0xf11 && n <= 0xf13) || n === 0xf15) return h.choose('identityValues') === 'zero' ? 0n : 0x5a5a0000n + BigInt(n);
  // mvendorid, marchid, mimpid, mconfigptr, hpm counters and events, mcountinhibit (read-only
  // zero, a legal WARL choice), debug triggers (none: tselect 0, tdata1 type 0).
  return 0n;
}

/** The value csrrs/csrrc modify: for mip and sip only the software-writable bits count. */
export function csrRmwBase(h: Hart, n: number, old: bigint): bigint {
  if (n === 0x344) return BigInt(h.mipSw) | (old & ~BigInt(SEIP));
  if (n === 0x144) return (BigInt(h.mipSw) | (old & ~BigInt(SEIP))) & BigInt(h.mideleg);
  return old;
}

/**
 * Write CSR `n`. `byInstruction` is true for csrrw & co., whose own retirement follows the write
 * (minstret then reads the written value at the next instruction).
 */
export function csrWrite(h: Hart, n: number, value: bigint, byInstruction: boolean): void {
  const v = value & MASK64;
  const lo = Number(v & 0xffffffffn);
  switch (n) {
    case 0xb00: h.mcycleOffset = Number(v) - h.cycles; return;
    case 0xb02: h.minstretOffset = Number(v) - h.instret - (byInstruction ? 1 : 0); return;
    case 0x100: setMstatus(h, (h.mstatus & ~(SSTATUS_WRITABLE | FS)) | (lo & (SSTATUS_WRITABLE | FS))); return;
    case 0x104: h.mie = (h.mie & ~h.mideleg) | (lo & h.mideleg & MIE_WRITABLE); h.kick(); return;
    case 0x105: if ((v & 3n) < 2n) h.stvec = v; else if (h.choose('xtvecReservedMode') === 'clear-mode-bit1') h.stvec = v & ~2n; return;
    case 0x106: h.scounteren = lo | 0; return;
    case 0x10a: h.senvcfg = v & 1n; return;
    case 0x140: h.sscratch = v; return;
    case 0x141: h.sepc = v & ~1n; return;
    case 0x142: h.scause = v; return;
    case 0x143: h.stval = v; return;
    case 0x144: {
      const m = h.mideleg & SSIP;
      h.mipSw = (h.mipSw & ~m) | (lo & m);
      h.kick();
      return;
    }
    case 0x14d: h.stimecmp = v; h.envcfgChanged(); return;
    case 0x180: {
      // Only Bare and Sv39 are supported; "if satp is written with an unsupported MODE, the
      // entire write has no effect".
      const mode = Number(v >> 60n);
      const more = (mode === 9 || mode === 10) && h.choose('satpModes') === 'sv39-sv48-sv57';
      if (mode !== 0 && mode !== 8 && !more) return;
      h.satp = v & SATP_KEEP;
      h.satpChanged();
      return;
    }
    case 0x300: setMstatus(h, lo); return;
    case 0x301: {
      // misa is read-only by default, as with QEMU's default (misa writes not enabled); C writable
      // is the other legal choice (1.12, 3.1.1), and a write that would clear C before an
      // instruction off a 4-byte boundary is suppressed.
      const c = (v & 4n) !== 0n;
      if (c === h.compressed || h.choose('misaC') === 'read-only') return;
      if (!c && byInstruction && (h.pc + 4) % 4 !== 0) return;
      h.setCompressed(c);
      return;
    }
    case 0x302: h.medeleg = lo & MEDELEG_WRITABLE; return;
    case 0x303: h.mideleg = lo & MIDELEG_WRITABLE; h.kick(); return;
    case 0x304: h.mie = lo & MIE_WRITABLE; h.kick(); return;
    case 0x305: if ((v & 3n) < 2n) h.mtvec = v; else if (h.choose('xtvecReservedMode') === 'clear-mode-bit1') h.mtvec = v & ~2n; return;
    case 0x306: h.mcounteren = lo | 0; return;
    case 0x30a: h.menvcfg = v & ((1n << 63n) | 1n); h.envcfgChanged(); return;
    case 0x340: h.mscratch = v; return;
    case 0x341: h.mepc = v & ~1n; return;
    case 0x342: h.mcause = v; return;
    case 0x343: h.mtval = v; return;
    case 0x344: {
      const m = SSIP | SEIP | (h.stce ? 0 : STIP);
      h.mipSw = (h.mipSw & ~m) | (lo & m);
      h.kick();
      return;
    }
    case 0x3a0: case 0x3a2: h.pmp.writeCfg(n - 0x3a0, v, () => h.choose('pmpcfgWriteOnly')); h.flushTranslations(); return;
    case 0x740: h.mnscratch = v; return;
    case 0x741: h.mnepc = v & ~1n; return;
    case 0x742: h.mncause = v; return;
    case 0x744: {
      // NMIE (bit 3) can be set by software but not cleared; MNPP (12:11) is WARL like MPP.
      let ns = (h.mnstatus & 8) | (lo & 8);
      let mnpp = (lo >> 11) & 3;
      if (mnpp === 2) mnpp = (h.mnstatus >> 11) & 3;
      ns |= mnpp << 11;
      h.mnstatus = ns;
      h.kick();
      return;
    }
  }
  if (n >= 0x3b0 && n <= 0x3bf) { h.pmp.writeAddr(n - 0x3b0, v); h.flushTranslations(); return; }
  // Everything else that exists is read-only zero or ignores writes.
}

function setMstatus(h: Hart, value: number): void {
  // Without F, FS is read-only zero by default; writable is the other legal choice (1.12, 3.1.6.6).
  const fsTouched = ((value | h.mstatus) & FS) !== 0;
  const writable = MSTATUS_WRITABLE | (fsTouched && h.choose('fsWithoutF') === 'writable' ? FS : 0);
  let next = (h.mstatus & ~writable) | (value & writable);
  // MPP is WARL over {U, S, M}: the reserved value 2 keeps the previous mode by default.
  if (((next & MS_MPP) >> MS_MPP_SHIFT) === 2) {
    const how = h.choose('mppReserved');
    const mpp = how === 'user' ? 0 : how === 'machine' ? MS_MPP : (h.mstatus & MS_MPP);
    next = (next & ~MS_MPP) | mpp;
  }
  const translationBits = MS_MPRV | MS_MPP | MS_SUM | MS_MXR;
  const changed = (next ^ h.mstatus) & translationBits;
  h.mstatus = next;
  if (changed) h.flushTranslations();
  h.privChanged();
}
