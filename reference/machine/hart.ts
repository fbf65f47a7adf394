// One RV64IMAC hart with the privileged architecture (M, S, U; Sv39; PMP; Sstc).
//
// Speed: integer registers live in an Int32Array as (lo, hi) halves; decoded instructions are
// cached per physical page and packed into two int32 words; the dispatch loop is one switch
// over integer literals; address translation and PMP verdicts are cached together in a
// direct-mapped translation cache (which is also the cycle model's TLB), so the common load,
// store and fetch touch no slow code. Everything rare (page walks, devices, misalignment,
// CSRs, traps) is out of line.
//
// Exceptions are raised by throwing the TRAP sentinel after recording cause and tval; the run
// loop catches it, enters the handler and resumes.

import { decode, Decoded } from './isa/decode';
import { Op } from './isa/opcodes';
import { CYCLES_PER_TICK, EVENT_COST, OP_COST, TLB_ENTRIES } from './cycle-model';
import { Pmp, PageVerdict } from './pmp';
import { Access, Exc, Irq } from './trap-causes';
import { csrAllowed, csrRead, csrRmwBase, csrWrite } from './csr';
import { MS_MIE, MS_MPIE, MS_MPP, MS_MPP_SHIFT, MS_MPRV, MS_MXR, MS_SIE, MS_SPIE, MS_SPP, MS_SUM, MS_TSR, MS_TVM, MS_TW } from './mstatus';
import { MUL_HI, WIDE, divu64, mulhu64, mulu32, toBig, toBigU, loOf, hiOf } from './int64';

export const TRAP = { trap: true } as const;
// Math's functions as module constants: a global lookup is slow where the global object is a
// vm context's (jest runs tests in one: cpu-mix ran 5x slower there), a constant is not.
const floor = Math.floor, imul = Math.imul, trunc = Math.trunc;
const TWO32 = 4294967296;
const SV39_LIMIT = 274877906944; // 2^38
const PA_LIMIT = 72057594037927936; // 2^56
const TLB_MASK = TLB_ENTRIES - 1;
/** 1/4096: multiplying by an exact power of two gives the same double as dividing, faster. */
const PAGE_RECIP = 0.000244140625;

/** The parts of the platform a hart reaches other than RAM. */
export interface HartBus {
  /** Read 1, 2 or 4 bytes at a non-RAM physical address; NaN when nothing answers there. */
  read(pa: number, width: 1 | 2 | 4): number;
  /** Write; false when nothing answers there (access fault). */
  write(pa: number, width: 1 | 2 | 4, value: number): boolean;
  /** Read-only memory that code may run from (the boot ROM): its bytes, or null. */
  romAt(pa: number): { base: number; bytes: Uint8Array } | null;
  /** False when the device at `pa` faults 8-byte accesses (they are otherwise split in two). */
  accepts8?(pa: number): boolean;
}

export type StopReason = 'finisher' | 'tohost' | 'trap' | 'limit' | 'idle' | 'break';


export class Hart {
  // ---- architectural state -----------------------------------------------------------------
  /** x[2r] = low half, x[2r+1] = high half of register r; pair 32 is where writes to x0 go. */
  readonly x = new Int32Array(66);
  pc = 0;
  priv = 3;
  cycles = 0;
  instret = 0;
  readonly hartid = 0;

  mstatus = 0;
  medeleg = 0;
  mideleg = 0;
  mie = 0;
  /** Software-writable mip bits (SSIP, STIP without Sstc, SEIP's software bit). */
  mipSw = 0;
  /** Bits driven by hardware: MEIP, MSIP, MTIP, the PLIC's SEIP line, Sstc's STIP, doorbell. */
  mipHw = 0;
  mtvec = 0n; stvec = 0n;
  mepc = 0n; sepc = 0n;
  mcause = 0n; scause = 0n;
  mtval = 0n; stval = 0n;
  mscratch = 0n; sscratch = 0n;
  mcounteren = 0; scounteren = 0;
  menvcfg = 0n; senvcfg = 0n;
  satp = 0n;
  stimecmp = 0n;
  mcycleOffset = 0; minstretOffset = 0;
  // Smrnmi
  mnscratch = 0n; mnepc = 0n; mncause = 0n;
  mnstatus = 0; // NMIE is bit 3, MNPP bits 12:11
  rnmiPending = 0n;
  rnmiCause = 0n;
  /** Where RNMIs and exceptions taken while NMIE=0 go (platform-defined, set by the machine). */
  rnmiVector = 0;
  rnmiExceptionVector = 0;
  readonly pmp = new Pmp();

  // ---- derived state, recomputed on change ---------------------------------------------------
  satpMode = 0;
  satpRoot = 0;
  stce = false;
  /** mtimecmp of this hart as a double (Infinity when far), kept by the CLINT wiring. */
  mtimecmp = Infinity;
  mtimeOffset = 0;
  stimecmpNum = Infinity;
  /** A device's next timed event (mtime ticks; Infinity for none) and its handler, run at or after it. */
  deviceDeadline = Infinity;
  onDeviceDeadline: (() => void) | null = null;

  // ---- memory --------------------------------------------------------------------------------
  readonly ram: Uint8Array;
  private readonly ram32: Int32Array;
  private readonly ram16: Int16Array;
  private readonly ramView: DataView;
  readonly ramBase: number;
  readonly ramSize: number;
  private readonly ramEnd: number;
  bus: HartBus;

  // Translation cache: per (privilege, access) set, TLB_ENTRIES direct-mapped entries.
  private readonly tlbTag = new Float64Array(9 * TLB_ENTRIES).fill(NaN);
  private readonly tlbOff = new Float64Array(9 * TLB_ENTRIES);
  private readonly mmioTag = new Float64Array(9 * TLB_ENTRIES).fill(NaN);
  private readonly mmioPa = new Float64Array(9 * TLB_ENTRIES);
  private setLoad = 0;
  private setStore = 0;

  // Decoded-instruction cache: per RAM page, 2048 slots of (packed fields, immediate).
  private readonly decPages: (Int32Array | undefined)[] = [];
  private readonly codeFlag: Uint8Array;
  private readonly romDec = new Map<number, Int32Array>();
  private fetchVa = NaN;
  // A RAM word whose stores the platform must see at once (HTIF tohost).
  private watchOff = -1;
  private onWatch: (() => void) | null = null;
  private fetchDec: Int32Array = new Int32Array(4096);
  private fetchMem: Uint8Array;
  private fetchMemOff = 0;
  private fetchPa = 0;
  private decImm = 0;
  private readonly scratch: Decoded = { op: Op.ILLEGAL, rd: 0, rs1: 0, rs2: 0, imm: 0, len: 4 };

  /** High half of the last 64-bit load. */
  private rhi = 0;
  // LR/SC reservation (physical address) or -1.
  private reservation = -1;

  // ---- run control -----------------------------------------------------------------------------
  private cycleLimit = 0;
  private insnLimit = 0;
  waiting = false;
  stopReason: StopReason | null = null;
  stopOnTrap = false;
  /** Exception being raised (set before throwing TRAP). */
  excCause = 0;
  excTval = 0n;
  excEpc: bigint | null = null;
  /** Last trap when stopOnTrap is set. */
  lastTrap: { cause: bigint; tval: bigint; epc: bigint } | null = null;
  /**
   * Called before each instruction when tracing (slow path only). Returning true stops the run
   * before the instruction executes (reason 'break'): a debugger's breakpoint or step boundary.
   */
  tracer: ((h: Hart, pc: number, bits: number, len: number) => boolean | void) | null = null;
  /** Called at every trap entry (exception, interrupt, RNMI) when observing: tracing, debugging. */
  onTrap: ((h: Hart, cause: bigint, tval: bigint, epc: bigint, fromPriv: number, rnmi: boolean) => void) | null = null;

  constructor(ramBase: number, ramSize: number, bus: HartBus) {
    this.ramBase = ramBase;
    this.ramSize = ramSize;
    this.ramEnd = ramBase + ramSize;
    this.ram = new Uint8Array(ramSize);
    this.ram32 = new Int32Array(this.ram.buffer);
    this.ram16 = new Int16Array(this.ram.buffer);
    this.ramView = new DataView(this.ram.buffer);
    this.codeFlag = new Uint8Array(Math.ceil(ramSize / 4096));
    this.fetchMem = this.ram;
    this.bus = bus;
    this.reset(0x1000);
  }

