// The CSR file as one table: each CSR of the platform is registered once with its number, name,
// who may access it, what a read returns and how a write is legalised (privileged spec 1.12
// chapters 2-4; Sstc; Smrnmi). Existence, the names (disassembler, vector format, generators) and
// the capabilities a vector needs all derive from this table. Where the specification leaves a
// WARL choice the write follows QEMU 7.2, and each such place says so.
//
// Adding a CSR: one `csr(...)` row in TABLE below (and its state in hart.ts if it has any).

import type { Hart } from './hart';
import { Irq } from './trap-causes';
import { HPM_FIRST, MCOUNTINHIBIT_WRITABLE } from './counters';
import { MNS_MNPP, MNS_MNPP_SHIFT, MNS_NMIE, MSTATUS_WRITABLE, MSTATUS_XL, MS_MPP, MS_MPP_SHIFT, MS_MPRV, MS_MXR, MS_SUM, MS_TVM, SSTATUS_WRITABLE, SSTATUS_XL } from './mstatus';

/** misa: MXL = 2 (RV64), extensions A, C, I, M, S, U. */
export const MISA = (2n << 62n) | BigInt((1 << 0) | (1 << 2) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20));

/** Exceptions that may be delegated (QEMU 7.2's set: all but ecall from M and the reserved codes). */
const MEDELEG_WRITABLE = 0xb3ff;
const MIDELEG_WRITABLE = (1 << Irq.SSI) | (1 << Irq.STI) | (1 << Irq.SEI);
const MIE_WRITABLE = 0xaaa | (1 << Irq.DOORBELL);
const SSIP = 1 << Irq.SSI, STIP = 1 << Irq.STI, SEIP = 1 << Irq.SEI;
const MASK64 = (1n << 64n) - 1n;
const SATP_KEEP = (0xfn << 60n) | (0xffffn << 44n) | ((1n << 44n) - 1n);

const u64 = (v: number) => BigInt.asUintN(64, BigInt(v));

/** One CSR. */
export interface CsrDef {
  readonly num: number;
  readonly name: string;
  /** Lowest privilege that may access it: bits 9:8 of the number (privileged spec 2.1). */
  readonly minPriv: number;
  /** Writes are illegal: bits 11:10 of the number are 0b11 (privileged spec 2.1). */
  readonly readOnly: boolean;
  /**
   * A further access rule (counter enables, TVM, Sstc): false makes the access an illegal
   * instruction. Checked after privilege and read-only.
   */
  readonly gate: ((h: Hart) => boolean) | null;
  /** Capabilities an implementation needs for this CSR to exist (vectors that name it need them). */
  readonly needs: readonly string[];
  readonly read: (h: Hart) => bigint;
  /**
   * Legalise (WARL) and store a written 64-bit value; `lo` is its low 32 bits. `byInstruction`
   * is true for csrrw & co., whose own retirement follows the write. Null: writes are ignored.
   */
  readonly write: ((h: Hart, v: bigint, lo: number, byInstruction: boolean) => void) | null;
  /** The value csrrs/csrrc modify, when it is not the value read (mip, sip). */
  readonly rmwBase: ((h: Hart, old: bigint) => bigint) | null;
  /**
   * A counter's value as a number (signed, exact: its magnitude stays below 2^53), `read` being
   * this value modulo 2^64. Translated code reads counters this way, without BigInt.
   */
  readonly counter: ((h: Hart) => number) | null;
}

interface CsrSpec {
  gate?: (h: Hart) => boolean;
  needs?: readonly string[];
  read?: (h: Hart) => bigint;
  write?: (h: Hart, v: bigint, lo: number, byInstruction: boolean) => void;
  rmwBase?: (h: Hart, old: bigint) => bigint;
  /** A counter: `read` is this value modulo 2^64 unless given. */
  counter?: (h: Hart) => number;
}

