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
}

/** The memory of a hart with `ramSize` bytes of RAM (a multiple of 4 KiB). */
export function allocateHartMemory(ramSize: number): HartMemory {
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
  };
}