  reset(pc: number): void {
    this.x.fill(0);
    this.pc = pc;
    this.priv = 3;
    this.mstatus = 0;
    this.medeleg = 0; this.mideleg = 0; this.mie = 0; this.mipSw = 0;
    this.mtvec = 0n; this.stvec = 0n; this.mepc = 0n; this.sepc = 0n;
    this.mcause = 0n; this.scause = 0n; this.mtval = 0n; this.stval = 0n;
    this.mscratch = 0n; this.sscratch = 0n; this.mcounteren = 0; this.scounteren = 0;
    this.menvcfg = 0n; this.senvcfg = 0n; this.satp = 0n; this.stimecmp = 0n;
    this.mnstatus = 0; this.mnscratch = 0n; this.mnepc = 0n; this.mncause = 0n;
    this.rnmiPending = 0n;
    this.pmp.reset();
    this.reservation = -1;
    this.waiting = false;
    this.cycles = 0; this.instret = 0; this.mcycleOffset = 0; this.minstretOffset = 0;
    this.mtimeOffset = 0; this.mtimecmp = Infinity; this.mipHw = 0;
    this.stopReason = null; this.lastTrap = null;
    this.satpChanged();
    this.envcfgChanged();
    this.flushTranslations();
    this.privChanged();
  }

  // ---- register access for loaders, vectors and the harness ----------------------------------
  /** Register value as an unsigned 64-bit number. */
  getX(i: number): bigint { return i === 0 ? 0n : toBigU(this.x[2 * i], this.x[2 * i + 1]); }
  setX(i: number, v: bigint): void {
    if (i === 0) return;
    this.x[2 * i] = loOf(v); this.x[2 * i + 1] = hiOf(v);
  }
  getPc(): bigint { return BigInt.asUintN(64, BigInt(this.pc)); }
  setPc(v: bigint): void { this.pc = Number(BigInt.asIntN(64, v)); this.fetchVa = NaN; }
  setPriv(p: number): void { this.priv = p; this.privChanged(); }
  /** CSR access for loaders and the harness: no privilege checks, no instruction side effects. */
  readCsr(num: number): bigint { return csrRead(this, num); }
  writeCsr(num: number, v: bigint): void { csrWrite(this, num, v, false); }

  /** Instruction bits at a virtual pc, for tracing and diagnostics; null when the fetch would fault. */
  peekInstruction(pc: number): number | null {
    const saved = { c: this.cycles, cause: this.excCause, tval: this.excTval };
    try { return this.fetchBitsSlow(pc); }
    catch (e) { if (e !== TRAP) throw e; return null; }
    finally { this.cycles = saved.c; this.excCause = saved.cause; this.excTval = saved.tval; }
  }

  // ---- time ------------------------------------------------------------------------------------
  mtime(): number { return floor(this.cycles / CYCLES_PER_TICK) + this.mtimeOffset; }

  /** Recompute the timer bits of mip from the current time. */
  updateTimerBits(): void {
    const now = this.mtime();
    let hw = this.mipHw & ~((1 << Irq.MTI) | (this.stce ? 1 << Irq.STI : 0));
    if (now >= this.mtimecmp) hw |= 1 << Irq.MTI;
    if (this.stce && now >= this.stimecmpNum) hw |= 1 << Irq.STI;
    this.mipHw = hw;
  }

  /** First cycle count at which a timer comparison changes, or Infinity. */
  private nextTimerCycle(): number {
    const now = this.mtime();
    let next = Infinity;
    if (this.mtimecmp > now) next = this.mtimecmp;
    if (this.stce && this.stimecmpNum > now && this.stimecmpNum < next) next = this.stimecmpNum;
    if (this.deviceDeadline < next) next = Math.max(this.deviceDeadline, now);
    if (next === Infinity) return Infinity;
    return (next - this.mtimeOffset) * CYCLES_PER_TICK;
  }

  mip(): number {
    this.updateTimerBits();
    return this.mipSw | this.mipHw;
  }

  // Pins from the interrupt controllers.
  setHwBit(bit: number, level: boolean): void {
    const m = 1 << bit;
    this.mipHw = level ? this.mipHw | m : this.mipHw & ~m;
    this.cycleLimit = 0;
  }
  /** Force the run loop back to its interrupt check (a CSR or device changed interrupt state). */
  kick(): void { this.cycleLimit = 0; }

  raiseRnmi(cause: bigint): void {
    this.rnmiPending = 1n;
    this.rnmiCause = cause;
    this.cycleLimit = 0;
  }

  // ---- derived-state maintenance ---------------------------------------------------------------
  satpChanged(): void {
    const mode = Number(this.satp >> 60n);
    this.satpMode = mode;
    this.satpRoot = Number(this.satp & ((1n << 44n) - 1n)) * 4096;
    this.flushTranslations();
  }

  envcfgChanged(): void {
    this.stce = (this.menvcfg >> 63n) === 1n;
    // With Sstc enabled, STIP is the comparator's alone; a software-written bit no longer counts.
    if (this.stce) this.mipSw &= ~(1 << Irq.STI);
    this.stimecmpNum = Number(BigInt.asUintN(64, this.stimecmp));
    this.updateTimerBits();
    this.kick();
  }

  /** Privilege or mstatus.MPRV/MPP changed: pick the data translation sets again. */
  privChanged(): void {
    const dataPriv = (this.priv === 3 && (this.mstatus & MS_MPRV)) ? (this.mstatus >> MS_MPP_SHIFT) & 3 : this.priv;
    const p = dataPriv === 3 ? 2 : dataPriv;
    this.setLoad = (p * 3 + Access.Load) * TLB_ENTRIES;
    this.setStore = (p * 3 + Access.Store) * TLB_ENTRIES;
    this.fetchVa = NaN;
    this.kick();
  }

  flushTranslations(): void {
    this.tlbTag.fill(NaN);
    this.mmioTag.fill(NaN);
    this.fetchVa = NaN;
  }

  // ---- the run loop ----------------------------------------------------------------------------
  /**
   * Run until `maxInsns` more instructions retired, or a stop (finisher, tohost, trap when
   * stopOnTrap, idle in WFI with no wake-up source). Returns the reason.
   */
  run(maxInsns: number): StopReason {
    const target = this.instret + maxInsns;
    // A trap whose handler traps again at once (e.g. an unmapped stvec) retires nothing: bound
    // such storms by the same budget, so that no guest can hang the host.
    let fruitless = 0;
    this.stopReason = null;
    while (this.stopReason === null) {
      if (this.instret >= target) return 'limit';
      if (this.mtime() >= this.deviceDeadline) this.onDeviceDeadline?.();
      this.updateTimerBits();
      if (this.waiting) {
        if ((this.mipSw | this.mipHw) & this.mie || (this.rnmiPending && this.rnmiVector !== 0)) {
          this.waiting = false;
        } else {
          const t = this.nextTimerCycle();
          if (t === Infinity) return 'idle';
          this.cycles = Math.max(this.cycles, t);
          continue;
        }
      }
      if (this.rnmiPending && (this.mnstatus & 8) && this.rnmiVector !== 0) { this.takeRnmi(); continue; }
      const irq = this.pendingInterrupt();
      if (irq >= 0) {
        this.excEpc = null;
        this.enterTrap(irq, true, 0n);
        continue;
      }
      this.cycleLimit = this.nextTimerCycle();
      this.insnLimit = this.tracer ? Math.min(target, this.instret + 1) : target;
      const before = this.instret;
      this.execute();
      if (this.instret !== before) fruitless = 0;
      else if (++fruitless > maxInsns) return 'limit';
    }
    return this.stopReason;
  }

  /** Highest-priority interrupt that is pending, enabled and allowed at this privilege, or -1. */
  pendingInterrupt(): number {
    const pending = (this.mipSw | this.mipHw) & this.mie;
    if (pending === 0) return -1;
    const mLevel = pending & ~this.mideleg;
    if (mLevel !== 0 && (this.priv < 3 || (this.mstatus & MS_MIE) !== 0)) {
      if (this.priv < 3 || (this.mnstatus & 8) !== 0 || this.rnmiVector === 0) return pickIrq(mLevel);
    }
    const sLevel = pending & this.mideleg;
    if (sLevel !== 0 && (this.priv < 1 || (this.priv === 1 && (this.mstatus & MS_SIE) !== 0))) return pickIrq(sLevel);
    return -1;
  }

