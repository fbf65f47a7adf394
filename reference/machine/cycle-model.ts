// The reference's cycle model. mcycle advances by these costs and mtime by one tick per
// CYCLES_PER_TICK cycles, so time, overhead and downtime are exact, repeatable numbers.
// The table is documented in conformance/cycle-model.md; change both together.

import { CostClass, INSTRUCTIONS, Op } from './isa/opcodes';

/** A 100 MHz hart over QEMU virt's 10 MHz timebase. */
export const CYCLES_PER_TICK = 10;

/** Cycles charged to an instruction of each class when it executes. */
export const CLASS_COST: Readonly<Record<CostClass, number>> = {
  alu: 1,
  branch: 1,
  jump: 2,
  load: 2,
  store: 2,
  amo: 4,
  mul: 3,
  div: 20,
  csr: 2,
  system: 2,
  fence: 4,
};

/** Extra cycles for events that are not instructions. */
export const EVENT_COST = {
  /** Each page-table entry read by a Sv39 walk (a TLB miss). */
  pageWalkLevel: 4,
  /** Entering a trap handler (exception or interrupt). */
  trapEntry: 8,
  /** An access that reaches a device rather than RAM. */
  mmioAccess: 10,
  /** sfence.vma and satp writes flush the TLB model. */
  tlbFlush: 8,
} as const;

/** Cost of each Op, indexed by Op; illegal encodings cost like a system instruction. */
export const OP_COST: Uint8Array = (() => {
  const t = new Uint8Array(Op.COUNT).fill(CLASS_COST.system);
  for (const r of INSTRUCTIONS) t[r.op] = CLASS_COST[r.cost];
  return t;
})();

/** The deterministic TLB model: direct-mapped, this many entries per (privilege, access kind). */
export const TLB_ENTRIES = 256;
