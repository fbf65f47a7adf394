// The translator's cache: blocks of RAM code found hot by counting, compiled once (to
// WebAssembly, a page's warm blocks in one module, run through the chain runner; or to JS with
// `new Function`), kept per physical page and dropped exactly when the interpreter would see
// different code.
//
// Keyed by physical address: a block never crosses a page, the run loop reaches it through the
// same fetch translation the interpreter uses (hart.ts refillFetch: privilege, satp and PMP are
// checked there, per page, for both), so satp, privilege and PMP changes need no invalidation of
// their own. What the interpreter sees at once is a store to code: every RAM write that reaches
// a page holding decoded code goes through Hart.codeWritten, which drops the decoded slots and,
// here, every block overlapping the bytes written. Loads of new images (writeRam), clearMemory
// and misa.C changes drop whole pages or everything.

import type { Hart } from '../hart';
import { decode, Decoded } from '../isa/decode';
import { Op } from '../isa/opcodes';
import { OP_COST, TLB_ENTRIES } from '../cycle-model';
import { divuw, divw, mul, mulDiv64, mulw, remuw, remw } from '../muldiv';
import { loadSlow, storeSlow } from '../data-access';
import { BlockInsn, TLB_MASK_SRC, TranslatorFaults, emitBlock, isCounterRead, translatable } from './emit';
import { csrAllowed, csrCounter } from '../csr';
import { tlbSet } from '../translation';
import { Access } from '../trap-causes';
import { SCRATCH_JALR_TARGET, blocksModuleBytes, emitWasmBlock, wasmTranslatable } from './wasm-emit';
import {
  CHAIN_OUT_JALR, CHAIN_OUT_SIDE, SCRATCH_CYCLE_ROOM0, SCRATCH_INSN_ROOM0, SCRATCH_OUT_KIND, SCRATCH_PAGE, SCRATCH_RAN_CYCLES, SCRATCH_RAN_INSNS,
  chainEntry, chainRunnerBytes,
} from './wasm-chain';
import { CHAIN_ENTRIES, CHAIN_ENTRY_BYTES, MEM_CHAIN, MEM_SCRATCH } from '../hart-memory';

if (TLB_MASK_SRC !== TLB_ENTRIES - 1) throw new Error('internal: jit/emit.ts TLB_MASK_SRC is out of step with the cycle model');

// The chain runner's scratch words (wasm-chain.ts) as indices of the f64 and int32 views at MEM_SCRATCH.
const F64_AT = (offset: number) => (offset - MEM_SCRATCH) / 8;
const I32_AT = (offset: number) => (offset - MEM_SCRATCH) / 4;
const PAGE = F64_AT(SCRATCH_PAGE), INSN_ROOM0 = F64_AT(SCRATCH_INSN_ROOM0), CYCLE_ROOM0 = F64_AT(SCRATCH_CYCLE_ROOM0);
const RAN_INSNS = F64_AT(SCRATCH_RAN_INSNS), RAN_CYCLES = F64_AT(SCRATCH_RAN_CYCLES), OUT_KIND = I32_AT(SCRATCH_OUT_KIND);
const TARGET_LO = I32_AT(SCRATCH_JALR_TARGET), TARGET_HI = TARGET_LO + 1;
const SCRATCH_WORDS = I32_AT(SCRATCH_OUT_KIND) + 1;

/**
 * What blocks are compiled to: WebAssembly (wasm-emit.ts: registers as i64, the default) or JS
 * source (emit.ts: registers as int32 halves, kept as the measured alternative). TRANSLATION.md.
 */
export type JitBackend = 'wasm' | 'js';
export const DEFAULT_BACKEND: JitBackend = 'wasm';

/**
 * Executions of a block head before it is translated, by backend. Measured: see TRANSLATION.md
 * (a WebAssembly block is machine code at once; a JS block runs in V8's slower tiers until V8
 * optimizes it, thousands of calls later, so it must be hotter to repay its compilation).
 */
export const DEFAULT_HOT: Readonly<Record<JitBackend, number>> = { wasm: 5_000, js: 50_000 };
/**
 * Longest block, in instructions (bounds compile time and the work lost to a side exit). A block
 * cut at this length has its continuation compiled with it (compile), so a long straight-line
 * function is translated whole the first time it is hot.
 */
const MAX_BLOCK = 64;
/** When a block is translated, the other heads of its page counted to this fraction of the threshold are too, in the same module (no more warm heads once it holds this many blocks). */
const WARM_FRACTION = 0.25;
const MAX_MODULE_BLOCKS = 128;