  private execute(): void {
    try {
      this.loop();
    } catch (e) {
      if (e !== TRAP) throw e;
      this.enterTrap(this.excCause, false, this.excTval);
    }
  }

  private loop(): void {
    const x = this.x;
    const cost = OP_COST; // a local: the imported binding is a property load on every use
    while (this.cycles < this.cycleLimit && this.instret < this.insnLimit) {
      const pc = this.pc;
      const off = pc - this.fetchVa;
      if (!(off >= 0 && off < 4096)) { this.refillFetch(); continue; }
      const slot = off << 0 >> 1;
      const dec = this.fetchDec;
      let d = dec[slot << 1];
      let imm: number;
      if (d === 0) { d = this.decodeSlot(slot, off); imm = this.decImm; } else imm = dec[(slot << 1) + 1];
      const op = d & 0xff;
      const rd = (d >>> 8) & 0x7f;
      const rs1 = (d >>> 15) & 0x3f;
      const rs2 = (d >>> 21) & 0x3f;
      const len = (d >>> 27) & 1 ? 2 : 4;
      if (this.tracer !== null && this.tracer(this, pc, this.insnBits(pc, len), len) === true) { this.stopReason = 'break'; return; }
      this.cycles += cost[op];
      switch (op) {
        case Op.LUI: x[rd] = imm; x[rd + 1] = imm >> 31; this.pc = pc + len; break;
        case Op.AUIPC: {
          const v = pc + imm;
          x[rd] = v | 0; x[rd + 1] = floor(v / TWO32) | 0; this.pc = pc + len; break;
        }
        case Op.JAL: {
          const link = pc + len;
          x[rd] = link | 0; x[rd + 1] = floor(link / TWO32) | 0;
          this.pc = pc + imm; break;
        }
        case Op.JALR: {
          const s = (x[rs1] >>> 0) + (imm >>> 0);
          const hi = (x[rs1 + 1] + (imm >> 31) + (s > 0xffffffff ? 1 : 0)) | 0;
          const lo = (s | 0) & ~1;
          const link = pc + len;
          x[rd] = link | 0; x[rd + 1] = floor(link / TWO32) | 0;
          if (hi >= -0x200000 && hi < 0x200000) this.pc = hi * TWO32 + (lo >>> 0);
          else this.jumpFar(lo, hi);
          break;
        }
        case Op.BEQ: this.pc = (x[rs1] === x[rs2] && x[rs1 + 1] === x[rs2 + 1]) ? pc + imm : pc + len; break;
        case Op.BNE: this.pc = (x[rs1] !== x[rs2] || x[rs1 + 1] !== x[rs2 + 1]) ? pc + imm : pc + len; break;
        case Op.BLT: {
          const ah = x[rs1 + 1], bh = x[rs2 + 1];
          this.pc = (ah < bh || (ah === bh && (x[rs1] >>> 0) < (x[rs2] >>> 0))) ? pc + imm : pc + len; break;
        }
        case Op.BGE: {
          const ah = x[rs1 + 1], bh = x[rs2 + 1];
          this.pc = (ah < bh || (ah === bh && (x[rs1] >>> 0) < (x[rs2] >>> 0))) ? pc + len : pc + imm; break;
        }
        case Op.BLTU: {
          const ah = x[rs1 + 1] >>> 0, bh = x[rs2 + 1] >>> 0;
          this.pc = (ah < bh || (ah === bh && (x[rs1] >>> 0) < (x[rs2] >>> 0))) ? pc + imm : pc + len; break;
        }
        case Op.BGEU: {
          const ah = x[rs1 + 1] >>> 0, bh = x[rs2 + 1] >>> 0;
          this.pc = (ah < bh || (ah === bh && (x[rs1] >>> 0) < (x[rs2] >>> 0))) ? pc + len : pc + imm; break;
        }
        case Op.LB: { const v = (this.load(rs1, imm, 1) << 24) >> 24; x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break; }
        case Op.LH: { const v = (this.load(rs1, imm, 2) << 16) >> 16; x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break; }
        case Op.LW: { const v = this.load(rs1, imm, 4); x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break; }
        case Op.LD: { const v = this.load(rs1, imm, 8); x[rd] = v; x[rd + 1] = this.rhi; this.pc = pc + len; break; }
        case Op.LBU: { x[rd] = this.load(rs1, imm, 1) & 0xff; x[rd + 1] = 0; this.pc = pc + len; break; }
        case Op.LHU: { x[rd] = this.load(rs1, imm, 2) & 0xffff; x[rd + 1] = 0; this.pc = pc + len; break; }
        case Op.LWU: { x[rd] = this.load(rs1, imm, 4); x[rd + 1] = 0; this.pc = pc + len; break; }
        case Op.SB: this.store(rs1, imm, 1, x[rs2], 0); this.pc = pc + len; break;
        case Op.SH: this.store(rs1, imm, 2, x[rs2], 0); this.pc = pc + len; break;
        case Op.SW: this.store(rs1, imm, 4, x[rs2], 0); this.pc = pc + len; break;
        case Op.SD: this.store(rs1, imm, 8, x[rs2], x[rs2 + 1]); this.pc = pc + len; break;
        case Op.ADDI: {
          const s = (x[rs1] >>> 0) + (imm >>> 0);
          x[rd + 1] = (x[rs1 + 1] + (imm >> 31) + (s > 0xffffffff ? 1 : 0)) | 0;
          x[rd] = s | 0; this.pc = pc + len; break;
        }
        case Op.SLTI: {
          const ah = x[rs1 + 1], bh = imm >> 31;
          x[rd] = (ah < bh || (ah === bh && (x[rs1] >>> 0) < (imm >>> 0))) ? 1 : 0; x[rd + 1] = 0; this.pc = pc + len; break;
        }
        case Op.SLTIU: {
          const ah = x[rs1 + 1] >>> 0, bh = (imm >> 31) >>> 0;
          x[rd] = (ah < bh || (ah === bh && (x[rs1] >>> 0) < (imm >>> 0))) ? 1 : 0; x[rd + 1] = 0; this.pc = pc + len; break;
        }
        case Op.XORI: x[rd + 1] = x[rs1 + 1] ^ (imm >> 31); x[rd] = x[rs1] ^ imm; this.pc = pc + len; break;
        case Op.ORI: x[rd + 1] = x[rs1 + 1] | (imm >> 31); x[rd] = x[rs1] | imm; this.pc = pc + len; break;
        case Op.ANDI: x[rd + 1] = x[rs1 + 1] & (imm >> 31); x[rd] = x[rs1] & imm; this.pc = pc + len; break;
        case Op.SLLI: this.sll(rd, x[rs1], x[rs1 + 1], imm); this.pc = pc + len; break;
        case Op.SRLI: this.srl(rd, x[rs1], x[rs1 + 1], imm); this.pc = pc + len; break;
        case Op.SRAI: this.sra(rd, x[rs1], x[rs1 + 1], imm); this.pc = pc + len; break;
        case Op.ADD: {
          const s = (x[rs1] >>> 0) + (x[rs2] >>> 0);
          x[rd + 1] = (x[rs1 + 1] + x[rs2 + 1] + (s > 0xffffffff ? 1 : 0)) | 0;
          x[rd] = s | 0; this.pc = pc + len; break;
        }
        case Op.SUB: {
          const s = (x[rs1] >>> 0) - (x[rs2] >>> 0);
          x[rd + 1] = (x[rs1 + 1] - x[rs2 + 1] - (s < 0 ? 1 : 0)) | 0;
          x[rd] = s | 0; this.pc = pc + len; break;
        }
        case Op.SLL: this.sll(rd, x[rs1], x[rs1 + 1], x[rs2] & 63); this.pc = pc + len; break;
        case Op.SRL: this.srl(rd, x[rs1], x[rs1 + 1], x[rs2] & 63); this.pc = pc + len; break;
        case Op.SRA: this.sra(rd, x[rs1], x[rs1 + 1], x[rs2] & 63); this.pc = pc + len; break;
        case Op.SLT: {
          const ah = x[rs1 + 1], bh = x[rs2 + 1];
          x[rd] = (ah < bh || (ah === bh && (x[rs1] >>> 0) < (x[rs2] >>> 0))) ? 1 : 0; x[rd + 1] = 0; this.pc = pc + len; break;
        }
        case Op.SLTU: {
          const ah = x[rs1 + 1] >>> 0, bh = x[rs2 + 1] >>> 0;
          x[rd] = (ah < bh || (ah === bh && (x[rs1] >>> 0) < (x[rs2] >>> 0))) ? 1 : 0; x[rd + 1] = 0; this.pc = pc + len; break;
        }
        case Op.XOR: x[rd + 1] = x[rs1 + 1] ^ x[rs2 + 1]; x[rd] = x[rs1] ^ x[rs2]; this.pc = pc + len; break;
        case Op.OR: x[rd + 1] = x[rs1 + 1] | x[rs2 + 1]; x[rd] = x[rs1] | x[rs2]; this.pc = pc + len; break;
        case Op.AND: x[rd + 1] = x[rs1 + 1] & x[rs2 + 1]; x[rd] = x[rs1] & x[rs2]; this.pc = pc + len; break;
        case Op.ADDIW: { const v = (x[rs1] + imm) | 0; x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break; }
        case Op.SLLIW: { const v = x[rs1] << imm; x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break; }
        case Op.SRLIW: { const v = (x[rs1] >>> imm) | 0; x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break; }
        case Op.SRAIW: { const v = x[rs1] >> imm; x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break; }
        case Op.ADDW: { const v = (x[rs1] + x[rs2]) | 0; x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break; }
        case Op.SUBW: { const v = (x[rs1] - x[rs2]) | 0; x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break; }
        case Op.SLLW: { const v = x[rs1] << (x[rs2] & 31); x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break; }
        case Op.SRLW: { const v = (x[rs1] >>> (x[rs2] & 31)) | 0; x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break; }
        case Op.SRAW: { const v = x[rs1] >> (x[rs2] & 31); x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break; }
        case Op.MUL: {
          const al = x[rs1], bl = x[rs2];
          const lo = mulu32(al, bl);
          const hi = (MUL_HI[0] + imul(x[rs1 + 1], bl) + imul(al, x[rs2 + 1])) | 0;
          x[rd] = lo; x[rd + 1] = hi; this.pc = pc + len; break;
        }
        case Op.MULW: { const v = imul(x[rs1], x[rs2]); x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break; }
        case Op.MULH: case Op.MULHSU: case Op.MULHU:
        case Op.DIV: case Op.DIVU: case Op.REM: case Op.REMU:
          this.mulDiv(op, rd, rs1, rs2); this.pc = pc + len; break;
        case Op.DIVW: {
          const a = x[rs1], b = x[rs2];
          const v = b === 0 ? -1 : (a === -2147483648 && b === -1) ? a : (a / b) | 0;
          x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break;
        }
        case Op.DIVUW: {
          const a = x[rs1] >>> 0, b = x[rs2] >>> 0;
          const v = b === 0 ? -1 : (floor(a / b) | 0);
          x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break;
        }
        case Op.REMW: {
          const a = x[rs1], b = x[rs2];
          const v = b === 0 ? a : (a === -2147483648 && b === -1) ? 0 : (a % b) | 0;
          x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break;
        }
        case Op.REMUW: {
          const a = x[rs1] >>> 0, b = x[rs2] >>> 0;
          const v = b === 0 ? (a | 0) : ((a % b) | 0);
          x[rd] = v; x[rd + 1] = v >> 31; this.pc = pc + len; break;
        }
        case Op.FENCE: this.pc = pc + len; break;
        case Op.FENCE_I: this.pc = pc + len; this.fetchVa = NaN; break;
        case Op.ILLEGAL: this.illegal(imm, len); break;
        case Op.ECALL:
          this.excEpc = null;
          this.raise(this.priv === 3 ? Exc.EcallM : this.priv === 1 ? Exc.EcallS : Exc.EcallU, 0n);
          break;
        // mtval is 0 for ebreak, as on QEMU (the specification allows 0 or the pc).
        case Op.EBREAK: this.excEpc = null; this.raise(Exc.Breakpoint, 0n); break;
        default:
          this.system(op, rd, rs1, rs2, imm, pc, len);
          break;
      }
      this.instret++;
    }
  }