/** A row: reads zero and ignores writes unless `spec` says otherwise. */
function csr(num: number, name: string, spec: CsrSpec = {}): CsrDef {
  return {
    num, name, minPriv: (num >> 8) & 3, readOnly: (num >> 10) === 3,
    gate: spec.gate ?? null, needs: spec.needs ?? [], read: spec.read ?? (spec.counter ? counterRead(spec.counter) : readZero),
    write: spec.write ?? null, rmwBase: spec.rmwBase ?? null, counter: spec.counter ?? null,
  };
}
const readZero = (): bigint => 0n;
const counterRead = (f: (h: Hart) => number) => (h: Hart): bigint => BigInt.asUintN(64, BigInt(f(h)));
// mcycle and minstret count unless mcountinhibit (when the hart implements it) holds them still.
const cycleCount = (h: Hart): number => ((h.counters.inhibit & 1) !== 0 ? h.counters.cycleHeld : h.cycles + h.mcycleOffset);
const instretCount = (h: Hart): number => ((h.counters.inhibit & 4) !== 0 ? h.counters.instretHeld : h.instret + h.minstretOffset);

/** Rows `prefix+first` .. `prefix+last` at consecutive numbers from `base`; `spec(i)` for index i. */
function csrRange(prefix: string, first: number, last: number, base: number, spec: (i: number) => CsrSpec): CsrDef[] {
  const out: CsrDef[] = [];
  for (let i = first; i <= last; i++) out.push(csr(base + (i - first), prefix + i, spec(i)));
  return out;
}

// ---- access gates ----------------------------------------------------------------------------------

/** The unprivileged counters below M: mcounteren's bit, and in U also scounteren's (3.1.11, 4.1.5). */
function counterEnabled(bit: number): (h: Hart) => boolean {
  return (h) => h.priv === 3 || (((h.mcounteren >>> bit) & 1) !== 0 && (h.priv !== 0 || ((h.scounteren >>> bit) & 1) !== 0));
}
/** satp from S traps when mstatus.TVM is set (3.1.6.5). */
const tvmAllows = (h: Hart): boolean => !(h.priv === 1 && (h.mstatus & MS_TVM));
/** stimecmp below M needs menvcfg.STCE and mcounteren.TM (Sstc). */
const sstcAllows = (h: Hart): boolean => h.priv === 3 || (h.stce && (h.mcounteren & 2) !== 0);

// ---- legalisation shared by several rows -----------------------------------------------------------

const FS = 3 << 13;
/** SD summarises FS (the only state that can be dirty here, and only when FS is writable). */
const sd = (h: Hart) => ((h.mstatus & FS) === FS ? 1n << 63n : 0n);

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

/**
 * xtvec: MODE is WARL over Direct and Vectored; a reserved mode leaves the register unchanged by
 * default, or (the other legal choice) has MODE bit 1 dropped. Returns the value to store, or null.
 */
function legalTvec(h: Hart, v: bigint): bigint | null {
  if ((v & 3n) < 2n) return v;
  return h.choose('xtvecReservedMode') === 'clear-mode-bit1' ? v & ~2n : null;
}

/** misa.C writable is a legal choice (1.12, 3.1.1); a write that would clear C before an instruction off a 4-byte boundary is suppressed. */
function writeMisa(h: Hart, v: bigint, byInstruction: boolean): void {
  const c = (v & 4n) !== 0n;
  if (c === h.compressed || h.choose('misaC') === 'read-only') return;
  if (!c && byInstruction && (h.pc + 4) % 4 !== 0) return;
  h.setCompressed(c);
}

/** The user-level counters are optional (Zicntr, Zihpm): absent on a hart switched to leave them out. */
const hasUserCounters = (h: Hart): boolean => h.choose('userCounters') === 'present';

// ---- counters -----------------------------------------------------------------------------------

function writeMcountinhibit(h: Hart, lo: number): void {
  if (h.choose('mcountinhibit') === 'read-only-zero') return;
  const c = h.counters, next = lo & MCOUNTINHIBIT_WRITABLE, was = c.inhibit;
  // A counter that stops holds its value; one that starts again counts on from it.
  if ((next & 1) !== 0 && (was & 1) === 0) c.cycleHeld = h.cycles + h.mcycleOffset;
  if ((next & 1) === 0 && (was & 1) !== 0) h.mcycleOffset = c.cycleHeld - h.cycles;
  // The csrw that starts minstret again is not counted (it retires before counting resumes).
  if ((next & 4) !== 0 && (was & 4) === 0) c.instretHeld = h.instret + h.minstretOffset;
  if ((next & 4) === 0 && (was & 4) !== 0) h.minstretOffset = c.instretHeld - h.instret - 1;
  c.inhibit = next;
}

