// One RV64IMAC hart with the privileged architecture (M, S, U; Sv39; PMP; Sstc).
//
// Speed: integer registers live in an Int32Array as (lo, hi) halves; decoded instructions are
// cached per physical page and packed into two int32 words; the dispatch loop is one switch
// over integer literals; address translation and PMP verdicts are cached together in a
// direct-mapped translation cache (which is also the cycle model's TLB), so the common load,
// store and fetch touch no slow code. Everything rare is out of line, in files named for what
// they hold: traps.ts (trap and RNMI entry, xRET, tval choices), translation.ts (Sv39 walk,
// filling the translation cache), data-access.ts (slow loads and stores, misalignment, devices),
// muldiv.ts (the M extension), amo.ts (the A extension), system-insns.ts (Zicsr, WFI,
// SFENCE.VMA), csr.ts (the CSR table).
//
// Exceptions are raised by throwing the TRAP sentinel after recording cause and tval; the run
// loop catches it, enters the handler and resumes.

import type { Semihosting } from './semihosting';
import { decode, Decoded } from './isa/decode';
import { Op } from './isa/opcodes';
import { CYCLES_PER_TICK, OP_COST, TLB_ENTRIES } from './cycle-model';
import { allocateHartMemory, clearWrittenRam, HartMemory, releaseHartMemory, TLB_SETS } from './hart-memory';
import { Pmp } from './pmp';
import { Access, Exc, Irq } from './trap-causes';
import { csrRead, csrWrite } from './csr';
import { MNS_NMIE, MS_MPP_SHIFT, MS_MPRV } from './mstatus';
import { toBigU, loOf, hiOf } from './int64';
import { ChoiceSwitch, HartChoices, REFERENCE_CHOICES } from './choices';
import { CounterState } from './counters';
import { TRAP, addressTval, breakpointTval, enterTrap, illegalInsnTval, misalignedCause, pendingInterrupt, takeRnmi } from './traps';
import { FAULT, tlbSet, translate, tryTranslate } from './translation';
import { loadSlow, readPhys, storeSlow } from './data-access';
import { divuw, divw, mul, mulDiv64, mulw, remuw, remw } from './muldiv';
import { executeSystem } from './system-insns';
import { BlockCache, PageBlocks } from './jit/block-cache';