  // ---- ALU helpers (shifts by 0..63 on halves) -------------------------------------------------
  private sll(rd: number, lo: number, hi: number, s: number): void {
    const x = this.x;
    if (s === 0) { x[rd] = lo; x[rd + 1] = hi; }
    else if (s < 32) { x[rd + 1] = (hi << s) | (lo >>> (32 - s)); x[rd] = lo << s; }
    else { x[rd + 1] = lo << (s - 32); x[rd] = 0; }
  }
  private srl(rd: number, lo: number, hi: number, s: number): void {
    const x = this.x;
    if (s === 0) { x[rd] = lo; x[rd + 1] = hi; }
    else if (s < 32) { x[rd] = (lo >>> s) | (hi << (32 - s)); x[rd + 1] = hi >>> s; }
    else { x[rd] = hi >>> (s - 32); x[rd + 1] = 0; }
  }
  private sra(rd: number, lo: number, hi: number, s: number): void {
    const x = this.x;
    if (s === 0) { x[rd] = lo; x[rd + 1] = hi; }
    else if (s < 32) { x[rd] = (lo >>> s) | (hi << (32 - s)); x[rd + 1] = hi >> s; }
    else { x[rd] = hi >> (s - 32); x[rd + 1] = hi >> 31; }
  }

  /** The M-extension operations that need more than 64 bits or a full 64-bit divide. */
  private mulDiv(op: number, rd: number, rs1: number, rs2: number): void {
    const x = this.x;
    const al = x[rs1], ah = x[rs1 + 1], bl = x[rs2], bh = x[rs2 + 1];
    // Fast path: both operands are sign-extended 32-bit values.
    if (op === Op.DIV || op === Op.REM) {
      if (ah === al >> 31 && bh === bl >> 31 && !(al === -2147483648 && bl === -1)) {
        let v: number;
        if (bl === 0) v = op === Op.DIV ? -1 : al;
        else v = op === Op.DIV ? trunc(al / bl) : al % bl;
        x[rd] = v | 0; x[rd + 1] = v < 0 ? -1 : 0; return;
      }
    } else if ((op === Op.DIVU || op === Op.REMU) && ah === 0 && bh === 0) {
      const a = al >>> 0, b = bl >>> 0;
      let v: number;
      if (b === 0) v = op === Op.DIVU ? -1 : a;
      else v = op === Op.DIVU ? floor(a / b) : a % b;
      if (v === -1) { x[rd] = -1; x[rd + 1] = -1; } else { x[rd] = v | 0; x[rd + 1] = 0; }
      return;
    } else if (op === Op.MULHU && ah === 0 && bh === 0) {
      x[rd] = 0; x[rd + 1] = 0; return; // the product is below 2^64
    }
    if (this.mulDivWide(op, rd, al, ah, bl, bh)) return;
    const sa = toBig(al, ah), sb = toBig(bl, bh), ua = toBigU(al, ah), ub = toBigU(bl, bh);
    let r: bigint;
    switch (op) {
      case Op.MULH: r = (sa * sb) >> 64n; break;
      case Op.MULHSU: r = (sa * ub) >> 64n; break;
      case Op.MULHU: r = (ua * ub) >> 64n; break;
      case Op.DIV: r = sb === 0n ? -1n : (sa === -(1n << 63n) && sb === -1n) ? sa : sa / sb; break;
      case Op.DIVU: r = ub === 0n ? -1n : ua / ub; break;
      case Op.REM: r = sb === 0n ? sa : (sa === -(1n << 63n) && sb === -1n) ? 0n : sa % sb; break;
      default: r = ub === 0n ? ua : ua % ub; break;
    }
    x[rd] = loOf(r); x[rd + 1] = hiOf(r);
  }

