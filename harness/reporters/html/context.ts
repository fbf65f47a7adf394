// What the HTML report shows beyond the results, gathered where the vectors are at hand (the run,
// or `devirt report html` with --vectors): each vector's tags, spec clause and provenance, and
// for a failing state vector the instructions around the point where it stopped.

import type { ResultRecord, StateInputs, Vector } from '../../../vectors/schema/types';

export interface VectorDetail {
  tags: string[];
  spec: string;
  provenance: Record<string, unknown>;
  /** Disassembly around the stop of a failing state vector: [pc, text, marked] rows. */
  code?: [string, string, boolean][];
}

export interface Budget { name: string; virtualizedBudgetPercent: number }

export interface ReportContext {
  details: Record<string, VectorDetail>;
  budgets: Budget[];
}

/** For one vector's initial memory: the instruction at `pc`, its text and length, or null. */
export type Disassembler = (inputs: StateInputs) => (pc: bigint) => { text: string; length: number } | null;

const WINDOW = 6;

/**
 * Instruction boundaries before a pc are ambiguous with compressed code, so walk forward from the
 * vector's entry (straight-line streams reach the stop) and keep the instructions around the stop;
 * when the walk does not land on it, show the stop and what follows it.
 */
function around(inputs: StateInputs, stop: bigint, disassembler: Disassembler): [string, string, boolean][] {
  const disassemble = disassembler(inputs);
  const hex = (pc: bigint) => '0x' + BigInt.asUintN(64, pc).toString(16).padStart(16, '0');
  const walk: [bigint, string][] = [];
  let pc = BigInt(inputs.hart.pc);
  for (let n = 0; n < 4096 && pc <= stop; n++) {
    const ins = disassemble(pc);
    if (!ins) break;
    walk.push([pc, ins.text]);
    pc += BigInt(ins.length);
  }
  let at = walk.findIndex(([p]) => p === stop);
  const rows: [bigint, string][] = at >= 0 ? walk.slice(Math.max(0, at - WINDOW), at) : [];
  pc = stop;
  for (let k = 0; k <= WINDOW; k++) {
    const ins = disassemble(pc);
    rows.push([pc, ins ? ins.text : '(not fetchable)']);
    if (!ins) break;
    pc += BigInt(ins.length);
  }
  at = rows.findIndex(([p]) => p === stop);
  return rows.map(([p, text], i) => [hex(p), text, i === at]);
}

/**
 * Details for every record whose vector is known. Only failing state vectors get code: the
 * instructions before and after the stop (the failing point, or the expected trap's epc).
 */
export function buildContext(records: ResultRecord[], vectors: Map<string, Vector>, budgets: Budget[], disassemble?: Disassembler): ReportContext {
  const details: Record<string, VectorDetail> = {};
  for (const r of records) {
    const v = vectors.get(r.id);
    if (!v) continue;
    const d: VectorDetail = { tags: v.tags, spec: v.spec, provenance: v.provenance as unknown as Record<string, unknown> };
    const failing = r.kind === 'fail' || r.kind === 'xfail' || r.kind === 'xpass';
    if (failing && disassemble && v.inputs.kind === 'state') {
      const stop = r.at?.pc ?? (v.expected as { exit?: { epc?: string } }).exit?.epc ?? v.inputs.hart.pc;
      if (stop !== undefined) d.code = around(v.inputs, BigInt(stop), disassemble);
    }
    details[r.id] = d;
  }
  return { details, budgets };
}