/** mhpmcounterN / mhpmeventN: read-only zero, or writable with no event that counts (3.1.10). */
const hpmRegister = (which: 'hpm' | 'events', i: number): CsrSpec => ({
  read: (h) => (h.choose('hpmCounters') === 'writable' ? h.counters[which][i] : 0n),
  write: (h, v) => { if (h.choose('hpmCounters') === 'writable') h.counters[which][i] = v; },
});

/** mcounteren/scounteren: 32 bits; the hpm enables are read-only zero on a hart that chooses so (3.1.12, 4.1.5). */
const counterenBits = (h: Hart, lo: number): number => (h.choose('counterenHpm') === 'read-only-zero' ? lo & 7 : lo) | 0;

/** mvendorid, marchid, mimpid, mconfigptr: 0 ("not implemented"), or any value of the implementation's own. */
const identity = (n: number) => (h: Hart): bigint => (h.choose('identityValues') === 'zero' ? 0n : 0x5a5a0000n + BigInt(n));

// ---- the table ------------------------------------------------------------------------------------------
// In the order of the privileged spec's tables 2.2-2.5 as the platform lists them; the vector
// generators enumerate CSRs in this order.

const S = ['s'];
const PMP = ['pmp'];
/** pmpcfg2 and pmpaddr8-15 exist on a hart with 16 PMP entries (3.7.1: 0, 16 or 64; an implementation may use fewer). */
const PMP16 = ['pmp', 'pmp16'];
const SMRNMI = ['smrnmi'];
const ZICNTR = ['zicntr'];
const ZIHPM = ['zihpm'];