  /**
   * The full-width M operations on 32-bit halves (no BigInt): high products always, divisions when
   * divu64 can do them exactly. Returns false to leave the case to the BigInt code.
   */
  private mulDivWide(op: number, rd: number, al: number, ah: number, bl: number, bh: number): boolean {
    const x = this.x;
    if (op === Op.MULHU || op === Op.MULH || op === Op.MULHSU) {
      mulhu64(al, ah, bl, bh);
      let lo = WIDE[0], hi = WIDE[1];
      // Signed high products from the unsigned one: subtract b when a < 0, a when b < 0 (mod 2^64).
      if (op !== Op.MULHU && ah < 0) { const s = (lo >>> 0) - (bl >>> 0); hi = (hi - bh - (s < 0 ? 1 : 0)) | 0; lo = s | 0; }
      if (op === Op.MULH && bh < 0) { const s = (lo >>> 0) - (al >>> 0); hi = (hi - ah - (s < 0 ? 1 : 0)) | 0; lo = s | 0; }
      x[rd] = lo; x[rd + 1] = hi;
      return true;
    }
    if (bl === 0 && bh === 0) return false;
    const signed = op === Op.DIV || op === Op.REM;
    if (signed && ah === -2147483648 && al === 0 && bl === -1 && bh === -1) return false;
    const negA = signed && ah < 0, negB = signed && bh < 0;
    // Magnitudes of signed operands (two's complement negation on halves).
    let ml = al, mh = ah, nl = bl, nh = bh;
    if (negA) { ml = (-al) | 0; mh = (~ah + (al === 0 ? 1 : 0)) | 0; }
    if (negB) { nl = (-bl) | 0; nh = (~bh + (bl === 0 ? 1 : 0)) | 0; }
    if (!divu64(ml, mh, nl, nh)) return false;
    const quotient = op === Op.DIV || op === Op.DIVU;
    let lo = quotient ? WIDE[0] : WIDE[2], hi = quotient ? WIDE[1] : WIDE[3];
    if (quotient ? negA !== negB : negA) { const l = (-lo) | 0; hi = (~hi + (lo === 0 ? 1 : 0)) | 0; lo = l; }
    x[rd] = lo; x[rd + 1] = hi;
    return true;
  }

  // ---- system instructions (out of the hot switch) ---------------------------------------------
  private system(op: number, rd: number, rs1: number, rs2: number, imm: number, pc: number, len: number): void {
    const x = this.x;
    switch (op) {
      case Op.CSRRW: case Op.CSRRS: case Op.CSRRC: case Op.CSRRWI: case Op.CSRRSI: case Op.CSRRCI: {
        const immForm = op >= Op.CSRRWI;
        const kind = immForm ? op - Op.CSRRWI : op - Op.CSRRW; // 0 write, 1 set, 2 clear
        const src = rs1 >> 1; // register number, or the 5-bit immediate
        const operand = immForm ? BigInt(src) : toBigU(x[rs1], x[rs1 + 1]);
        const writes = kind === 0 || src !== 0;
        const reads = !(kind === 0 && rd === 64);
        const csr = imm & 0xfff;
        if (!csrAllowed(this, csr, writes)) { this.illegal(this.insnBits(pc, len), len); return; }
        const old = reads || kind !== 0 ? csrRead(this, csr) : 0n;
        if (writes) {
          const base = kind === 0 ? 0n : csrRmwBase(this, csr, old);
          const nv = kind === 0 ? operand : kind === 1 ? (base | operand) : (base & ~operand);
          csrWrite(this, csr, nv, true);
        }
        this.pc = pc + len;
        if (reads) { x[rd] = loOf(old); x[rd + 1] = hiOf(old); }
        this.kick();
        return;
      }
      case Op.MRET: {
        if (this.priv !== 3) { this.illegal(this.insnBits(pc, len), len); return; }
        const mpp = (this.mstatus >> MS_MPP_SHIFT) & 3;
        let ms = this.mstatus;
        ms = (ms & MS_MPIE) ? ms | MS_MIE : ms & ~MS_MIE;
        ms = (ms | MS_MPIE) & ~MS_MPP;
        if (mpp !== 3) ms &= ~MS_MPRV;
        this.mstatus = ms;
        this.priv = mpp;
        this.reservation = -1;
        this.jumpTo(this.mepc);
        this.privChanged();
        return;
      }
      case Op.SRET: {
        if (this.priv === 0 || (this.priv === 1 && (this.mstatus & MS_TSR))) { this.illegal(this.insnBits(pc, len), len); return; }
        const spp = (this.mstatus & MS_SPP) ? 1 : 0;
        let ms = this.mstatus;
        ms = (ms & MS_SPIE) ? ms | MS_SIE : ms & ~MS_SIE;
        ms = (ms | MS_SPIE) & ~MS_SPP;
        ms &= ~MS_MPRV; // SPP is never M
        this.mstatus = ms;
        this.priv = spp;
        this.reservation = -1;
        this.jumpTo(this.sepc);
        this.privChanged();
        return;
      }
      case Op.MNRET: {
        if (this.priv !== 3) { this.illegal(this.insnBits(pc, len), len); return; }
        const mnpp = (this.mnstatus >> 11) & 3;
        this.mnstatus |= 8;
        if (mnpp !== 3) this.mstatus &= ~MS_MPRV;
        this.priv = mnpp;
        this.jumpTo(this.mnepc);
        this.privChanged();
        return;
      }
      case Op.WFI: {
        if (this.priv === 0 || (this.priv === 1 && (this.mstatus & MS_TW))) { this.illegal(this.insnBits(pc, len), len); return; }
        this.pc = pc + len;
        this.updateTimerBits();
        if (((this.mipSw | this.mipHw) & this.mie) === 0) { this.waiting = true; this.kick(); }
        return;
      }
      case Op.SFENCE_VMA: {
        if (this.priv === 0 || (this.priv === 1 && (this.mstatus & MS_TVM))) { this.illegal(this.insnBits(pc, len), len); return; }
        this.cycles += EVENT_COST.tlbFlush;
        this.flushTranslations();
        this.pc = pc + len;
        return;
      }
      default:
        if (op >= Op.LR_W && op <= Op.AMOMAXU_D) { this.atomic(op, rd, rs1, rs2); this.pc = pc + len; return; }
        throw new Error(`internal: no execution for op ${op} at pc ${pc.toString(16)}`);
    }
  }

  private atomic(op: number, rd: number, rs1: number, rs2: number): void {
    const x = this.x;
    const wide = op >= Op.LR_D;
    const size = wide ? 8 : 4;
    const kind = op - (wide ? Op.LR_D : Op.LR_W);
    const isLr = kind === 0;
    const access = isLr ? Access.Load : Access.Store;
    const va = this.exactAddress(rs1, 0, access);
    const pa = this.atomicAddress(va, size, access);
    if (kind === 1) { // SC
      let ok = this.reservation === pa;
      this.reservation = -1;
      if (ok) this.writePhys(pa, size, x[rs2], x[rs2 + 1], va);
      x[rd] = ok ? 0 : 1; x[rd + 1] = 0;
      return;
    }
    // An AMO that faults on its read is a store/AMO access fault (privileged spec, table 3.6).
    const lo = this.readPhys(pa, size, access, va);
    const hi = wide ? this.rhi : lo >> 31;
    if (isLr) { this.reservation = pa; x[rd] = lo; x[rd + 1] = hi; return; }
    const bl = x[rs2], bh = wide ? x[rs2 + 1] : bl >> 31;
    let nl = 0, nh = 0;
    switch (kind) {
      case 2: nl = bl; nh = bh; break; // swap
      case 3: { const s = (lo >>> 0) + (bl >>> 0); nl = s | 0; nh = (hi + bh + (s > 0xffffffff ? 1 : 0)) | 0; break; }
      case 4: nl = lo ^ bl; nh = hi ^ bh; break;
      case 5: nl = lo & bl; nh = hi & bh; break;
      case 6: nl = lo | bl; nh = hi | bh; break;
      default: {
        const signed = kind === 7 || kind === 8;
        const ah2 = signed ? hi : hi >>> 0, bh2 = signed ? bh : bh >>> 0;
        const aLess = ah2 < bh2 || (ah2 === bh2 && (lo >>> 0) < (bl >>> 0));
        const takeA = (kind === 7 || kind === 9) ? aLess : !aLess;
        const eq = lo === bl && hi === bh;
        nl = takeA || eq ? lo : bl; nh = takeA || eq ? hi : bh;
      }
    }
    this.writePhys(pa, size, nl, nh, va);
    x[rd] = lo; x[rd + 1] = hi;
  }

