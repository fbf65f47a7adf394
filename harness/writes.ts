// What one retired instruction wrote, from its encoding and the registers before it: the
// destination register (even when the value it wrote equals the old one) and the bytes a store,
// AMO or successful SC wrote. The failure report's "at" is the last instruction that *wrote* the
// location (harness/judge.ts), which a comparison of values before and after cannot find.

import { decode } from '../reference/machine/isa/decode';
import { Op, ROW_OF } from '../reference/machine/isa/opcodes';

/** Formats whose rd field is a destination (the others have no rd, or use the bits otherwise). */
const WRITES_RD = new Set(['R', 'I', 'LOAD', 'U', 'J', 'JALR', 'SH6', 'SH5', 'CSR', 'CSRI', 'AMO', 'LR']);
const STORE_SIZE: Partial<Record<Op, number>> = { [Op.SB]: 1, [Op.SH]: 2, [Op.SW]: 4, [Op.SD]: 8 };

export interface Writes {
  /** The register written (0 when none: x0 is never written). */
  rd: number;
  /** The virtual address and size of the memory written, when the instruction stored. */
  store?: { va: bigint; size: number };
}

/**
 * `bits` retired with `before` as x0..x31 beforehand and `after` afterwards; an SC that failed
 * (rd = nonzero afterwards) wrote no memory. LR has no memory write; every other AMO has one.
 */
export function writesOf(bits: number, before: readonly bigint[], after: readonly bigint[]): Writes {
  const d = decode(bits);
  const row = ROW_OF[d.op];
  const rd = row && WRITES_RD.has(row.format) ? d.rd : 0;
  const out: Writes = { rd };
  const size = STORE_SIZE[d.op];
  if (size !== undefined) out.store = { va: BigInt.asUintN(64, before[d.rs1] + BigInt(d.imm)), size };
  else if (d.op >= Op.SC_W && d.op <= Op.AMOMAXU_D && d.op !== Op.LR_D) {
    const wide = d.op >= Op.LR_D;
    const sc = d.op === Op.SC_W || d.op === Op.SC_D;
    if (!sc || after[d.rd] === 0n || d.rd === 0) out.store = { va: before[d.rs1], size: wide ? 8 : 4 };
  }
  return out;
}