/** A WebAssembly block translated but not yet compiled: compile collects them into one module. */
interface PendingBlock { blk: Block; insns: BlockInsn[] }

/**
 * A translated block: runs from h.pc (a pc passed as an argument would be boxed: it is no small
 * integer). True when it stopped before an instruction the interpreter must run next.
 */
export type BlockFn = (h: Hart) => boolean | undefined;

export interface Block {
  /** null: the head cannot start a block (its first instruction is not translated). */
  fn: BlockFn | null;
  /** Its entry in the table of WebAssembly blocks, or -1. */
  slot: number;
  /** Instructions, and cycles before the last one starts (the dispatcher's fit check). */
  n: number;
  guard: number;
  /** Byte offset of its first instruction in the page, and the byte range [start, end) its instructions lie in. */
  head: number;
  /** RAM offset of its first instruction (its key in the chain runner's index). */
  key: number;
  start: number;
  end: number;
}

/** The blocks of one RAM page, indexed by halfword slot of their first instruction. */
export class PageBlocks {
  readonly at: (Block | undefined)[] = new Array(2048);
  readonly counts = new Uint32Array(2048);
  readonly list: Block[] = [];
  /** Lowest start and highest end of any block here, for a quick miss on data stores. */
  lo = 4096;
  hi = 0;
  /**
   * Per slot, times a block starting there was dropped because its code was overwritten: its
   * threshold grows with it (self-modifying code). Per block and not per page: a kernel that
   * patches one jump label in a page must not slow every other block of that page down.
   */
  readonly rewritten = new Uint8Array(2048);
}

export interface JitStats { compiled: number; invalidated: number; insns: number }

/**
 * Compiled WebAssembly blocks by their bytes, shared by every machine of the process (a module
 * does not depend on the memory it is instantiated with): test suites and harness runs start many
 * machines on the same code, and compiling is most of a block's cost. Bounded; oldest out first.
 */
const MODULES = new Map<string, WebAssembly.Module>();
const MODULES_MAX = 8192;

function wasmModule(bytes: Uint8Array): WebAssembly.Module {
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let mod = MODULES.get(key);
  if (mod === undefined) {
    mod = new WebAssembly.Module(bytes);
    if (MODULES.size >= MODULES_MAX) MODULES.delete(MODULES.keys().next().value!);
    MODULES.set(key, mod);
  }
  return mod;
}

const sll = (x: Int32Array, rd: number, lo: number, hi: number, s: number) => {
  if (s === 0) { x[rd] = lo; x[rd + 1] = hi; }
  else if (s < 32) { x[rd + 1] = (hi << s) | (lo >>> (32 - s)); x[rd] = lo << s; }
  else { x[rd + 1] = lo << (s - 32); x[rd] = 0; }
};
const srl = (x: Int32Array, rd: number, lo: number, hi: number, s: number) => {
  if (s === 0) { x[rd] = lo; x[rd + 1] = hi; }
  else if (s < 32) { x[rd] = (lo >>> s) | (hi << (32 - s)); x[rd + 1] = hi >>> s; }
  else { x[rd] = hi >>> (s - 32); x[rd + 1] = 0; }
};
const sra = (x: Int32Array, rd: number, lo: number, hi: number, s: number) => {
  if (s === 0) { x[rd] = lo; x[rd + 1] = hi; }
  else if (s < 32) { x[rd] = (lo >>> s) | (hi << (32 - s)); x[rd + 1] = hi >> s; }
  else { x[rd] = hi >> (s - 32); x[rd + 1] = hi >> 31; }
};

/** A counter CSR read (emit.ts isCounterRead) as csrInstruction does it, without its return to the run loop. */
const COUNTER_OF: ((h: Hart) => number)[] = [];
const csrReadInsn = (h: Hart, csr: number, rd: number, pc: number, len: number) => {
  if (!csrAllowed(h, csr, false)) h.illegalAt(pc, len);
  const counter = COUNTER_OF[csr] ?? (COUNTER_OF[csr] = csrCounter(csr)!);
  const v = counter(h);
  if (rd !== 64) { h.x[rd] = v | 0; h.x[rd + 1] = Math.floor(v / 4294967296) | 0; }
};

export class BlockCache {
  // Dense, like the hart's decoded pages (a sparse array is a slow dictionary in V8).
  private readonly pages: (PageBlocks | undefined)[];
  readonly stats: JitStats = { compiled: 0, invalidated: 0, insns: 0 };
  private readonly scratch: Decoded = { op: Op.ILLEGAL, rd: 0, rs1: 0, rs2: 0, imm: 0, len: 4 };
  /** Everything a block closes over, in the order of FACTORY_PARAMS. */
  private readonly env: unknown[];

