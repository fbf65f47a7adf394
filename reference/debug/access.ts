// The memory access an instruction is about to make, from its decoded form and the registers
// before it executes: what a watchpoint compares and what a commit log prints. Computed outside
// the hart, so that observing costs the untraced run nothing.

import { decode, Decoded } from '../machine/isa/decode';
import { Op, ROW_OF } from '../machine/isa/opcodes';
import type { Hart } from '../machine/hart';

export interface MemoryAccess {
  va: bigint;
  size: number;
  read: boolean;
  write: boolean;
  /** The value a plain store writes (known before it executes); undefined for AMOs and SC. */
  value?: bigint;
  /** SC writes only when it succeeds (rd = 0 afterwards). */
  conditional?: boolean;
  rd: number;
}

interface AccessShape { size: number; read: boolean; write: boolean; storesRs2: boolean; conditional: boolean; base: 'imm' | 'rs1' }

const SIZE_OF_SUFFIX: Record<string, number> = { b: 1, bu: 1, h: 2, hu: 2, w: 4, wu: 4, d: 8 };

/** Per operation, the shape of its memory access (undefined: it makes none). */
const SHAPES: (AccessShape | undefined)[] = ROW_OF.map((row) => {
  if (!row) return undefined;
  const n = row.name;
  if (row.format === 'LOAD') return { size: SIZE_OF_SUFFIX[n.slice(1)], read: true, write: false, storesRs2: false, conditional: false, base: 'imm' };
  if (row.format === 'S') return { size: SIZE_OF_SUFFIX[n.slice(1)], read: false, write: true, storesRs2: true, conditional: false, base: 'imm' };
  if (row.format === 'LR') return { size: n.endsWith('.d') ? 8 : 4, read: true, write: false, storesRs2: false, conditional: false, base: 'rs1' };
  if (row.format === 'AMO') {
    const sc = n.startsWith('sc.');
    return { size: n.endsWith('.d') ? 8 : 4, read: !sc, write: true, storesRs2: false, conditional: sc, base: 'rs1' };
  }
  return undefined;
});

const scratch: Decoded = { op: Op.ILLEGAL, rd: 0, rs1: 0, rs2: 0, imm: 0, len: 4 };

/** The access of the instruction `bits` with the hart's current registers, or null. */
export function accessOf(h: Hart, bits: number): MemoryAccess | null {
  const d = decode(bits >>> 0, scratch);
  const shape = SHAPES[d.op];
  if (shape === undefined) return null;
  const base = h.getX(d.rs1);
  const va = BigInt.asUintN(64, base + (shape.base === 'imm' ? BigInt(d.imm) : 0n));
  const value = shape.storesRs2 ? BigInt.asUintN(shape.size * 8, h.getX(d.rs2)) : undefined;
  return { va, size: shape.size, read: shape.read, write: shape.write, value, conditional: shape.conditional, rd: d.rd };
}
