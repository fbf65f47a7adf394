// The chain runner: one WebAssembly function that runs a translated block and then, while the
// next one is translated, lies in the same fetch page and fits before the next event, runs that
// one too, without returning to the JS run loop (hart.ts loop). A Linux boot passes between
// blocks about 46 million times, 82% of them within a page; each return to JS and call back
// costs more than a short block runs (TRANSLATION.md has the figures).
//
// It does exactly what the run loop would do between those blocks, and nothing else: the loop
// looks a block up wherever control arrives other than by falling through, runs it when its last
// instruction starts before the next timer or device event (cycles + guard < cycleLimit) and
// within the instruction limit, and otherwise interprets. Within one fetch page the translation
// of the pc does not change (privilege, satp and PMP change only in the interpreter, which then
// refetches), so the block at a page offset is the one the loop would find. The runner stops,
// and leaves the loop to decide, at everything else: a side exit (an instruction the interpreter
// must run), a target in another page, a head with no block in its index, a block that does not
// fit. The index is a direct-mapped table in the hart's memory (hart-memory.ts MEM_CHAIN) keyed
// by the head's RAM offset, written and cleared by block-cache.ts; a collision only sends the
// run back to the loop, which finds the block in its own per-page table.
//
// run(index, off, pageRam, setLoad, setStore) -> off. In: the scratch words page (the fetch
// page's virtual address) and the rooms insnLimit - instret, cycleLimit - cycles. Out: the
// instructions and cycles run, the page offset where it stopped (the jalr's own offset when the
// kind is CHAIN_OUT_JALR: its target is in SCRATCH_JALR_TARGET, for the loop to apply).

import { TLB_ENTRIES } from '../cycle-model';
import { CHAIN_ENTRIES, CHAIN_ENTRY_BYTES, MEM_CHAIN, MEM_SCRATCH, MEM_TLB_OFF, MEM_TLB_TAG } from '../hart-memory';
import { Bytes, F64, I32, I64, OP, VOID, functionBytes } from './wasm-encode';
import {
  EXIT_CYCLES_SHIFT, EXIT_FLAGS_SHIFT, EXIT_JALR, EXIT_LOOPS, EXIT_SIDE, SCRATCH_CYCLE_ROOM, SCRATCH_INSN_ROOM,
  SCRATCH_JALR_TARGET, SCRATCH_PASS_CYCLES, SCRATCH_PASS_INSNS, SCRATCH_PC0,
} from './wasm-emit';

/** Scratch words of the runner (after wasm-emit.ts's): f64 in, f64 out, and the i32 kind out. */
export const SCRATCH_PAGE = MEM_SCRATCH + 48;
export const SCRATCH_INSN_ROOM0 = MEM_SCRATCH + 56;
export const SCRATCH_CYCLE_ROOM0 = MEM_SCRATCH + 64;
export const SCRATCH_RAN_INSNS = MEM_SCRATCH + 72;
export const SCRATCH_RAN_CYCLES = MEM_SCRATCH + 80;
export const SCRATCH_OUT_KIND = MEM_SCRATCH + 88;
/**
 * The run stopped at page offset `off` (which may lie outside the page); at a jalr whose target
 * the loop applies; or before an instruction the interpreter runs (a block starting there would
 * leave at once: nothing has changed since).
 */
export const CHAIN_OUT_PC = 0;
export const CHAIN_OUT_JALR = 1;
export const CHAIN_OUT_SIDE = 2;

/** An index entry: RAM offset of the head + 1 (0: empty), the block's table index, its instructions and guard (i32 each). */
export function chainEntry(ramOff: number): number {
  return MEM_CHAIN + ((ramOff >>> 1) & (CHAIN_ENTRIES - 1)) * CHAIN_ENTRY_BYTES;
}

// Parameters and locals.
const INDEX = 0, OFF = 1, PAGE_RAM = 2, SET_LOAD = 3, SET_STORE = 4, SET_FETCH = 5;
const R = 6, LO = 7, PAGE = 8, RAN_I = 9, RAN_C = 10, ROOM_I = 11, ROOM_C = 12, E = 13, T = 14, PAGE_I = 15, KIND = 16, KEY = 17, VPN = 18;
const LOCALS = [I64, I32, F64, F64, F64, F64, F64, I32, I64, I64, I32, I32, I64];