  /** The scratch words of a WebAssembly block (wasm-emit.ts), as f64 and as int32 halves. */
  private readonly scratch64: Float64Array;
  private readonly scratch32: Int32Array;
  /** WebAssembly blocks: the table the chain runner calls them through, its free entries, and the runner. */
  private table: WebAssembly.Table | null = null;
  private readonly freeSlots: number[] = [];
  private tableUsed = 0;
  private runChain: ((index: number, off: number, pageRam: number, setLoad: number, setStore: number, setFetch: number) => number) | null = null;
  /** The chain runner's index (wasm-chain.ts), as int32 words of the hart's memory. */
  private readonly mem32: Int32Array;

  readonly hot: number;

  constructor(private readonly h: Hart, hot: number | undefined, readonly faults: TranslatorFaults = {},
    readonly backend: JitBackend = DEFAULT_BACKEND) {
    this.hot = hot ?? DEFAULT_HOT[backend];
    const buf = h.memory.memory.buffer;
    this.scratch64 = new Float64Array(buf, MEM_SCRATCH, Math.ceil(SCRATCH_WORDS / 2));
    this.scratch32 = new Int32Array(buf, MEM_SCRATCH, SCRATCH_WORDS);
    this.mem32 = new Int32Array(buf);
    // The index may hold entries of an earlier cache of this hart, whose table this one does not have.
    this.mem32.fill(0, MEM_CHAIN >> 2, (MEM_CHAIN + CHAIN_ENTRIES * CHAIN_ENTRY_BYTES) >> 2);
    const ram = h.ram;
    this.pages = new Array(h.codeFlag.length).fill(undefined);
    this.env = [h.x, ram, h.memory.ram16, h.memory.ram32, h.tlbTag, h.tlbOff, h.codeFlag,
      Math.floor, loadSlow, storeSlow, sll, srl, sra, mul, mulw, mulDiv64, divw, divuw, remw, remuw, csrReadInsn];
  }

  /** The blocks of RAM page `p` (created on first use). */
  page(p: number): PageBlocks {
    let pb = this.pages[p];
    if (pb === undefined) { pb = new PageBlocks(); this.pages[p] = pb; }
    return pb;
  }

  /** RAM bytes [off, off+size) were written: drop every block that holds any of them. */
  written(off: number, size: number): void {
    // The deliberately broken translator: WebAssembly blocks leave every store to code to the
    // interpreter, so forgetting to drop blocks is done here.
    if (this.faults.staleAfterStore && this.backend === 'wasm') return;
    const first = off >>> 12, last = (off + size - 1) >>> 12;
    for (let p = first; p <= last; p++) {
      const pb = this.pages[p];
      if (pb === undefined || pb.list.length === 0) continue;
      const a = p === first ? off & 4095 : 0;
      const b = p === last ? ((off + size - 1) & 4095) + 1 : 4096;
      if (b <= pb.lo || a >= pb.hi) continue;
      let lo = 4096, hi = 0, dropped = false;
      const keep: Block[] = [];
      for (const blk of pb.list) {
        if (a < blk.end && b > blk.start) {
          this.release(blk);
          pb.at[blk.head >> 1] = undefined;
          pb.counts[blk.head >> 1] = 0;
          if (pb.rewritten[blk.head >> 1] < 8) pb.rewritten[blk.head >> 1]++;
          this.stats.invalidated++;
          dropped = true;
        } else {
          keep.push(blk);
          if (blk.start < lo) lo = blk.start;
          if (blk.end > hi) hi = blk.end;
        }
      }
      if (dropped) {
        pb.list.length = 0; pb.list.push(...keep);
        pb.lo = lo; pb.hi = hi;
      }
    }
  }

  /** Forget page p's blocks (new bytes loaded from outside the hart). */
  dropPage(p: number): void {
    const pb = this.pages[p];
    if (pb !== undefined) for (const blk of pb.list) this.release(blk);
    this.pages[p] = undefined;
  }
  /** Forget everything (RAM cleared, misa.C changed). */
  clear(): void {
    for (const pb of this.pages) if (pb !== undefined) for (const blk of pb.list) this.release(blk);
    this.pages.fill(undefined);
  }

  /** Free a dropped WebAssembly block's table entry. */
  private release(blk: Block): void {
    if (blk.slot < 0) return;
    const e = chainEntry(blk.key) >> 2;
    if (this.mem32[e] === blk.key + 1 && this.mem32[e + 1] === blk.slot) this.mem32[e] = 0;
    this.table!.set(blk.slot, null); this.freeSlots.push(blk.slot); blk.slot = -1;
  }

