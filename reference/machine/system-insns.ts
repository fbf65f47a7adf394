// Instructions the run loop hands out of its switch: Zicsr, xRET, WFI, SFENCE.VMA and the A
// extension. Each is rare next to the integer instructions; keeping them here keeps the loop small.

import type { Hart } from './hart';
import { Op } from './isa/opcodes';
import { EVENT_COST } from './cycle-model';
import { MS_TVM, MS_TW } from './mstatus';
import { csrAllowed, csrRead, csrRmwBase, csrWrite } from './csr';
import { AMO_TABLE, executeAmo } from './amo';
import { mnret, mret, sret } from './traps';
import { hiOf, loOf, toBigU } from './int64';

export function executeSystem(h: Hart, op: number, rd: number, rs1: number, rs2: number, imm: number, pc: number, len: number): void {
  switch (op) {
    case Op.CSRRW: case Op.CSRRS: case Op.CSRRC: case Op.CSRRWI: case Op.CSRRSI: case Op.CSRRCI:
      csrInstruction(h, op, rd, rs1, imm, pc, len);
      return;
    case Op.MRET: if (!mret(h)) h.illegalAt(pc, len); return;
    case Op.SRET: if (!sret(h)) h.illegalAt(pc, len); return;
    case Op.MNRET: if (!mnret(h)) h.illegalAt(pc, len); return;
    case Op.WFI: {
      if (h.priv === 0 || (h.priv === 1 && (h.mstatus & MS_TW))) {
        // WFI "does not complete within an implementation-specific, bounded time": the bound may
        // be zero (the default), or long enough to see a wake-up that is already pending.
        h.updateTimerBits();
        const pending = ((h.mipSw | h.mipHw) & h.mie) !== 0;
        if (!pending || h.choose('wfiTimeout') === 'trap-at-once') h.illegalAt(pc, len);
      }
      h.pc = pc + len;
      h.updateTimerBits();
      if (((h.mipSw | h.mipHw) & h.mie) === 0) { h.waiting = true; h.kick(); }
      return;
    }
    case Op.SFENCE_VMA: {
      if (h.priv === 0 || (h.priv === 1 && (h.mstatus & MS_TVM))) h.illegalAt(pc, len);
      h.cycles += EVENT_COST.tlbFlush;
      h.flushTranslations();
      h.pc = pc + len;
      return;
    }
    default: {
      const amo = AMO_TABLE[op];
      if (amo !== undefined) { executeAmo(h, amo, rd, rs1, rs2); h.pc = pc + len; return; }
      throw new Error(`internal: no execution for op ${op} at pc ${pc.toString(16)}`);
    }
  }
}

/** csrrw, csrrs, csrrc and their immediate forms (Zicsr): which of read and write happen, then the CSR file. */
function csrInstruction(h: Hart, op: number, rd: number, rs1: number, imm: number, pc: number, len: number): void {
  const x = h.x;
  const immForm = op === Op.CSRRWI || op === Op.CSRRSI || op === Op.CSRRCI;
  const kind = op === Op.CSRRW || op === Op.CSRRWI ? 0 : op === Op.CSRRS || op === Op.CSRRSI ? 1 : 2; // write, set, clear
  const src = rs1 >> 1; // register number, or the 5-bit immediate
  const operand = immForm ? BigInt(src) : toBigU(x[rs1], x[rs1 + 1]);
  // csrrs/csrrc with x0 (or immediate 0) do not write; csrrw with rd = x0 does not read.
  const writes = kind === 0 || src !== 0;
  const reads = !(kind === 0 && rd === 64);
  const csr = imm & 0xfff;
  if (!csrAllowed(h, csr, writes)) h.illegalAt(pc, len);
  const old = reads || kind !== 0 ? csrRead(h, csr) : 0n;
  if (writes) {
    const base = kind === 0 ? 0n : csrRmwBase(h, csr, old);
    const nv = kind === 0 ? operand : kind === 1 ? (base | operand) : (base & ~operand);
    csrWrite(h, csr, nv, true);
  }
  h.pc = pc + len;
  if (reads) { x[rd] = loOf(old); x[rd + 1] = hiOf(old); }
  h.kick();
}