const TABLE: readonly CsrDef[] = [
  // Unprivileged counters
  csr(0xc00, 'cycle', { needs: ZICNTR, gate: counterEnabled(0), counter: cycleCount }),
  csr(0xc01, 'time', { needs: ZICNTR, gate: counterEnabled(1), counter: (h) => h.mtime() }),
  csr(0xc02, 'instret', { needs: ZICNTR, gate: counterEnabled(2), counter: instretCount }),
  ...csrRange('hpmcounter', 3, 31, 0xc03, (i) => ({ needs: ZIHPM, gate: counterEnabled(i), read: hpmRegister('hpm', i).read })),
  // Supervisor
  csr(0x100, 'sstatus', {
    needs: S, read: (h) => (BigInt(h.mstatus) & BigInt(SSTATUS_WRITABLE | FS)) | SSTATUS_XL | sd(h),
    write: (h, _v, lo) => setMstatus(h, (h.mstatus & ~(SSTATUS_WRITABLE | FS)) | (lo & (SSTATUS_WRITABLE | FS))),
  }),
  csr(0x104, 'sie', {
    needs: S, read: (h) => BigInt(h.mie & h.mideleg),
    write: (h, _v, lo) => { h.mie = (h.mie & ~h.mideleg) | (lo & h.mideleg & MIE_WRITABLE); h.kick(); },
  }),
  csr(0x105, 'stvec', { needs: S, read: (h) => h.stvec, write: (h, v) => { h.stvec = legalTvec(h, v) ?? h.stvec; } }),
  csr(0x106, 'scounteren', { needs: S, read: (h) => BigInt(h.scounteren >>> 0), write: (h, _v, lo) => { h.scounteren = counterenBits(h, lo); } }),
  csr(0x10a, 'senvcfg', { needs: S, read: (h) => h.senvcfg, write: (h, v) => { h.senvcfg = v & 1n; } }), // FIOM only
  csr(0x140, 'sscratch', { needs: S, read: (h) => h.sscratch, write: (h, v) => { h.sscratch = v; } }),
  csr(0x141, 'sepc', { needs: S, read: (h) => h.sepc, write: (h, v) => { h.sepc = v & ~1n; } }),
  csr(0x142, 'scause', { needs: S, read: (h) => h.scause, write: (h, v) => { h.scause = v; } }),
  csr(0x143, 'stval', { needs: S, read: (h) => h.stval, write: (h, v) => { h.stval = v; } }),
  csr(0x144, 'sip', {
    needs: S, read: (h) => BigInt(h.mip() & h.mideleg),
    // Only SSIP is writable through sip, and only when delegated.
    write: (h, _v, lo) => { const m = h.mideleg & SSIP; h.mipSw = (h.mipSw & ~m) | (lo & m); h.kick(); },
    rmwBase: (h, old) => (BigInt(h.mipSw) | (old & ~BigInt(SEIP))) & BigInt(h.mideleg),
  }),
  csr(0x14d, 'stimecmp', { needs: ['s', 'sstc'], gate: sstcAllows, read: (h) => h.stimecmp, write: (h, v) => { h.stimecmp = v; h.envcfgChanged(); } }),
  csr(0x180, 'satp', {
    needs: ['s', 'sv39'], gate: tvmAllows, read: (h) => h.satp,
    write: (h, v) => {
      // Only Bare and Sv39 are supported; "if satp is written with an unsupported MODE, the
      // entire write has no effect".
      // (Sv48 and Sv57 held is the other legal choice: choices.satpModes.)
      const mode = Number(v >> 60n);
      const more = (mode === 9 || mode === 10) && h.choose('satpModes') === 'sv39-sv48-sv57';
      if (mode !== 0 && mode !== 8 && !more) return;
      h.satp = v & SATP_KEEP;
      h.satpChanged();
    },
  }),
  // Machine information (read-only; zero is "not implemented" for the ids and mconfigptr)
  // (any value of the implementation's own is the other legal choice: a made-up one stands for it)
  csr(0xf11, 'mvendorid', { read: identity(0xf11) }), csr(0xf12, 'marchid', { read: identity(0xf12) }), csr(0xf13, 'mimpid', { read: identity(0xf13) }),
  csr(0xf14, 'mhartid', { read: (h) => BigInt(h.hartid) }),
  csr(0xf15, 'mconfigptr', { read: identity(0xf15) }),
  // Machine trap setup and handling
  csr(0x300, 'mstatus', { read: (h) => BigInt(h.mstatus) | MSTATUS_XL | sd(h), write: (h, _v, lo) => setMstatus(h, lo) }),
  // misa is read-only here, as with QEMU's default (misa writes not enabled): a legal WARL choice.
  csr(0x301, 'misa', { read: (h) => (h.compressed ? MISA : MISA & ~4n), write: (h, v, _lo, byInstruction) => writeMisa(h, v, byInstruction) }),
  csr(0x302, 'medeleg', { needs: S, read: (h) => BigInt(h.medeleg), write: (h, _v, lo) => { h.medeleg = lo & MEDELEG_WRITABLE; } }),
  csr(0x303, 'mideleg', { needs: S, read: (h) => BigInt(h.mideleg), write: (h, _v, lo) => { h.mideleg = lo & MIDELEG_WRITABLE; h.kick(); } }),
  csr(0x304, 'mie', { read: (h) => BigInt(h.mie), write: (h, _v, lo) => { h.mie = lo & MIE_WRITABLE; h.kick(); } }),
  csr(0x305, 'mtvec', { read: (h) => h.mtvec, write: (h, v) => { h.mtvec = legalTvec(h, v) ?? h.mtvec; } }),
  csr(0x306, 'mcounteren', { read: (h) => BigInt(h.mcounteren >>> 0), write: (h, _v, lo) => { h.mcounteren = counterenBits(h, lo); } }),
  // menvcfg: STCE (Sstc) and FIOM; the other fields are read-only zero.
  csr(0x30a, 'menvcfg', { read: (h) => h.menvcfg, write: (h, v) => { h.menvcfg = v & ((1n << 63n) | 1n); h.envcfgChanged(); } }),
  // mcountinhibit reads zero and ignores writes (a legal WARL choice: no counter can be inhibited;
  // implementing CY, IR and HPM3-31 is the other: choices.mcountinhibit).
  csr(0x320, 'mcountinhibit', { read: (h) => BigInt(h.choose('mcountinhibit') === 'writable' ? h.counters.inhibit >>> 0 : 0), write: (h, _v, lo) => writeMcountinhibit(h, lo) }),
  csr(0x340, 'mscratch', { read: (h) => h.mscratch, write: (h, v) => { h.mscratch = v; } }),
  csr(0x341, 'mepc', { read: (h) => h.mepc, write: (h, v) => { h.mepc = v & ~1n; } }),
  csr(0x342, 'mcause', { read: (h) => h.mcause, write: (h, v) => { h.mcause = v; } }),
  csr(0x343, 'mtval', { read: (h) => h.mtval, write: (h, v) => { h.mtval = v; } }),
  csr(0x344, 'mip', {
    read: (h) => BigInt(h.mip()),
    // SSIP, SEIP's software bit, and STIP unless Sstc drives it; the M bits are the hardware's.
    write: (h, _v, lo) => { const m = SSIP | SEIP | (h.stce ? 0 : STIP); h.mipSw = (h.mipSw & ~m) | (lo & m); h.kick(); },
    // csrrs/csrrc on mip modify the software-writable bits, not the ORed-in SEIP line.
    rmwBase: (h, old) => BigInt(h.mipSw) | (old & ~BigInt(SEIP)),
  }),
  // Memory protection (16 entries: pmpcfg0 and pmpcfg2 on RV64)
  csr(0x3a0, 'pmpcfg0', { needs: PMP, read: (h) => h.pmp.readCfg(0), write: (h, v) => { h.pmp.writeCfg(0, v, () => h.choose('pmpcfgWriteOnly')); h.flushTranslations(); } }),
  csr(0x3a2, 'pmpcfg2', { needs: PMP16, read: (h) => h.pmp.readCfg(2), write: (h, v) => { h.pmp.writeCfg(2, v, () => h.choose('pmpcfgWriteOnly')); h.flushTranslations(); } }),
  ...csrRange('pmpaddr', 0, 15, 0x3b0, (i) => ({
    needs: i < 8 ? PMP : PMP16, read: (h) => h.pmp.readAddr(i), write: (h, v) => { h.pmp.writeAddr(i, v); h.flushTranslations(); },
  })),
  // Machine counters (the hpm counters and events read zero, a legal choice of no events; writable
  // without events is the other: choices.hpmCounters)
  csr(0xb00, 'mcycle', {
    counter: cycleCount,
    write: (h, v) => { if ((h.counters.inhibit & 1) !== 0) h.counters.cycleHeld = Number(v); else h.mcycleOffset = Number(v) - h.cycles; },
  }),
  csr(0xb02, 'minstret', {
    counter: instretCount,
    // A csrw to minstret is followed by its own retirement: the next instruction reads the value written.
    write: (h, v, _lo, byInstruction) => {
      if ((h.counters.inhibit & 4) !== 0) h.counters.instretHeld = Number(v);
      else h.minstretOffset = Number(v) - h.instret - (byInstruction ? 1 : 0);
    },
  }),
  ...csrRange('mhpmcounter', HPM_FIRST, 31, 0xb03, (i) => hpmRegister('hpm', i)),
  ...csrRange('mhpmevent', HPM_FIRST, 31, 0x323, (i) => hpmRegister('events', i)),
  // Debug triggers (none implemented: tselect reads 0, tdata1 reads type 0)
  csr(0x7a0, 'tselect'), csr(0x7a1, 'tdata1'), csr(0x7a2, 'tdata2'), csr(0x7a3, 'tdata3'),
  // Smrnmi
  csr(0x740, 'mnscratch', { needs: SMRNMI, read: (h) => h.mnscratch, write: (h, v) => { h.mnscratch = v; } }),
  csr(0x741, 'mnepc', { needs: SMRNMI, read: (h) => h.mnepc, write: (h, v) => { h.mnepc = v & ~1n; } }),
  csr(0x742, 'mncause', { needs: SMRNMI, read: (h) => h.mncause, write: (h, v) => { h.mncause = v; } }),
  csr(0x744, 'mnstatus', {
    needs: SMRNMI, read: (h) => BigInt(h.mnstatus),
    write: (h, _v, lo) => {
      // NMIE can be set by software but not cleared; MNPP is WARL like MPP (2 keeps the old value).
      let ns = (h.mnstatus & MNS_NMIE) | (lo & MNS_NMIE);
      let mnpp = (lo & MNS_MNPP) >> MNS_MNPP_SHIFT;
      if (mnpp === 2) mnpp = (h.mnstatus & MNS_MNPP) >> MNS_MNPP_SHIFT;
      ns |= mnpp << MNS_MNPP_SHIFT;
      h.mnstatus = ns;
      h.kick();
    },
  }),
];