  /** The count of page `pb`'s slot reached the threshold: translate the block there. */
  compile(pb: PageBlocks, slot: number, ramOff: number): void {
    // Blocks whose code was overwritten earn their translation again more slowly (16x per
    // overwrite, at most 8 times).
    const rewritten = pb.rewritten[slot];
    if (rewritten > 0 && pb.counts[slot] < this.hot * Math.pow(16, rewritten)) return;
    // A block cut at MAX_BLOCK in straight-line code: translate where it stops too (the
    // interpreter would otherwise run that code until a jump, as it only looks blocks up where
    // control arrives other than by falling through).
    // A continuation whose code was overwritten before waits for its own (raised) threshold.
    const pending: PendingBlock[] = [];
    this.compileFrom(pb, slot, ramOff, pending);
    if (this.backend !== 'wasm') return;
    // The page's warm heads (counted to a fraction of the threshold) are translated too, into the
    // same module: a module costs V8 a fixed amount that dominates a block's (about 250 us to
    // compile and 100 us to instantiate inside a running machine, where its compiler is cold:
    // TRANSLATION.md), and most of them would reach the threshold later anyway.
    const warm = Math.max(1, this.hot * WARM_FRACTION);
    for (let s = 0; s < 2048 && pending.length < MAX_MODULE_BLOCKS; s++) {
      if (pb.counts[s] >= warm && pb.at[s] === undefined && pb.rewritten[s] === 0) this.compileFrom(pb, s, ramOff, pending);
    }
    this.buildWasm(pending);
  }

  /** Translate the block at `slot` and the continuations of blocks cut at MAX_BLOCK. */
  private compileFrom(pb: PageBlocks, slot: number, ramOff: number, pending: PendingBlock[]): void {
    for (let s = this.compileOne(pb, slot, ramOff, pending), n = 1; s >= 0 && pb.rewritten[s] === 0 && n < 64; n++) s = this.compileOne(pb, s, ramOff, pending);
  }

  /** Translate the block at `slot`; the slot of its continuation when it was cut at MAX_BLOCK and none is there yet, else -1. */
  private compileOne(pb: PageBlocks, slot: number, ramOff: number, pending: PendingBlock[]): number {
    const h = this.h;
    const start = slot << 1;
    const insns: BlockInsn[] = [];
    const ram = h.ram;
    // A trace through the page: conditional branches fall through (taken, they leave the block),
    // jal continues at its target; it stops at an indirect jump, at code already in the trace, at
    // anything untranslated, at the page's edge, or at MAX_BLOCK.
    const seen = new Set<number>();
    let lo = start, hi = start + 2;
    let off = start;
    while (insns.length < MAX_BLOCK && off >= 0 && off + 2 <= 4096 && !seen.has(off)) {
      const p = ramOff + off;
      const low = ram[p] | (ram[p + 1] << 8);
      let bits = low;
      if ((low & 3) === 3) {
        if (off + 4 > 4096) break;
        bits = (low | (ram[p + 2] << 16) | (ram[p + 3] << 24)) >>> 0;
      }
      const dd = decode(bits, this.scratch);
      // With misa.C clear a 16-bit encoding is illegal: the interpreter raises it.
      const ok = this.backend === 'wasm' ? wasmTranslatable(dd.op) : translatable(dd.op) || isCounterRead(dd.op, dd.rs1, dd.imm);
      if (!ok || (dd.len === 2 && !h.compressed)) break;
      seen.add(off);
      insns.push({
        op: dd.op, rd: dd.rd === 0 ? 64 : dd.rd * 2, rs1: dd.rs1 * 2, rs2: dd.rs2 * 2, imm: dd.imm | 0, len: dd.len, d: off - start,
      });
      if (off < lo) lo = off;
      if (off + dd.len > hi) hi = off + dd.len;
      if (dd.op === Op.JALR) break;
      if (dd.op === Op.JAL) {
        const target = off + (dd.imm | 0);
        if (target === start) break;
        off = target;
      } else {
        off += dd.len;
      }
    }
    const blk: Block = { fn: null, slot: -1, n: insns.length, guard: 0, head: start, key: ramOff + start, start: lo, end: hi };
    if (insns.length > 0) {
      let total = 0;
      for (const ins of insns) total += OP_COST[ins.op];
      blk.guard = total - OP_COST[insns[insns.length - 1].op] - (this.faults.interruptOneLate ? 1 : 0);
      if (this.backend === 'wasm') {
        blk.slot = this.freeSlots.pop() ?? this.tableUsed++;
        pending.push({ blk, insns });   // its function comes with the others' (buildWasm), before the run loop goes on
      } else {
        blk.fn = this.build(emitBlock(insns, this.faults));
      }
      this.stats.compiled++;
      this.stats.insns += insns.length;
    }
    pb.at[slot] = blk;
    pb.list.push(blk);
    if (blk.start < pb.lo) pb.lo = blk.start;
    if (blk.end > pb.hi) pb.hi = blk.end;
    const cut = insns.length === MAX_BLOCK && insns[insns.length - 1].op !== Op.JALR && off >= 0 && off + 2 <= 4096 && !seen.has(off);
    return cut && pb.at[off >> 1] === undefined ? off >> 1 : -1;
  }