export { TRAP } from './traps';
// Math's functions as module constants: a global lookup is slow where the global object is a
// vm context's (jest runs tests in one: cpu-mix ran 5x slower there), a constant is not.
const floor = Math.floor;
const TWO32 = 4294967296;
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
  readonly x: Int32Array;
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
  /** hpm counters, events and mcountinhibit when the hart's choices make them writable. */
  readonly counters = new CounterState();
  // Smrnmi
  mnscratch = 0n; mnepc = 0n; mncause = 0n;
  mnstatus = 0; // NMIE and MNPP: mstatus.ts MNS_*
  rnmiPending = 0n;
  rnmiCause = 0n;
  /** Where RNMIs and exceptions taken while NMIE=0 go (platform-defined, set by the machine). */
  rnmiVector = 0;
  rnmiExceptionVector = 0;
  readonly pmp = new Pmp();

  // ---- the specification's choices (reference/machine/choices.ts) ----------------------------
  /** Which legal alternative this hart takes where the specification leaves a choice. */
  choices: Readonly<HartChoices> = REFERENCE_CHOICES;
  /** The choice points a run reached, collected while not null (the generators ask for them). */
  choicePoints: Set<ChoiceSwitch> | null = null;
  /** The setting of one switch, noting that this run depends on it. */
  choose<K extends ChoiceSwitch>(k: K): HartChoices[K] {
    this.choicePoints?.add(k);
    return this.choices[k];
  }
  /** misa.C: always set unless the hart lets software clear it (choices.misaC). */
  compressed = true;
  /** misa.C changed: everything decoded under the other setting is forgotten. */
  setCompressed(on: boolean): void {
    this.compressed = on;
    this.decPages.fill(undefined);
    this.romDec.clear();
    this.jit?.clear();
    this.fetchVa = NaN;
  }

  // ---- the translator (reference/machine/jit) --------------------------------------------------
  /** Translated blocks, or null to interpret every instruction (the definition). */
  jit: BlockCache | null = null;
  /** Blocks of the current fetch page (null: ROM, or no translator). */
  private fetchBlocks: PageBlocks | null = null;
  setJit(cache: BlockCache | null): void { this.jit = cache; this.fetchVa = NaN; }

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
  // Fields without `private` below are read by the out-of-line modules of this folder (translation,
  // data-access, traps, amo, system-insns); nothing outside reference/machine uses them.
  /** The WebAssembly.Memory the register file, translation cache, code flags and RAM live in (hart-memory.ts). */
  readonly memory: HartMemory;
  readonly ram: Uint8Array;
  private readonly ram32: Int32Array;
  private readonly ram16: Int16Array;
  readonly ramView: DataView;
  readonly ramBase: number;
  readonly ramSize: number;
  bus: HartBus;

  // Translation cache (filled by translation.ts): per (privilege, access) set, TLB_ENTRIES
  // direct-mapped entries, tagged by virtual page number; RAM pages hold their RAM offset,
  // device pages their physical page.
  readonly tlbTag: Float64Array;
  readonly tlbOff: Float64Array;
  readonly mmioTag = new Float64Array(TLB_SETS * TLB_ENTRIES).fill(NaN);
  readonly mmioPa = new Float64Array(TLB_SETS * TLB_ENTRIES);
  // Read by translated blocks too (jit/emit.ts).
  setLoad = 0;
  setStore = 0;

  // Decoded-instruction cache: per RAM page, 2048 slots of (packed fields, immediate).
  // Dense (filled with undefined, never shortened): a sparse array falls into V8's dictionary
  // mode, and this lookup is on every fetch-page change.
  private readonly decPages: (Int32Array | undefined)[];
  /** Per RAM page: bit 0 = instructions decoded from it, bit 1 = holds the watched word. */
  readonly codeFlag: Uint8Array;
  /** Per RAM page: 1 once it may have been written (hart-memory.ts clears only those for the next hart). */
  readonly written: Uint8Array;
  private readonly romDec = new Map<number, Int32Array>();
  /** The virtual page the run loop fetches from, and its byte offset in RAM (translated blocks chain within it: jit/wasm-chain.ts). */
  fetchVa = NaN;
  // A RAM word whose stores the platform must see at once (HTIF tohost).
  private watchOff = -1;
  private onWatch: (() => void) | null = null;
  private fetchDec: Int32Array = new Int32Array(4096);
  private fetchMem: Uint8Array;
  fetchMemOff = 0;
  private decImm = 0;
  private readonly scratch: Decoded = { op: Op.ILLEGAL, rd: 0, rs1: 0, rs2: 0, imm: 0, len: 4 };

  /** High half of the last 64-bit load. */
  rhi = 0;
  /** LR/SC reservation (physical address) or -1. */
  reservation = -1;

  // ---- run control -----------------------------------------------------------------------------
  // Read by translated blocks too (jit/emit.ts), which check them before repeating a loop.
  cycleLimit = 0;
  insnLimit = 0;
  waiting = false;
  stopReason: StopReason | null = null;
  /** RISC-V semihosting (QEMU's -semihosting), when the machine offers it: ebreak between its markers calls the host. */
  semihosting: Semihosting | null = null;
  stopOnTrap = false;
  /** Exception being raised (set before throwing TRAP). */
  excCause = 0;
  excTval = 0n;
  excEpc: bigint | null = null;
  /** Last trap when stopOnTrap is set. */
  lastTrap: { cause: bigint; tval: bigint; epc: bigint } | null = null;
  /** The pc a trap stop leaves: the trap's epc (rules.md: at a trap, pc equals epc). */
  pcAtStop: bigint | null = null;
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
    const mem = allocateHartMemory(ramSize);
    this.memory = mem;
    this.x = mem.x;
    this.tlbTag = mem.tlbTag.fill(NaN);
    this.tlbOff = mem.tlbOff;
    this.ram = mem.ram;
    this.ram32 = mem.ram32;
    this.ram16 = mem.ram16;
    this.ramView = mem.ramView;
    this.codeFlag = mem.codeFlag;
    this.written = mem.written;
    this.decPages = new Array(this.codeFlag.length).fill(undefined);
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
    this.counters.reset();
    this.mtimeOffset = 0; this.mtimecmp = Infinity; this.mipHw = 0;
    this.stopReason = null; this.lastTrap = null; this.pcAtStop = null;
    if (!this.compressed) this.setCompressed(true);
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
  /** At a trap stop the pc is the trap's epc exactly (a non-canonical target has no double). */
  getPc(): bigint { return this.pcAtStop ?? BigInt.asUintN(64, BigInt(this.pc)); }
  setPc(v: bigint): void { this.pc = Number(BigInt.asIntN(64, v)); this.fetchVa = NaN; this.pcAtStop = null; }
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

  /**
   * The privilege loads and stores are checked and translated with: MPP when M-mode sets
   * mstatus.MPRV, else the current privilege (privileged spec 1.12 3.1.6.3). Fetches use `priv`.
   */
  dataPriv(): number {
    return (this.priv === 3 && (this.mstatus & MS_MPRV)) ? (this.mstatus >> MS_MPP_SHIFT) & 3 : this.priv;
  }

  /**
   * Smrnmi's mnstatus.NMIE as the rest of the hart sees it: without an RNMI vector (no Smrnmi on
   * this machine) the hart behaves as if NMIE were always set.
   */
  nmiEnabled(): boolean {
    return this.rnmiVector === 0 || (this.mnstatus & MNS_NMIE) !== 0;
  }

  /** Privilege or mstatus.MPRV/MPP changed: pick the data translation sets again. */
  privChanged(): void {
    const dataPriv = this.dataPriv();
    this.setLoad = tlbSet(dataPriv, Access.Load);
    this.setStore = tlbSet(dataPriv, Access.Store);
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
    this.pcAtStop = null;
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
      if (this.rnmiPending && this.rnmiVector !== 0 && this.nmiEnabled()) { takeRnmi(this); continue; }
      const irq = pendingInterrupt(this);
      if (irq >= 0) {
        this.excEpc = null;
        enterTrap(this, irq, true, 0n);
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

  private execute(): void {
    let faulted: boolean;
    try {
      faulted = this.loop();
    } catch (e) {
      if (e !== TRAP) throw e;
      faulted = true;
    }
    if (faulted) enterTrap(this, this.excCause, false, this.excTval);
  }

  /** Interpret (and run translated blocks); true when it stopped at an instruction fetch that faulted (recorded, not thrown). */
  private loop(): boolean {
    const x = this.x;
    const cost = OP_COST; // a local: the imported binding is a property load on every use
    // Translated blocks run only without a tracer (which sees every instruction one by one).
    const jit = this.jit !== null && this.tracer === null ? this.jit : null;
    // Where the last interpreted instruction falls through to, as an offset in the fetch page
    // (-1: nowhere): blocks are looked up and counted only where control arrives otherwise (a
    // branch or jump target, a block's exit, loop entry), so straight-line interpreted code pays
    // nothing for the translator. An offset and not the pc:
    // a pc above 2^31 is no small integer, and as a loop variable V8 boxed it on every
    // instruction (a heap allocation each, 9% of cpu-mix's time in the garbage collector).
    let nextOff = -1;
    // Set when a block has just returned: the instruction after the one the interpreter runs next
    // is looked up too, so that code after a block's side exit (a translation-cache miss, a CSR
    // access) becomes a block of its own instead of being interpreted to the next jump.
    let sideExit = false;
    while (this.cycles < this.cycleLimit && this.instret < this.insnLimit) {
      const pc = this.pc;
      const off = pc - this.fetchVa;
      if (!(off >= 0 && off < 4096)) {
        // A new fetch page: look blocks up at its first instruction even when control falls
        // into it (straight-line code longer than a page would otherwise stay interpreted).
        if (!this.refillFetch()) return true;
        nextOff = -1;
        continue;
      }
      const slot = off << 0 >> 1;
      if (jit !== null && off !== nextOff) {
        nextOff = -1;
        const pb = this.fetchBlocks;
        if (pb !== null) {
          const b = pb.at[slot];
          if (b !== undefined) {
            // The block runs when the interpreter would run all of it: its last instruction
            // starts before the next timer or device event and within the instruction limit.
            if (b.fn !== null && this.instret + b.n <= this.insnLimit && this.cycles + b.guard < this.cycleLimit) {
              const i0 = this.instret;
              const leftBefore = b.fn(this);
              // Blocks that left before an instruction they do not run (a WebAssembly block leaves
              // the interpreter what may fault or touch time or code), or before their first one:
              // the interpreter runs that instruction before any block is looked up again (a
              // block starting there would leave at once).
              if (leftBefore === true || this.instret === i0) nextOff = this.pc - this.fetchVa;
              sideExit = true;
              continue;
            }
          } else if (++pb.counts[slot] >= jit.hot) {
            jit.compile(pb, slot, this.fetchMemOff);
            if (pb.at[slot] !== undefined) continue;
          }
        }
      }
      const dec = this.fetchDec;
      let d = dec[slot << 1];
      let imm: number;
      if (d === 0) { d = this.decodeSlot(slot, off); imm = this.decImm; } else imm = dec[(slot << 1) + 1];
      const op = d & 0xff;
      const rd = (d >>> 8) & 0x7f;
      const rs1 = (d >>> 15) & 0x3f;
      const rs2 = (d >>> 21) & 0x3f;
      const len = (d >>> 27) & 1 ? 2 : 4;
      nextOff = off + len;
      if (sideExit) { nextOff = -1; sideExit = false; }
      if (this.tracer !== null && this.tracer(this, pc, this.insnBits(pc, len), len) === true) { this.stopReason = 'break'; return false; }
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
        case Op.MUL: mul(x, rd, rs1, rs2); this.pc = pc + len; break;
        case Op.MULW: mulw(x, rd, rs1, rs2); this.pc = pc + len; break;
        case Op.MULH: case Op.MULHSU: case Op.MULHU:
        case Op.DIV: case Op.DIVU: case Op.REM: case Op.REMU:
          mulDiv64(x, op, rd, rs1, rs2); this.pc = pc + len; break;
        case Op.DIVW: divw(x, rd, rs1, rs2); this.pc = pc + len; break;
        case Op.DIVUW: divuw(x, rd, rs1, rs2); this.pc = pc + len; break;
        case Op.REMW: remw(x, rd, rs1, rs2); this.pc = pc + len; break;
        case Op.REMUW: remuw(x, rd, rs1, rs2); this.pc = pc + len; break;
        case Op.FENCE: this.pc = pc + len; break;
        case Op.FENCE_I: this.pc = pc + len; this.fetchVa = NaN; break;
        case Op.ILLEGAL: this.illegal(imm, len); break;
        case Op.ECALL:
          this.excEpc = null;
          this.raise(this.priv === 3 ? Exc.EcallM : this.priv === 1 ? Exc.EcallS : Exc.EcallU, 0n);
          break;
        case Op.EBREAK:
          // A semihosting call (-semihosting): the host performs it and the program goes on.
          if (this.semihosting !== null && len === 4 && this.semihosting.isCall(pc)) {
            this.semihosting.call();
            this.pc = pc + 4;
            this.fetchVa = NaN;
            break;
          }
          this.excEpc = null; this.raise(Exc.Breakpoint, breakpointTval(this, pc)); break;
        default:
          executeSystem(this, op, rd, rs1, rs2, imm, pc, len);
          break;
      }
      this.instret++;
    }
    return false;
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

  // ---- traps -------------------------------------------------------------------------------------
  /** Record an exception and unwind to the run loop. */
  raise(cause: number, tval: bigint): never {
    this.excCause = cause;
    this.excTval = tval;
    throw TRAP;
  }

  /** Record an exception without unwinding (the caller returns and the run loop enters the trap): FAULT. */
  fault(cause: number, tval: bigint): number {
    this.excCause = cause;
    this.excTval = tval;
    return FAULT;
  }

  private illegal(bits: number, len: number): never {
    this.excEpc = null;
    return this.raise(Exc.IllegalInsn, illegalInsnTval(this, bits, len));
  }

  /** Raise illegal instruction for the instruction at pc (out-of-line instructions use this). */
  illegalAt(pc: number, len: number): never {
    return this.illegal(this.insnBits(pc, len), len);
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

  /** Set pc from an xEPC-like CSR value; a target no address can name faults at the fetch. */
  jumpTo(target: bigint): void {
    const t = BigInt.asIntN(64, target);
    if (t >= -(1n << 52n) && t < (1n << 52n)) { this.pc = Number(t); return; }
    this.pc = Number(t);
    this.excEpc = BigInt.asUintN(64, t);
    this.fetchFaultExact(BigInt.asUintN(64, t));
  }

  /** Read by translated blocks too (jit/emit.ts). */
  jumpFar(lo: number, hi: number): void {
    const t = toBigU(lo, hi);
    this.excEpc = t;
    this.fetchFaultExact(t);
  }

  private fetchFaultExact(t: bigint): never {
    const paged = this.priv !== 3 && this.satpMode !== 0;
    return this.raise(paged ? Exc.InsnPageFault : Exc.InsnAccessFault, t);
  }

  // ---- instruction fetch -------------------------------------------------------------------------
  /**
   * Point the fetch state at the page of pc; false when the fetch faults (cause and tval recorded,
   * not thrown: a trap handler that faults at once repeats this without retiring anything).
   */
  private refillFetch(): boolean {
    const pc = this.pc;
    if (pc % 2 !== 0) { this.fault(misalignedCause(Access.Fetch), addressTval(pc)); return false; }
    // A translation-cache hit on a RAM page already decoded from: what translate() returns
    // there, without the call (calls and returns between pages make this frequent).
    const vpn = floor(pc * PAGE_RECIP);
    const e = (this.priv === 3 ? 6 : this.priv * 3) * TLB_ENTRIES + (vpn & TLB_MASK);
    if (this.tlbTag[e] === vpn && this.mmioTag[e] !== vpn) {
      const ramOff = this.tlbOff[e];
      const p = ramOff * PAGE_RECIP;
      const dec = this.decPages[p];
      if (dec !== undefined) {
        this.fetchDec = dec; this.fetchMem = this.ram; this.fetchMemOff = ramOff;
        this.fetchBlocks = this.jit !== null ? this.jit.page(p) : null;
        this.fetchVa = vpn * 4096;
        return true;
      }
    }
    const pa = tryTranslate(this, pc, Access.Fetch, 2);
    if (pa === FAULT) return false;
    const page = pa - (pa % 4096);
    const ramOff = page - this.ramBase;
    if (ramOff >= 0 && ramOff < this.ramSize) {
      const p = ramOff / 4096;
      let dec = this.decPages[p];
      if (dec === undefined) { dec = new Int32Array(4096); this.decPages[p] = dec; this.codeFlag[p] |= 1; }
      this.fetchDec = dec; this.fetchMem = this.ram; this.fetchMemOff = ramOff;
      this.fetchBlocks = this.jit !== null ? this.jit.page(p) : null;
    } else {
      const rom = this.bus.romAt(page);
      if (rom === null) { this.fault(Exc.InsnAccessFault, addressTval(pc)); return false; }
      let dec = this.romDec.get(page);
      if (dec === undefined) { dec = new Int32Array(4096); this.romDec.set(page, dec); }
      this.fetchDec = dec; this.fetchMem = rom.bytes; this.fetchMemOff = page - rom.base;
      this.fetchBlocks = null;
    }
    this.fetchVa = pc - (pc - floor(pc / 4096) * 4096);
    return true;
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
    // With misa.C clear, every 16-bit encoding is an illegal instruction; a jump that lands off a
    // 4-byte boundary is not modelled (no vector reaches one: the vectors that clear C run 32-bit code).
    if (!this.compressed) {
      if (d.len === 2) { d.op = Op.ILLEGAL; d.imm = low; }
      if (this.pc % 4 !== 0) throw new Error('internal: a fetch off a 4-byte boundary with misa.C clear is not modelled');
    }
    const packed = packDecoded(d);
    this.decImm = d.imm | 0;
    if (cacheable) { this.fetchDec[slot << 1] = packed; this.fetchDec[(slot << 1) + 1] = d.imm | 0; }
    return packed;
  }

  /** Instruction bits at pc when they span two pages (the second half translated separately). */
  private fetchBitsSlow(pc: number): number {
    const lowPa = translate(this, pc, Access.Fetch, 2);
    const low = readPhys(this, lowPa, 2, Access.Fetch, pc) & 0xffff;
    if ((low & 3) !== 3) return low;
    const hiPa = translate(this, pc + 2, Access.Fetch, 2);
    const high = readPhys(this, hiPa, 2, Access.Fetch, pc + 2) & 0xffff;
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
    return loadSlow(this, rs1, imm, size);
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
    storeSlow(this, rs1, imm, size, lo, hi);
  }

  /** RAM bytes [off, off+size) changed: forget decoded instructions that overlap them. */
  codeWritten(off: number, size: number): void {
    if (this.jit !== null) this.jit.written(off, size);
    this.codeWrittenNoJit(off, size);
  }

  /** codeWritten without the translator's part: only a deliberately broken translator (jit/emit.ts TranslatorFaults) calls it alone. */
  codeWrittenNoJit(off: number, size: number): void {
    if (this.watchOff >= 0 && off < this.watchOff + 8 && off + size > this.watchOff) this.onWatch?.();
    for (let a = off - 2; a < off + size; a += 2) {
      if (a < 0) continue;
      const dec = this.decPages[a >>> 12];
      if (dec !== undefined) { const s = (a & 4095) >> 1; dec[s << 1] = 0; }
    }
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
    // Pages never written are zero already: a 1 MiB state-vector machine is cleared 20,000 times a run.
    clearWrittenRam(this.memory);
    this.decPages.fill(undefined);
    this.jit?.clear();
    this.codeFlag.fill(0);
    this.watchOff = -1;
    this.onWatch = null;
    this.fetchVa = NaN;
  }

  private released = false;
  /** This hart will never run or be read again: its memory goes to the next hart of its size (hart-memory.ts). */
  release(): void {
    if (this.released) return;
    this.released = true;
    releaseHartMemory(this.memory);
  }

  // ---- DMA and loaders ---------------------------------------------------------------------------------
  /** Copy bytes into RAM from outside the hart (loader, DMA), keeping the decode cache honest. */
  writeRam(pa: number, data: Uint8Array): boolean {
    const off = pa - this.ramBase;
    if (off < 0 || off + data.length > this.ramSize) return false;
    this.ram.set(data, off);
    if (data.length) this.written.fill(1, off >>> 12, ((off + data.length - 1) >>> 12) + 1);
    for (let p = off >>> 12; p <= (off + data.length - 1) >>> 12; p++) {
      if (this.codeFlag[p] & 1) { this.decPages[p] = undefined; this.codeFlag[p] &= ~1; this.jit?.dropPage(p); }
    }
    this.fetchVa = NaN;
    return true;
  }
}

/** Pack a decoded instruction: op | rd*2 << 8 | rs1*2 << 15 | rs2*2 << 21 | compressed << 27. */
function packDecoded(d: Decoded): number {
  const rd = d.rd === 0 ? 64 : d.rd * 2;
  return d.op | (rd << 8) | ((d.rs1 * 2) << 15) | ((d.rs2 * 2) << 21) | ((d.len === 2 ? 1 : 0) << 27);
}