// ---- views derived from the table ----------------------------------------------------------------

/** Every CSR of the platform, in table order. */
export const CSRS: readonly CsrDef[] = TABLE;
/** The CSR at each 12-bit number, or undefined where none exists. */
const BY_NUMBER: readonly (CsrDef | undefined)[] = (() => {
  const t: (CsrDef | undefined)[] = new Array(4096).fill(undefined);
  for (const d of TABLE) {
    if (t[d.num] !== undefined) throw new Error(`internal: CSR 0x${d.num.toString(16)} registered twice`);
    t[d.num] = d;
  }
  return t;
})();
/** CSR numbers by name, in table order. */
export const CSR_NUMBERS: Readonly<Record<string, number>> = Object.fromEntries(TABLE.map((d) => [d.name, d.num]));
/** CSR names by number. */
export const CSR_NAMES: ReadonlyMap<number, string> = new Map(TABLE.map((d) => [d.num, d.name]));
/** The CSR with a name, if the platform has it. */
export function csrByName(name: string): CsrDef | undefined {
  const n = CSR_NUMBERS[name];
  return n === undefined ? undefined : BY_NUMBER[n];
}

// ---- the hart's CSR accesses ----------------------------------------------------------------------

/**
 * CSRs whose existence is the hart's choice (reference/machine/choices.ts): with 64 PMP entries
 * implemented, pmpcfg4..14 (even) and pmpaddr16..63 exist and are read-only zero; tinfo (Sdtrig,
 * optional) exists with a value of its own. They are not the platform's, so not in the table.
 */