  /** One module for the pending WebAssembly blocks; each gets its table entry, its place in the chain runner's index and its runner. */
  private buildWasm(pending: PendingBlock[]): void {
    if (pending.length === 0) return;
    const bodies = pending.map((p) => emitWasmBlock(p.insns, this.faults, this.h.memory.ramAt));
    const instance = new WebAssembly.Instance(wasmModule(blocksModuleBytes(bodies)), { m: { mem: this.h.memory.memory } });
    if (this.table === null) {
      this.table = new WebAssembly.Table({ element: 'anyfunc', initial: 256 });
      const runner = new WebAssembly.Instance(wasmModule(chainRunnerBytes(this.faults.chainPastEvent === true)), { m: { mem: this.h.memory.memory, t: this.table } });
      this.runChain = runner.exports.run as (index: number, off: number, pageRam: number, setLoad: number, setStore: number, setFetch: number) => number;
    }
    pending.forEach(({ blk }, i) => {
      while (blk.slot >= this.table!.length) this.table!.grow(this.table!.length);
      this.table!.set(blk.slot, instance.exports[String(i)]);
      blk.fn = this.runner(blk.slot);
      // Into the chain runner's index (a block already there is only reached through the run loop).
      const e = chainEntry(blk.key) >> 2;
      this.mem32[e] = blk.key + 1; this.mem32[e + 1] = blk.slot; this.mem32[e + 2] = blk.n; this.mem32[e + 3] = blk.guard;
    });
  }

  /**
   * The JS that runs block `slot` through the chain runner (wasm-chain.ts, which may run the
   * blocks after it too) and applies where that stopped: pc, cycles and instret as the
   * interpreter would have them there.
   */
  private runner(slot: number): BlockFn {
    const run = this.runChain!;
    const s64 = this.scratch64, s32 = this.scratch32;
    return (h: Hart) => {
      const page = h.fetchVa;
      s64[PAGE] = page; s64[INSN_ROOM0] = h.insnLimit - h.instret; s64[CYCLE_ROOM0] = h.cycleLimit - h.cycles;
      const off = run(slot, h.pc - page, h.fetchMemOff, h.setLoad, h.setStore, tlbSet(h.priv, Access.Fetch));
      h.instret += s64[RAN_INSNS]; h.cycles += s64[RAN_CYCLES];
      // Where it stopped, in the page it stopped in (the run loop refetches when that is another).
      const kind = s32[OUT_KIND];
      if (kind !== CHAIN_OUT_JALR) { h.pc = s64[PAGE] + off; return kind === CHAIN_OUT_SIDE; }
      const lo = s32[TARGET_LO], hi = s32[TARGET_HI];
      if (hi >= -0x200000 && hi < 0x200000) { h.pc = hi * 4294967296 + (lo >>> 0); return false; }
      // Not a double: the interpreter's jalr path (a fault, or a pc kept as halves), the jalr not yet retired.
      h.instret -= 1; h.pc = s64[PAGE] + off; h.jumpFar(lo, hi);
      return false;
    };
  }

  private build(body: string): BlockFn {
    const factory = new Function(...FACTORY_PARAMS, `"use strict"; return function block(h) {\nconst pc0 = h.pc;\n${body}\n};`);
    return factory(...this.env) as BlockFn;
  }
}

const FACTORY_PARAMS = ['x', 'ram', 'ram16', 'ram32', 'tlbTag', 'tlbOff', 'codeFlag',
  'floor', 'loadSlow', 'storeSlow', 'sll', 'srl', 'sra', 'mul', 'mulw', 'mulDiv64', 'divw', 'divuw', 'remw', 'remuw', 'csrReadInsn'];