  /** Translate and check an LR/SC/AMO address; misaligned ones trap (they never complete). */
  private atomicAddress(va: number, size: number, access: Access): number {
    if (va % size !== 0) {
      this.raise(access === Access.Load ? Exc.LoadMisaligned : Exc.StoreMisaligned, BigInt.asUintN(64, BigInt(va)));
    }
    const pa = this.translate(va, access, size);
    // An AMO also needs read permission: the store walk checked W, and W implies R.
    return pa;
  }

  // ---- traps -------------------------------------------------------------------------------------
  /** Record an exception and unwind to the run loop. */
  raise(cause: number, tval: bigint): never {
    this.excCause = cause;
    this.excTval = tval;
    throw TRAP;
  }

  private illegal(bits: number, len: number): never {
    this.excEpc = null;
    return this.raise(Exc.IllegalInsn, BigInt(len === 2 ? bits & 0xffff : bits >>> 0));
  }

  private insnBits(pc: number, len: number): number {
    const off = pc - this.fetchVa;
    if (off >= 0 && off + len <= 4096) {
      const p = this.fetchMemOff + off;
      const m = this.fetchMem;
      return len === 2 ? m[p] | (m[p + 1] << 8) : (m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24)) >>> 0;
    }
    return this.fetchBitsSlow(pc);
  }

  enterTrap(cause: number, interrupt: boolean, tval: bigint): void {
    const epc = this.excEpc ?? BigInt.asUintN(64, BigInt(this.pc));
    this.excEpc = null;
    const causeBits = interrupt ? (1n << 63n) | BigInt(cause) : BigInt(cause);
    const delegated = cause < 32 && (((interrupt ? this.mideleg : this.medeleg) >>> cause) & 1) === 1;
    if (this.stopOnTrap && !(this.priv <= 1 && delegated)) {
      // Vectors observe the first trap that would reach M-mode, without entering it; traps
      // delegated to S still run the vector's own handler.
      this.lastTrap = { cause: causeBits, tval, epc };
      this.stopReason = 'trap';
      this.cycleLimit = 0;
      return;
    }
    this.cycles += EVENT_COST.trapEntry;
    this.reservation = -1;
    this.waiting = false;
    if (this.onTrap !== null) this.onTrap(this, causeBits, tval, epc, this.priv, false);
    let ms = this.mstatus;
    if (this.priv <= 1 && delegated) {
      this.sepc = epc; this.scause = causeBits; this.stval = tval;
      ms = (ms & MS_SIE) ? ms | MS_SPIE : ms & ~MS_SPIE;
      ms &= ~MS_SIE;
      ms = this.priv === 1 ? ms | MS_SPP : ms & ~MS_SPP;
      this.mstatus = ms;
      this.priv = 1;
      this.pc = trapTarget(this.stvec, cause, interrupt);
    } else if (this.rnmiVector !== 0 && this.priv === 3 && (this.mnstatus & 8) === 0 && !interrupt) {
      // Smrnmi: an exception in M-mode while NMIE is clear is taken like any M-mode trap (mepc,
      // mcause, mtval, mstatus), except that the pc goes to the RNMI exception vector.
      this.mepc = epc; this.mcause = causeBits; this.mtval = tval;
      ms = (ms & MS_MIE) ? ms | MS_MPIE : ms & ~MS_MPIE;
      ms &= ~MS_MIE;
      ms = (ms & ~MS_MPP) | (3 << MS_MPP_SHIFT);
      this.mstatus = ms;
      this.pc = this.rnmiExceptionVector;
    } else {
      this.mepc = epc; this.mcause = causeBits; this.mtval = tval;
      ms = (ms & MS_MIE) ? ms | MS_MPIE : ms & ~MS_MPIE;
      ms &= ~MS_MIE;
      ms = (ms & ~MS_MPP) | (this.priv << MS_MPP_SHIFT);
      this.mstatus = ms;
      this.priv = 3;
      this.pc = trapTarget(this.mtvec, cause, interrupt);
    }
    this.privChanged();
  }

  private takeRnmi(): void {
    this.rnmiPending = 0n;
    this.cycles += EVENT_COST.trapEntry;
    this.waiting = false;
    if (this.onTrap !== null) this.onTrap(this, (1n << 63n) | this.rnmiCause, 0n, BigInt.asUintN(64, BigInt(this.pc)), this.priv, true);
    this.mnepc = BigInt.asUintN(64, BigInt(this.pc));
    this.mncause = (1n << 63n) | this.rnmiCause;
    this.mnstatus = (this.mnstatus & ~(3 << 11) & ~8) | (this.priv << 11);
    this.priv = 3;
    this.pc = this.rnmiVector;
    this.reservation = -1;
    this.privChanged();
  }

  /** Set pc from an xEPC-like CSR value; a target no address can name faults at the fetch. */
  private jumpTo(target: bigint): void {
    const t = BigInt.asIntN(64, target);
    if (t >= -(1n << 52n) && t < (1n << 52n)) { this.pc = Number(t); return; }
    this.pc = Number(t);
    this.excEpc = BigInt.asUintN(64, t);
    this.fetchFaultExact(BigInt.asUintN(64, t));
  }

  private jumpFar(lo: number, hi: number): void {
    const t = toBigU(lo, hi);
    this.excEpc = t;
    this.fetchFaultExact(t);
  }

  private fetchFaultExact(t: bigint): never {
    const paged = this.priv !== 3 && this.satpMode !== 0;
    return this.raise(paged ? Exc.InsnPageFault : Exc.InsnAccessFault, t);
  }

  // ---- instruction fetch -------------------------------------------------------------------------
  private refillFetch(): void {
    const pc = this.pc;
    if (pc % 2 !== 0) this.raise(Exc.InsnMisaligned, BigInt.asUintN(64, BigInt(pc)));
    const pa = this.translate(pc, Access.Fetch, 2);
    const page = pa - (pa % 4096);
    const ramOff = page - this.ramBase;
    if (ramOff >= 0 && ramOff < this.ramSize) {
      const p = ramOff / 4096;
      let dec = this.decPages[p];
      if (dec === undefined) { dec = new Int32Array(4096); this.decPages[p] = dec; this.codeFlag[p] |= 1; }
      this.fetchDec = dec; this.fetchMem = this.ram; this.fetchMemOff = ramOff;
    } else {
      const rom = this.bus.romAt(page);
      if (rom === null) this.raise(Exc.InsnAccessFault, BigInt.asUintN(64, BigInt(pc)));
      let dec = this.romDec.get(page);
      if (dec === undefined) { dec = new Int32Array(4096); this.romDec.set(page, dec); }
      this.fetchDec = dec; this.fetchMem = rom.bytes; this.fetchMemOff = page - rom.base;
    }
    this.fetchPa = page;
    this.fetchVa = pc - (pc - floor(pc / 4096) * 4096);
  }

  /** Decode the instruction in `slot` of the current fetch page and cache it unless it spans pages. */
  private decodeSlot(slot: number, off: number): number {
    const m = this.fetchMem, p = this.fetchMemOff + off;
    const low = m[p] | (m[p + 1] << 8);
    let bits: number;
    let cacheable = true;
    if ((low & 3) !== 3) bits = low;
    else if (off + 4 <= 4096) bits = (low | (m[p + 2] << 16) | (m[p + 3] << 24)) >>> 0;
    else { bits = this.fetchBitsSlow(this.pc); cacheable = false; }
    const d = decode(bits, this.scratch);
    const packed = packDecoded(d);
    this.decImm = d.imm | 0;
    if (cacheable) { this.fetchDec[slot << 1] = packed; this.fetchDec[(slot << 1) + 1] = d.imm | 0; }
    return packed;
  }

  /** Instruction bits at pc when they span two pages (the second half translated separately). */
  private fetchBitsSlow(pc: number): number {
    const lowPa = this.translate(pc, Access.Fetch, 2);
    const low = this.readPhys(lowPa, 2, Access.Fetch, pc) & 0xffff;
    if ((low & 3) !== 3) return low;
    const hiPa = this.translate(pc + 2, Access.Fetch, 2);
    const high = this.readPhys(hiPa, 2, Access.Fetch, pc + 2) & 0xffff;
    return (low | (high << 16)) >>> 0;
  }

  // ---- data access ---------------------------------------------------------------------------------
  /** Load `size` bytes at x[rs1]+imm; returns the low 32 bits (raw) and leaves the high half in rhi. */
  private load(rs1: number, imm: number, size: number): number {
    const va = this.x[rs1 + 1] * TWO32 + (this.x[rs1] >>> 0) + imm;
    const vpn = floor(va * PAGE_RECIP);
    const e = this.setLoad + (vpn & TLB_MASK);
    if (this.tlbTag[e] === vpn) {
      const off = this.tlbOff[e] + (va - vpn * 4096);
      if (size === 4) { if ((off & 3) === 0) return this.ram32[off >> 2]; }
      else if (size === 8) { if ((off & 7) === 0) { this.rhi = this.ram32[(off >> 2) + 1]; return this.ram32[off >> 2]; } }
      else if (size === 1) return this.ram[off];
      else if ((off & 1) === 0) return this.ram16[off >> 1];
    }
    return this.loadSlow(rs1, imm, size);
  }

  private store(rs1: number, imm: number, size: number, lo: number, hi: number): void {
    const va = this.x[rs1 + 1] * TWO32 + (this.x[rs1] >>> 0) + imm;
    const vpn = floor(va * PAGE_RECIP);
    const e = this.setStore + (vpn & TLB_MASK);
    if (this.tlbTag[e] === vpn) {
      const off = this.tlbOff[e] + (va - vpn * 4096);
      if ((off & (size - 1)) === 0) {
        if (size === 4) this.ram32[off >> 2] = lo;
        else if (size === 8) { this.ram32[off >> 2] = lo; this.ram32[(off >> 2) + 1] = hi; }
        else if (size === 1) this.ram[off] = lo;
        else this.ram16[off >> 1] = lo;
        if (this.codeFlag[off >>> 12] !== 0) this.codeWritten(off, size);
        return;
      }
    }
    this.storeSlow(rs1, imm, size, lo, hi);
  }

  /** The effective address as a double, or a fault when no canonical address can be that far. */
  private exactAddress(rs1: number, imm: number, access: Access): number {
    const lo = this.x[rs1], hi = this.x[rs1 + 1];
    const exact = BigInt.asIntN(64, toBig(lo, hi) + BigInt(imm));
    if (exact >= -(1n << 52n) && exact < (1n << 52n)) return Number(exact);
    const tval = BigInt.asUintN(64, exact);
    const paged = this.dataPaged();
    const cause = access === Access.Load
      ? (paged ? Exc.LoadPageFault : Exc.LoadAccessFault)
      : (paged ? Exc.StorePageFault : Exc.StoreAccessFault);
    return this.raise(cause, tval);
  }

  private dataPaged(): boolean {
    const dataPriv = (this.priv === 3 && (this.mstatus & MS_MPRV)) ? (this.mstatus >> MS_MPP_SHIFT) & 3 : this.priv;
    return dataPriv !== 3 && this.satpMode !== 0;
  }

  private loadSlow(rs1: number, imm: number, size: number): number {
    const va = this.exactAddress(rs1, imm, Access.Load);
    const pageEnd = (floor(va / 4096) + 1) * 4096;
    if (va + size <= pageEnd) {
      const pa = this.translate(va, Access.Load, size);
      return this.readPhys(pa, size, Access.Load, va);
    }
    // Misaligned across a page boundary: both pages must translate before anything is read.
    const first = pageEnd - va;
    const pa1 = this.translate(va, Access.Load, first);
    const pa2 = this.translate(pageEnd, Access.Load, size - first);
    let lo = 0, hi = 0;
    for (let i = 0; i < size; i++) {
      const b = this.readPhys(i < first ? pa1 + i : pa2 + (i - first), 1, Access.Load, va + i) & 0xff;
      if (i < 4) lo |= b << (8 * i); else hi |= b << (8 * (i - 4));
    }
    this.rhi = hi;
    return lo;
  }

  private storeSlow(rs1: number, imm: number, size: number, lo: number, hi: number): void {
    const va = this.exactAddress(rs1, imm, Access.Store);
    const pageEnd = (floor(va / 4096) + 1) * 4096;
    if (va + size <= pageEnd) {
      const pa = this.translate(va, Access.Store, size);
      this.writePhys(pa, size, lo, hi, va);
      return;
    }
    const first = pageEnd - va;
    const pa1 = this.translate(va, Access.Store, first);
    const pa2 = this.translate(pageEnd, Access.Store, size - first);
    for (let i = 0; i < size; i++) {
      const b = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff;
      this.writePhys(i < first ? pa1 + i : pa2 + (i - first), 1, b, 0, va + i);
    }
  }

  /** Read from a physical address that translation and PMP have approved. */
  readPhys(pa: number, size: number, access: Access, va: number): number {
    const off = pa - this.ramBase;
    if (off >= 0 && off + size <= this.ramSize) {
      const v = this.ramView;
      switch (size) {
        case 1: return this.ram[off];
        case 2: return v.getUint16(off, true);
        case 4: return v.getInt32(off, true);
        default: this.rhi = v.getInt32(off + 4, true); return v.getInt32(off, true);
      }
    }
    this.cycles += EVENT_COST.mmioAccess;
    const rom = this.bus.romAt(pa);
    if (rom !== null && pa - rom.base + size <= rom.bytes.length) {
      const b = rom.bytes, o = pa - rom.base;
      let lo = 0, hi = 0;
      for (let i = 0; i < size; i++) { if (i < 4) lo |= b[o + i] << (8 * i); else hi |= b[o + i] << (8 * (i - 4)); }
      this.rhi = hi;
      return lo;
    }
    let lo: number, hi = 0;
    if (size === 8) {
      if (this.bus.accepts8?.(pa) === false) lo = NaN;
      else { lo = this.bus.read(pa, 4); hi = this.bus.read(pa + 4, 4); }
    } else if ((pa & (size - 1)) !== 0) {
      lo = 0;
      for (let i = 0; i < size; i++) {
        const b = this.bus.read(pa + i, 1);
        if (Number.isNaN(b)) { lo = NaN; break; }
        lo |= (b & 0xff) << (8 * i);
      }
    } else {
      lo = this.bus.read(pa, size as 1 | 2 | 4);
    }
    if (Number.isNaN(lo) || Number.isNaN(hi)) {
      this.raise(access === Access.Fetch ? Exc.InsnAccessFault : access === Access.Store ? Exc.StoreAccessFault : Exc.LoadAccessFault, BigInt.asUintN(64, BigInt(va)));
    }
    this.rhi = hi | 0;
    this.kick();
    return lo | 0;
  }

  writePhys(pa: number, size: number, lo: number, hi: number, va: number): void {
    const off = pa - this.ramBase;
    if (off >= 0 && off + size <= this.ramSize) {
      const v = this.ramView;
      switch (size) {
        case 1: this.ram[off] = lo; break;
        case 2: v.setUint16(off, lo & 0xffff, true); break;
        case 4: v.setInt32(off, lo, true); break;
        default: v.setInt32(off, lo, true); v.setInt32(off + 4, hi, true); break;
      }
      if (this.codeFlag[off >>> 12] !== 0 || this.codeFlag[(off + size - 1) >>> 12] !== 0) this.codeWritten(off, size);
      return;
    }
    this.cycles += EVENT_COST.mmioAccess;
    if (this.bus.romAt(pa) !== null) return; // ROM ignores writes, as QEMU's mrom does
    let ok: boolean;
    if (size === 8) {
      ok = this.bus.accepts8?.(pa) !== false && this.bus.write(pa, 4, lo >>> 0) && this.bus.write(pa + 4, 4, hi >>> 0);
    } else if ((pa & (size - 1)) !== 0) {
      ok = true;
      for (let i = 0; i < size && ok; i++) ok = this.bus.write(pa + i, 1, (lo >>> (8 * i)) & 0xff);
    } else {
      ok = this.bus.write(pa, size as 1 | 2 | 4, size === 4 ? lo >>> 0 : lo & (size === 1 ? 0xff : 0xffff));
    }
    if (!ok) this.raise(Exc.StoreAccessFault, BigInt.asUintN(64, BigInt(va)));
    this.kick();
  }

  /** RAM bytes [off, off+size) changed: forget decoded instructions that overlap them. */
  codeWritten(off: number, size: number): void {
    if (this.watchOff >= 0 && off < this.watchOff + 8 && off + size > this.watchOff) this.onWatch?.();
    for (let a = off - 2; a < off + size; a += 2) {
      if (a < 0) continue;
      const dec = this.decPages[a >>> 12];
      if (dec !== undefined) { const s = (a & 4095) >> 1; dec[s << 1] = 0; }
    }
  }

  // ---- translation ------------------------------------------------------------------------------------
  /**
   * Translate `va` for an access of `size` bytes and check PMP. Caches RAM and device pages
   * whose whole-page PMP verdict allows the access. Throws page and access faults.
   */
  translate(va: number, access: Access, size: number): number {
    const effPriv = access === Access.Fetch ? this.priv
      : (this.priv === 3 && (this.mstatus & MS_MPRV)) ? (this.mstatus >> MS_MPP_SHIFT) & 3 : this.priv;
    const set = ((effPriv === 3 ? 2 : effPriv) * 3 + access) * TLB_ENTRIES;
    const vpn = floor(va * PAGE_RECIP);
    const e = set + (vpn & TLB_MASK);
    if (this.mmioTag[e] === vpn) return this.mmioPa[e] + (va - vpn * 4096);
    if (this.tlbTag[e] === vpn) return this.ramBase + this.tlbOff[e] + (va - vpn * 4096);
    let pa: number;
    if (effPriv === 3 || this.satpMode === 0) {
      if (va < 0 || va >= PA_LIMIT) this.accessFault(access, va);
      pa = va;
    } else {
      pa = this.walk(va, access, effPriv);
    }
    const page = pa - (pa % 4096);
    const verdict = this.pmp.pageVerdict(page, effPriv, access);
    if (verdict === PageVerdict.Deny) this.accessFault(access, va);
    if (verdict === PageVerdict.Mixed) {
      if (!this.pmp.check(pa, size, effPriv, access)) this.accessFault(access, va);
      return pa;
    }
    const ramOff = page - this.ramBase;
    if (ramOff >= 0 && ramOff < this.ramSize) { this.tlbTag[e] = vpn; this.tlbOff[e] = ramOff; }
    else { this.mmioTag[e] = vpn; this.mmioPa[e] = page; }
    return pa;
  }

  private accessFault(access: Access, va: number): never {
    const cause = access === Access.Fetch ? Exc.InsnAccessFault : access === Access.Load ? Exc.LoadAccessFault : Exc.StoreAccessFault;
    return this.raise(cause, BigInt.asUintN(64, BigInt(va)));
  }

  private pageFault(access: Access, va: number): never {
    const cause = access === Access.Fetch ? Exc.InsnPageFault : access === Access.Load ? Exc.LoadPageFault : Exc.StorePageFault;
    return this.raise(cause, BigInt.asUintN(64, BigInt(va)));
  }

  /** Sv39 page-table walk (privileged spec 1.12, 4.3.2), updating A and D in hardware as QEMU does. */
  private walk(va: number, access: Access, effPriv: number): number {
    if (va < -SV39_LIMIT || va >= SV39_LIMIT) this.pageFault(access, va);
    const u = va < 0 ? va + 2 * SV39_LIMIT : va; // the low 39 bits
    let table = this.satpRoot;
    for (let level = 2; level >= 0; level--) {
      this.cycles += EVENT_COST.pageWalkLevel;
      const vpnI = floor(u / Math.pow(2, 12 + 9 * level)) % 512;
      const pteAddr = table + vpnI * 8;
      const off = pteAddr - this.ramBase;
      if (!(off >= 0 && off + 8 <= this.ramSize) || !this.pmp.check(pteAddr, 8, 1, Access.Load)) this.accessFault(access, va);
      let lo = this.ramView.getInt32(off, true);
      const hi = this.ramView.getInt32(off + 4, true);
      const v = lo & 1, r = lo & 2, w = lo & 4, xb = lo & 8;
      if (!v || (!r && w) || (hi >>> 22) !== 0) this.pageFault(access, va);
      const ppn = (hi & 0x3fffff) * 4194304 + (lo >>> 10);
      if (!r && !xb) {
        if (lo & 0xd0) this.pageFault(access, va); // D, A, U are reserved in non-leaf PTEs
        table = ppn * 4096;
        continue;
      }
      // Leaf.
      const span = Math.pow(2, 9 * level);
      if (level > 0 && ppn % span !== 0) this.pageFault(access, va);
      if (access === Access.Fetch) { if (!xb) this.pageFault(access, va); }
      else if (access === Access.Load) { if (!r && !(xb && (this.mstatus & MS_MXR))) this.pageFault(access, va); }
      else if (!w) this.pageFault(access, va);
      const userPage = (lo & 16) !== 0;
      if (effPriv === 0) { if (!userPage) this.pageFault(access, va); }
      else if (userPage && (access === Access.Fetch || !(this.mstatus & MS_SUM))) this.pageFault(access, va);
      const need = access === Access.Store ? 0xc0 : 0x40;
      if ((lo & need) !== need) {
        lo |= need;
        this.ramView.setInt32(off, lo, true);
        if (this.codeFlag[off >>> 12] !== 0) this.codeWritten(off, 4);
      }
      const inPage = floor(u / 4096) % span;
      return (ppn + inPage) * 4096 + (u % 4096);
    }
    return this.pageFault(access, va);
  }

  /** Call `cb` after every guest store that touches the 8 bytes at `pa` (must be in RAM). */
  watchRam(pa: number, cb: () => void): void {
    const off = pa - this.ramBase;
    if (off < 0 || off + 8 > this.ramSize) return;
    this.watchOff = off;
    this.onWatch = cb;
    this.codeFlag[off >>> 12] |= 2;
    this.codeFlag[(off + 7) >>> 12] |= 2;
  }

  /** Zero RAM and forget everything decoded from it (for reusing a machine between vectors). */
  clearMemory(): void {
    this.ram.fill(0);
    this.decPages.length = 0;
    this.codeFlag.fill(0);
    this.watchOff = -1;
    this.onWatch = null;
    this.fetchVa = NaN;
  }

  // ---- DMA and loaders ---------------------------------------------------------------------------------
  /** Copy bytes into RAM from outside the hart (loader, DMA), keeping the decode cache honest. */
  writeRam(pa: number, data: Uint8Array): boolean {
    const off = pa - this.ramBase;
    if (off < 0 || off + data.length > this.ramSize) return false;
    this.ram.set(data, off);
    for (let p = off >>> 12; p <= (off + data.length - 1) >>> 12; p++) {
      if (this.codeFlag[p] & 1) { this.decPages[p] = undefined; this.codeFlag[p] &= ~1; }
    }
    this.fetchVa = NaN;
    return true;
  }
}

function pickIrq(bitsSet: number): number {
  if (bitsSet & ~0xffff) return 31 - Math.clz32(bitsSet & ~0xffff);
  if (bitsSet & (1 << Irq.MEI)) return Irq.MEI;
  if (bitsSet & (1 << Irq.MSI)) return Irq.MSI;
  if (bitsSet & (1 << Irq.MTI)) return Irq.MTI;
  if (bitsSet & (1 << Irq.SEI)) return Irq.SEI;
  if (bitsSet & (1 << Irq.SSI)) return Irq.SSI;
  return Irq.STI;
}

function trapTarget(tvec: bigint, cause: number, interrupt: boolean): number {
  const base = Number(BigInt.asIntN(64, tvec & ~3n));
  return interrupt && (tvec & 3n) === 1n ? base + 4 * cause : base;
}

/** Pack a decoded instruction: op | rd*2 << 8 | rs1*2 << 15 | rs2*2 << 21 | compressed << 27. */
function packDecoded(d: Decoded): number {
  const rd = d.rd === 0 ? 64 : d.rd * 2;
  return d.op | (rd << 8) | ((d.rs1 * 2) << 15) | ((d.rs2 * 2) << 21) | ((d.len === 2 ? 1 : 0) << 27);
}