/** The runner's module; `pastEvent`: the deliberately broken runner (TranslatorFaults.chainPastEvent). */
export function chainRunnerBytes(pastEvent = false): Uint8Array {
  const c = new Bytes();
  const get = (l: number) => c.byte(OP.local_get).u32(l);
  const set = (l: number) => c.byte(OP.local_set).u32(l);
  const i32c = (v: number) => c.byte(OP.i32_const).sleb(v | 0);
  const mem = (op: number, align: number, offset: number) => c.byte(op).u32(align).u32(offset);
  const loadF64 = (at: number) => { i32c(0); mem(OP.f64_load, 3, at); };
  const storeF64 = (at: number, value: () => void) => { i32c(0); value(); mem(OP.f64_store, 3, at); };
  const flag = (f: number) => { get(LO); i32c(f << EXIT_FLAGS_SHIFT); c.byte(OP.i32_and); };
  const exitOff = () => { get(R); c.byte(OP.i64_const).sleb(32n); c.byte(OP.i64_shr_s); c.byte(OP.i32_wrap_i64); };

  loadF64(SCRATCH_PAGE); c.byte(OP.local_tee).u32(PAGE); c.byte(OP.i64_trunc_f64_s); set(PAGE_I);
  loadF64(SCRATCH_INSN_ROOM0); set(ROOM_I);
  loadF64(SCRATCH_CYCLE_ROOM0); set(ROOM_C);
  c.byte(OP.block).byte(VOID);   // $out
  c.byte(OP.loop).byte(VOID);    // $next: run block INDEX at OFF
  // What a block reads: its pc, and the rooms left for the passes of a loop.
  storeF64(SCRATCH_PC0, () => { get(PAGE); get(OFF); c.byte(OP.f64_convert_i32_s); c.byte(OP.f64_add); });
  storeF64(SCRATCH_INSN_ROOM, () => { get(ROOM_I); get(RAN_I); c.byte(OP.f64_sub); });
  storeF64(SCRATCH_CYCLE_ROOM, () => { get(ROOM_C); get(RAN_C); c.byte(OP.f64_sub); });
  get(SET_LOAD); get(SET_STORE); get(INDEX);
  c.byte(OP.call_indirect).u32(0).u32(0);
  c.byte(OP.local_tee).u32(R); c.byte(OP.i32_wrap_i64); set(LO);
  // Its instructions and cycles, and those of the passes it completed.
  get(RAN_I); get(LO); i32c(0xff); c.byte(OP.i32_and); c.byte(OP.f64_convert_i32_u); c.byte(OP.f64_add); set(RAN_I);
  get(RAN_C); get(LO); i32c(EXIT_CYCLES_SHIFT); c.byte(OP.i32_shr_u); i32c(0xffff); c.byte(OP.i32_and); c.byte(OP.f64_convert_i32_u); c.byte(OP.f64_add); set(RAN_C);
  flag(EXIT_LOOPS);
  c.byte(OP.if).byte(VOID);
  get(RAN_I); loadF64(SCRATCH_PASS_INSNS); c.byte(OP.f64_add); set(RAN_I);
  get(RAN_C); loadF64(SCRATCH_PASS_CYCLES); c.byte(OP.f64_add); set(RAN_C);
  c.byte(OP.end);
  // Where control goes: the interpreter's instruction (stop), the jalr's target, or the exit's offset.
  get(OFF); exitOff(); c.byte(OP.i32_add); set(OFF);
  flag(EXIT_SIDE);
  c.byte(OP.if).byte(VOID); i32c(CHAIN_OUT_SIDE); set(KIND); c.byte(OP.br).u32(2); c.byte(OP.end);
  // T = the target, as an address (OFF stays the exit's offset, for the jalr its own, until the run goes on).
  flag(EXIT_JALR);
  c.byte(OP.if).byte(VOID);
  i32c(1); set(KIND);
  i32c(0); mem(OP.i64_load, 3, SCRATCH_JALR_TARGET); set(T);
  c.byte(OP.else);
  get(PAGE_I); get(OFF); c.byte(OP.i64_extend_i32_s); c.byte(OP.i64_add); set(T);
  c.byte(OP.end);
  get(T); get(PAGE_I); c.byte(OP.i64_sub); c.byte(OP.i64_const).sleb(4096n); c.byte(OP.i64_ge_u);
  c.byte(OP.if).byte(VOID);
  // Another page: the fetch translation the run loop would use (hart.ts refillFetch), when the
  // translation cache holds it; else stop, and the loop translates (and pays the walk).
  get(T); c.byte(OP.i64_const).sleb(12n); c.byte(OP.i64_shr_s); c.byte(OP.local_tee).u32(VPN);
  c.byte(OP.i32_wrap_i64); i32c(TLB_ENTRIES - 1); c.byte(OP.i32_and); get(SET_FETCH); c.byte(OP.i32_add); i32c(3); c.byte(OP.i32_shl); c.byte(OP.local_tee).u32(E);
  mem(OP.f64_load, 3, MEM_TLB_TAG); get(VPN); c.byte(OP.f64_convert_i64_s); c.byte(OP.f64_ne); c.byte(OP.br_if).u32(2);
  get(E); mem(OP.f64_load, 3, MEM_TLB_OFF); c.byte(OP.i32_trunc_f64_u); set(PAGE_RAM);
  get(VPN); c.byte(OP.i64_const).sleb(12n); c.byte(OP.i64_shl); c.byte(OP.local_tee).u32(PAGE_I); c.byte(OP.f64_convert_i64_s); set(PAGE);
  c.byte(OP.end);
  get(T); get(PAGE_I); c.byte(OP.i64_sub); c.byte(OP.i32_wrap_i64); set(OFF);
  i32c(0); set(KIND);
  // The block at the new offset, from the index.
  get(PAGE_RAM); get(OFF); c.byte(OP.i32_add); c.byte(OP.local_tee).u32(KEY);
  i32c(1); c.byte(OP.i32_shr_u); i32c(CHAIN_ENTRIES - 1); c.byte(OP.i32_and); i32c(CHAIN_ENTRY_BYTES); c.byte(OP.i32_mul); c.byte(OP.local_tee).u32(E);
  mem(OP.i32_load, 2, MEM_CHAIN); get(KEY); i32c(1); c.byte(OP.i32_add); c.byte(OP.i32_ne); c.byte(OP.br_if).u32(1);
  // It runs when the loop would run it: all its instructions within the limit, its last starting before the event.
  get(RAN_I); get(E); mem(OP.i32_load, 2, MEM_CHAIN + 8); c.byte(OP.f64_convert_i32_u); c.byte(OP.f64_add); get(ROOM_I); c.byte(OP.f64_le);
  if (pastEvent) i32c(1);
  else { get(RAN_C); get(E); mem(OP.i32_load, 2, MEM_CHAIN + 12); c.byte(OP.f64_convert_i32_s); c.byte(OP.f64_add); get(ROOM_C); c.byte(OP.f64_lt); }
  c.byte(OP.i32_and); c.byte(OP.i32_eqz); c.byte(OP.br_if).u32(1);
  get(E); mem(OP.i32_load, 2, MEM_CHAIN + 4); set(INDEX);
  c.byte(OP.br).u32(0);
  c.byte(OP.end);   // loop
  c.byte(OP.end);   // $out
  storeF64(SCRATCH_PAGE, () => get(PAGE));
  storeF64(SCRATCH_RAN_INSNS, () => get(RAN_I));
  storeF64(SCRATCH_RAN_CYCLES, () => get(RAN_C));
  i32c(0); get(KIND); mem(OP.i32_store, 2, SCRATCH_OUT_KIND);
  get(OFF);

  const out = new Bytes().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  // Type 0: a block's (i32, i32) -> i64; type 1: run's (i32 x 6) -> i32.
  out.section(1, new Bytes().u32(2).byte(0x60).u32(2).bytes([I32, I32]).u32(1).byte(I64)
    .byte(0x60).u32(6).bytes([I32, I32, I32, I32, I32, I32]).u32(1).byte(I32));
  out.section(2, new Bytes().u32(2)
    .name('m').name('mem').byte(0x02).byte(0x00).u32(0)
    .name('m').name('t').byte(0x01).byte(0x70).byte(0x00).u32(0));
  out.section(3, new Bytes().u32(1).u32(1));
  out.section(7, new Bytes().u32(1).name('run').byte(0x00).u32(0));
  const fn = functionBytes({ locals: LOCALS, code: c });
  out.section(10, new Bytes().u32(1).u32(fn.length).bytes(fn.view()));
  return out.view().slice();
}
