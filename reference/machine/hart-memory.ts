// Where the hart's hot state lives: one WebAssembly.Memory holds the register file, the
// translation cache, the code-page flags and RAM. The interpreter sees them as typed arrays (views
// of the same bytes), and a block translated to WebAssembly (jit/wasm-emit.ts) reaches them with
// plain loads and stores at the fixed offsets below: nothing is copied when control passes
// between the two. The memory never grows, so the views stay valid for the hart's life.

import { TLB_ENTRIES } from './cycle-model';

/** Sets of the translation cache: (privilege, access kind) pairs, as translation.ts indexes them. */
export const TLB_SETS = 9;

/** Byte offsets in the memory. Registers first: x[2r], x[2r+1] are the low and high halves of xr. */
export const MEM_X = 0;
/** Scratch words a translated block leaves for its caller (jit/wasm-emit.ts). */
export const MEM_SCRATCH = 512;
export const MEM_TLB_TAG = 1024;
export const MEM_TLB_OFF = MEM_TLB_TAG + TLB_SETS * TLB_ENTRIES * 8;
/** The chain runner's index of translated blocks by RAM address (jit/wasm-chain.ts). */
export const MEM_CHAIN = MEM_TLB_OFF + TLB_SETS * TLB_ENTRIES * 8;
export const CHAIN_ENTRIES = 4096;
export const CHAIN_ENTRY_BYTES = 16;
export const MEM_CODE_FLAG = MEM_CHAIN + CHAIN_ENTRIES * CHAIN_ENTRY_BYTES;

const WASM_PAGE = 65536;

export interface HartMemory {
  memory: WebAssembly.Memory;
  x: Int32Array;
  tlbTag: Float64Array;
  tlbOff: Float64Array;
  codeFlag: Uint8Array;
  ram: Uint8Array;
  ram16: Int16Array;
  ram32: Int32Array;
  ramView: DataView;
  /** Byte offset of RAM offset 0 in the memory. */
  ramAt: number;
  /**
   * Per RAM page: 1 once anything may have written it (a store translation cached for it, a slow
   * store, a page-table A/D update, a loader or DMA write), so that reuse clears only those pages.
   */
  written: Uint8Array;
}

// A conformance run boots thousands of short-lived machines, and a fresh memory is dear: the
// kernel zeroes each page on its first touch (about 13 us a page on the 2-core CI machine, against
// 0.2 us to clear a page already mapped), and the large external allocations make the garbage
// collector run often. A machine that is done hands its memory back (releaseHartMemory); the next
// hart of the same RAM size gets it back all zero, which is all a fresh memory holds: the words
// below RAM (registers, translation cache, code flags) and every RAM page marked `written`.
// Clearing all of RAM instead would touch pages no guest ever used (128 MiB for a default machine).
const released = new Map<number, HartMemory[]>();
/** Memories kept per RAM size: a run has at most a couple of machines alive at once. */
const KEEP_PER_SIZE = 2;

/**
 * The memory of a hart with `ramSize` bytes of RAM (a multiple of 4 KiB): all zero, either fresh
 * or one a finished hart released.
 */
export function allocateHartMemory(ramSize: number): HartMemory {
  const reused = released.get(ramSize)?.pop();
  if (reused !== undefined) {
    clearWritten(reused);
    return reused;
  }
  const pages = Math.ceil(ramSize / 4096);
  const ramAt = Math.ceil((MEM_CODE_FLAG + pages) / WASM_PAGE) * WASM_PAGE;
  const total = Math.ceil((ramAt + ramSize) / WASM_PAGE);
  const memory = new WebAssembly.Memory({ initial: total, maximum: total });
  const buf = memory.buffer;
  return {
    memory,
    x: new Int32Array(buf, MEM_X, 66),
    tlbTag: new Float64Array(buf, MEM_TLB_TAG, TLB_SETS * TLB_ENTRIES),
    tlbOff: new Float64Array(buf, MEM_TLB_OFF, TLB_SETS * TLB_ENTRIES),
    codeFlag: new Uint8Array(buf, MEM_CODE_FLAG, pages),
    ram: new Uint8Array(buf, ramAt, ramSize),
    ram16: new Int16Array(buf, ramAt, ramSize / 2),
    ram32: new Int32Array(buf, ramAt, ramSize / 4),
    ramView: new DataView(buf, ramAt, ramSize),
    ramAt,
    written: new Uint8Array(pages),
  };
}

/** Zero what a hart may have written: everything below RAM, and the RAM pages marked written. */
function clearWritten(mem: HartMemory): void {
  new Uint8Array(mem.memory.buffer, 0, mem.ramAt).fill(0);
  clearWrittenRam(mem);
}

/** All of RAM zero again, by clearing only the pages marked written (in runs); the marks go too. */
export function clearWrittenRam(mem: HartMemory): void {
  const w = mem.written, pages = w.length;
  for (let p = 0; p < pages;) {
    if (w[p] === 0) { p++; continue; }
    const from = p;
    while (p < pages && w[p] !== 0) p++;
    mem.ram.fill(0, from * 4096, Math.min(p * 4096, mem.ram.length));
  }
  w.fill(0);
}

/**
 * Give back the memory of a hart that will never run or be read again (its owner drops it): the
 * next allocation of the same size reuses it. Releasing one still in use would let two harts share
 * RAM, so only the code that created a machine and saw it finish calls this.
 */
export function releaseHartMemory(mem: HartMemory): void {
  let list = released.get(mem.ram.length);
  if (list === undefined) { list = []; released.set(mem.ram.length, list); }
  if (list.length < KEEP_PER_SIZE && !list.includes(mem)) list.push(mem);
}