const PMP_HIGH = csr(0x3c0, 'pmp-high', { needs: PMP });
const TINFO = csr(0x7a4, 'tinfo', { read: () => 0x5a5a07a4n });
function byChoice(h: Hart, n: number): CsrDef | undefined {
  if ((n >= 0x3c0 && n <= 0x3ef) || (n >= 0x3a4 && n <= 0x3ae && (n & 1) === 0)) return h.choose('pmpCsrs') === 64 ? PMP_HIGH : undefined;
  if (n === 0x7a4) return h.choose('tinfo') === 'present' ? TINFO : undefined;
  return undefined;
}

/** May the current privilege read (and, if `write`, write) CSR `n`? False raises illegal instruction. */
export function csrAllowed(h: Hart, n: number, write: boolean): boolean {
  const d = BY_NUMBER[n] ?? byChoice(h, n);
  if (d === undefined) return false;
  if (n >= 0xc00 && n <= 0xc1f && !hasUserCounters(h)) return false;
  if (h.priv < d.minPriv) return false;
  if (write && d.readOnly) return false;
  return d.gate === null || d.gate(h);
}

/** Read CSR `n` (no access check); zero for a number no CSR uses. */
/** The number form of counter CSR `n` (CsrDef.counter), or null when `n` is not a counter of the table. */
export function csrCounter(n: number): ((h: Hart) => number) | null {
  return BY_NUMBER[n]?.counter ?? null;
}

export function csrRead(h: Hart, n: number): bigint {
  const d = BY_NUMBER[n] ?? byChoice(h, n);
  return d === undefined ? 0n : d.read(h);
}

/** The value csrrs/csrrc modify: for mip and sip only the software-writable bits count. */
export function csrRmwBase(h: Hart, n: number, old: bigint): bigint {
  const d = BY_NUMBER[n];
  return d === undefined || d.rmwBase === null ? old : d.rmwBase(h, old);
}

/**
 * Write CSR `n` (no access check). `byInstruction` is true for csrrw & co., whose own retirement
 * follows the write (minstret then reads the written value at the next instruction).
 */
export function csrWrite(h: Hart, n: number, value: bigint, byInstruction: boolean): void {
  const d = BY_NUMBER[n];
  if (d === undefined || d.write === null) return;
  const v = value & MASK64;
  d.write(h, v, Number(v & 0xffffffffn), byInstruction);
}
