// A translated block as WebAssembly: the same trace emit.ts turns into JS, compiled to a module
// that works on the hart's own memory (hart-memory.ts: registers as i64 at MEM_X, the
// translation cache, the code-page flags, RAM). 64-bit registers are i64 values here, where the
// JS form works on int32 halves: that is the whole gain (TRANSLATION.md has the figures).
//
// The function is (setLoad: i32, setStore: i32) -> i64; it reads from the scratch words pc0, the
// virtual pc the block was entered at (when it needs it), and, when it loops, the rooms
// insnLimit - instret and cycleLimit - cycles at entry. (Doubles go through memory, not
// parameters: V8's generic call into WebAssembly boxed each double argument, a heap allocation
// per block run.) It returns the exit it left by, packed (EXIT_*): the instructions retired and
// cycles spent in this pass up to it, whether it left before an instruction the interpreter must
// run, and the pc offset from the block's start. Blocks are called by the chain runner
// (wasm-chain.ts), which applies the exit and runs the next block itself when there is one. A
// block that loops also leaves, in the scratch words, the instructions and cycles of the passes
// it completed.
//
// Everything that may touch time, a device or a fault leaves the block *before* that
// instruction, with pc, cycles and instret exact: a translation-cache miss, a misaligned access,
// a store to a page holding code (the interpreter performs it and drops the stale blocks). The
// interpreter then runs it, so the definition decides every such case.

import { Op } from '../isa/opcodes';
import { OP_COST } from '../cycle-model';
import { MEM_CODE_FLAG, MEM_SCRATCH, MEM_TLB_OFF, MEM_TLB_TAG, MEM_X } from '../hart-memory';
import { BlockInsn, TranslatorFaults, isBranch, translatable } from './emit';
import { Bytes, F64, FunctionBody, I32, I64, OP, VOID, moduleBytes } from './wasm-encode';

/**
 * Byte offsets of the scratch words. Out: f64 instructions and cycles of completed passes, i64
 * jalr target. In: f64 pc0, insnRoom, cycleRoom.
 */
export const SCRATCH_PASS_INSNS = MEM_SCRATCH;
export const SCRATCH_PASS_CYCLES = MEM_SCRATCH + 8;
export const SCRATCH_JALR_TARGET = MEM_SCRATCH + 16;
export const SCRATCH_PC0 = MEM_SCRATCH + 24;
export const SCRATCH_INSN_ROOM = MEM_SCRATCH + 32;
export const SCRATCH_CYCLE_ROOM = MEM_SCRATCH + 40;

/**
 * A block's packed exit (an i64): instructions in bits 0-7, cycles in bits 8-23, flags in bits
 * 24-27, and in the high 32 bits the signed pc offset from the block's start (for EXIT_JALR, the
 * jalr's own offset: its target is in SCRATCH_JALR_TARGET).
 */
export const EXIT_CYCLES_SHIFT = 8;
export const EXIT_FLAGS_SHIFT = 24;
/** Left before an instruction the interpreter runs (a translation-cache miss, a store to code...). */
export const EXIT_SIDE = 1;
/** Left by its final jalr. */
export const EXIT_JALR = 2;
/** The block loops: add the completed passes in the scratch words. */
export const EXIT_LOOPS = 4;

/** Operations a WebAssembly block runs; counter reads end it (the interpreter runs them). */
export function wasmTranslatable(op: Op): boolean {
  return translatable(op);
}

/**
 * The module of one or more blocks (a module is compiled and instantiated once for all of them:
 * each module costs V8 a fixed amount, which dominates a block's). Export "i" is bodies[i].
 */
export function blocksModuleBytes(bodies: FunctionBody[]): Uint8Array {
  return moduleBytes(PARAMS, [I64], bodies);
}

// Parameters and locals.
const SET_LOAD = 0, SET_STORE = 1;
const PCB = 2, VA = 3, VPN = 4, E = 5, O = 6, ACC_I = 7, ACC_C = 8, T = 9, A = 10, B = 11, A32 = 12, B32 = 13, INSN_ROOM = 14, CYCLE_ROOM = 15, U = 16;
const PARAMS = [I32, I32];
const LOCALS = [I64, I64, I64, I32, I32, F64, F64, I64, I64, I64, I32, I32, F64, F64, I64];

const MIN64 = -(1n << 63n);

export function emitWasmBlock(insns: BlockInsn[], faults: TranslatorFaults, ramAt: number): FunctionBody {
  const n = insns.length;
  const before: number[] = [];
  let total = 0;
  for (const ins of insns) { before.push(total); total += OP_COST[ins.op]; }
  const after = (i: number) => before[i] + OP_COST[insns[i].op];
  const guard = total - OP_COST[insns[n - 1].op];
  const loops = insns.some((ins) => (isBranch(ins.op) || ins.op === Op.JAL) && ins.d + ins.imm === 0);

  const c = new Bytes();
  /** Leave by an exit: pc offset `off` from the start, `cycles` and `count` instructions of this pass. */
  const ret = (off: number, cycles: number, count: number, flags: number) => {
    if (loops) {
      c.byte(OP.i32_const).sleb(0n).byte(OP.local_get).u32(ACC_I).byte(OP.f64_store).u32(3).u32(SCRATCH_PASS_INSNS);
      c.byte(OP.i32_const).sleb(0n).byte(OP.local_get).u32(ACC_C).byte(OP.f64_store).u32(3).u32(SCRATCH_PASS_CYCLES);
      flags |= EXIT_LOOPS;
    }
    if (count > 0xff || cycles > 0xffff) throw new Error(`internal: a block exit of ${count} instructions and ${cycles} cycles does not pack`);
    const low = BigInt(count | (cycles << EXIT_CYCLES_SHIFT) | (flags << EXIT_FLAGS_SHIFT));
    c.byte(OP.i64_const).sleb(BigInt.asIntN(64, (BigInt(off) << 32n) | low)).byte(OP.return);
  };
  /** Leave before instruction i: the interpreter runs it. */
  const exitBefore = (i: number) => ret(insns[i].d, before[i], i, EXIT_SIDE);
  const local = (op: number, l: number) => c.byte(op).u32(l);
  const i64c = (v: bigint | number) => c.byte(OP.i64_const).sleb(v);
  const i32c = (v: number) => c.byte(OP.i32_const).sleb(v | 0);
  const f64c = (v: number) => c.byte(OP.f64_const).f64(v);
  const mem = (op: number, align: number, offset: number) => c.byte(op).u32(align).u32(offset);
  /** Push register pair r (2 * the register number; 0 is x0). */
  const getX = (r: number) => { if (r === 0) i64c(0); else { i32c(0); mem(OP.i64_load, 3, MEM_X + r * 4); } };
  /** Write rd from what `value` pushes; x0 (pair 64) is not written, and `value` not emitted. */
  const setX = (rd: number, value: () => void) => {
    if (rd === 64) return;
    i32c(0);
    value();
    mem(OP.i64_store, 3, MEM_X + rd * 4);
  };
  const sext32 = () => c.byte(OP.i64_extend_i32_s);
  const wrap = () => c.byte(OP.i32_wrap_i64);
  /** Control passes to byte offset `target` after instruction i (a taken branch or jump); `depth` = enclosing blocks inside the loop. */
  const transfer = (i: number, target: number, depth: number) => {
    const count = i + 1 + (faults.instretAfterTakenBranch ? 1 : 0);
    if (target !== 0) { ret(target, after(i), count, 0); return; }
    // Back to the start: count the pass and go round again when the next one fits, exactly as
    // the dispatcher's check would (hart.ts loop); the deliberately late variant lets it start at the limit.
    local(OP.local_get, ACC_I); f64c(count); c.byte(OP.f64_add); local(OP.local_set, ACC_I);
    local(OP.local_get, ACC_C); f64c(after(i)); c.byte(OP.f64_add); local(OP.local_set, ACC_C);
    local(OP.local_get, ACC_I); f64c(n); c.byte(OP.f64_add); local(OP.local_get, INSN_ROOM); c.byte(OP.f64_le);
    local(OP.local_get, ACC_C); f64c(guard); c.byte(OP.f64_add); local(OP.local_get, CYCLE_ROOM);
    c.byte(faults.interruptOneLate ? OP.f64_le : OP.f64_lt);
    c.byte(OP.i32_and);
    c.byte(OP.br_if).u32(depth);
    ret(0, 0, 0, 0);
  };
  /** va, vpn, e for an access at x[rs1] + imm through set `setLocal`; leaves before i on a miss, then o. */
  const translate = (i: number, rs1: number, imm: number, setLocal: number, size: number) => {
    getX(rs1); i64c(imm); c.byte(OP.i64_add); local(OP.local_tee, VA);
    i64c(12); c.byte(OP.i64_shr_s); local(OP.local_tee, VPN);
    wrap(); i32c(255); c.byte(OP.i32_and); local(OP.local_get, setLocal); c.byte(OP.i32_add); i32c(3); c.byte(OP.i32_shl); local(OP.local_tee, E);
    mem(OP.f64_load, 3, MEM_TLB_TAG);
    local(OP.local_get, VPN); c.byte(OP.f64_convert_i64_s); c.byte(OP.f64_ne);
    c.byte(OP.if).byte(VOID); exitBefore(i); c.byte(OP.end);
    local(OP.local_get, E); mem(OP.f64_load, 3, MEM_TLB_OFF); c.byte(OP.i32_trunc_f64_u);
    local(OP.local_get, VA); wrap(); i32c(4095); c.byte(OP.i32_and); c.byte(OP.i32_add); local(OP.local_set, O);
    if (size > 1) {
      local(OP.local_get, O); i32c(size - 1); c.byte(OP.i32_and);
      c.byte(OP.if).byte(VOID); exitBefore(i); c.byte(OP.end);
    }
  };
  /**
   * Division and remainder, 64-bit or the *W forms on the low 32 bits (sign-extended), with the M
   * extension's results where WebAssembly would trap: by zero, all ones (quotients) or the dividend
   * (remainders); the most negative value by -1, itself (signed quotient; WebAssembly's rem_s
   * already gives the 0 the remainder must be).
   */
  const divide = (kind: 'div' | 'divu' | 'rem' | 'remu', width: 64 | 32, rd: number, rs1: number, rs2: number) => {
    if (rd === 64) return;
    const w = width === 64
      ? { a: A, b: B, t: I64, eqz: OP.i64_eqz, eq: OP.i64_eq, and: OP.i32_and, min: () => i64c(MIN64), minus1: () => i64c(-1),
        op: { div: OP.i64_div_s, divu: OP.i64_div_u, rem: OP.i64_rem_s, remu: OP.i64_rem_u } }
      : { a: A32, b: B32, t: I32, eqz: OP.i32_eqz, eq: OP.i32_eq, and: OP.i32_and, min: () => i32c(-0x80000000), minus1: () => i32c(-1),
        op: { div: OP.i32_div_s, divu: OP.i32_div_u, rem: OP.i32_rem_s, remu: OP.i32_rem_u } };
    getX(rs1); if (width === 32) wrap(); local(OP.local_set, w.a);
    getX(rs2); if (width === 32) wrap(); local(OP.local_set, w.b);
    setX(rd, () => {
      local(OP.local_get, w.b); c.byte(w.eqz);
      c.byte(OP.if).byte(w.t);
      if (kind === 'div' || kind === 'divu') w.minus1(); else local(OP.local_get, w.a);
      c.byte(OP.else);
      if (kind === 'div') {
        local(OP.local_get, w.a); w.min(); c.byte(w.eq); local(OP.local_get, w.b); w.minus1(); c.byte(w.eq); c.byte(w.and);
        c.byte(OP.if).byte(w.t); local(OP.local_get, w.a); c.byte(OP.else);
        local(OP.local_get, w.a); local(OP.local_get, w.b); c.byte(w.op.div); c.byte(OP.end);
      } else {
        local(OP.local_get, w.a); local(OP.local_get, w.b); c.byte(w.op[kind]);
      }
      c.byte(OP.end);
      if (width === 32) sext32();
    });
  };
  const usesPc = insns.some((ins) => ins.op === Op.AUIPC || ins.op === Op.JAL || ins.op === Op.JALR);
  if (usesPc) { i32c(0); mem(OP.f64_load, 3, SCRATCH_PC0); c.byte(OP.i64_trunc_f64_s); local(OP.local_set, PCB); }
  if (loops) {
    i32c(0); mem(OP.f64_load, 3, SCRATCH_INSN_ROOM); local(OP.local_set, INSN_ROOM);
    i32c(0); mem(OP.f64_load, 3, SCRATCH_CYCLE_ROOM); local(OP.local_set, CYCLE_ROOM);
    c.byte(OP.loop).byte(VOID);
  }

  for (let i = 0; i < n; i++) {
    const { op, rd, rs1, rs2, imm, len, d } = insns[i];
    const isLast = i === n - 1;
    const alu = (wasmOp: number, rhs: () => void) => setX(rd, () => { getX(rs1); rhs(); c.byte(wasmOp); });
    const aluImm = (wasmOp: number) => alu(wasmOp, () => i64c(imm));
    const aluReg = (wasmOp: number) => alu(wasmOp, () => getX(rs2));
    const w32 = (wasmOp: number, rhs: () => void) => setX(rd, () => { getX(rs1); wrap(); rhs(); c.byte(wasmOp); sext32(); });
    switch (op) {
      case Op.LUI: setX(rd, () => i64c(imm | 0)); break;
      case Op.AUIPC: setX(rd, () => { local(OP.local_get, PCB); i64c(d + imm); c.byte(OP.i64_add); }); break;
      case Op.FENCE: break;
      case Op.ADDI: aluImm(OP.i64_add); break;
      case Op.SLTI: setX(rd, () => { getX(rs1); i64c(imm); c.byte(OP.i64_lt_s); c.byte(OP.i64_extend_i32_u); }); break;
      case Op.SLTIU: setX(rd, () => { getX(rs1); i64c(imm); c.byte(OP.i64_lt_u); c.byte(OP.i64_extend_i32_u); }); break;
      case Op.XORI: aluImm(OP.i64_xor); break;
      case Op.ORI: aluImm(OP.i64_or); break;
      case Op.ANDI: aluImm(OP.i64_and); break;
      case Op.SLLI: aluImm(OP.i64_shl); break;
      case Op.SRLI: aluImm(OP.i64_shr_u); break;
      case Op.SRAI: aluImm(OP.i64_shr_s); break;
      case Op.ADD: aluReg(OP.i64_add); break;
      case Op.SUB: aluReg(OP.i64_sub); break;
      case Op.SLL: aluReg(OP.i64_shl); break;     // WebAssembly shifts by the count mod 64, as RISC-V does
      case Op.SRL: aluReg(OP.i64_shr_u); break;
      case Op.SRA: aluReg(OP.i64_shr_s); break;
      case Op.SLT: setX(rd, () => { getX(rs1); getX(rs2); c.byte(OP.i64_lt_s); c.byte(OP.i64_extend_i32_u); }); break;
      case Op.SLTU: setX(rd, () => { getX(rs1); getX(rs2); c.byte(OP.i64_lt_u); c.byte(OP.i64_extend_i32_u); }); break;
      case Op.XOR: aluReg(OP.i64_xor); break;
      case Op.OR: aluReg(OP.i64_or); break;
      case Op.AND: aluReg(OP.i64_and); break;
      case Op.ADDIW: w32(OP.i32_add, () => i32c(imm)); break;
      case Op.SLLIW: w32(OP.i32_shl, () => i32c(imm)); break;
      case Op.SRLIW: w32(OP.i32_shr_u, () => i32c(imm)); break;
      case Op.SRAIW: w32(OP.i32_shr_s, () => i32c(imm)); break;
      case Op.ADDW: w32(OP.i32_add, () => { getX(rs2); wrap(); }); break;
      case Op.SUBW: w32(OP.i32_sub, () => { getX(rs2); wrap(); }); break;
      case Op.SLLW: w32(OP.i32_shl, () => { getX(rs2); wrap(); }); break;   // mod 32, as RISC-V's *W shifts
      case Op.SRLW: w32(OP.i32_shr_u, () => { getX(rs2); wrap(); }); break;
      case Op.SRAW: w32(OP.i32_shr_s, () => { getX(rs2); wrap(); }); break;
      case Op.MUL: aluReg(OP.i64_mul); break;
      case Op.MULH: case Op.MULHSU: case Op.MULHU: {
        // The high 64 bits of the 128-bit product, from 32-bit halves (WebAssembly has no wide
        // multiply): unsigned first, then the signed forms subtract b when a < 0 and a when b < 0.
        if (rd === 64) break;
        getX(rs1); local(OP.local_set, A); getX(rs2); local(OP.local_set, B);
        const lo32 = (l: number) => { local(OP.local_get, l); i64c(0xffffffff); c.byte(OP.i64_and); };
        const hi32 = (l: number) => { local(OP.local_get, l); i64c(32); c.byte(OP.i64_shr_u); };
        // t = aLo*bLo; u = aHi*bLo + (t >> 32)  (in T, then U)
        lo32(A); lo32(B); c.byte(OP.i64_mul); i64c(32); c.byte(OP.i64_shr_u); local(OP.local_set, T);
        hi32(A); lo32(B); c.byte(OP.i64_mul); local(OP.local_get, T); c.byte(OP.i64_add); local(OP.local_set, U);
        // v = aLo*bHi + (u & 0xffffffff)  (in T)
        lo32(A); hi32(B); c.byte(OP.i64_mul); local(OP.local_get, U); i64c(0xffffffff); c.byte(OP.i64_and); c.byte(OP.i64_add); local(OP.local_set, T);
        // hi = aHi*bHi + (u >> 32) + (v >> 32)  (in T)
        hi32(A); hi32(B); c.byte(OP.i64_mul);
        local(OP.local_get, U); i64c(32); c.byte(OP.i64_shr_u); c.byte(OP.i64_add);
        local(OP.local_get, T); i64c(32); c.byte(OP.i64_shr_u); c.byte(OP.i64_add); local(OP.local_set, T);
        const minus = (cond: number, sub: number) => {
          // T -= (cond < 0 ? sub : 0)
          local(OP.local_get, T); local(OP.local_get, sub); i64c(0);
          local(OP.local_get, cond); i64c(0); c.byte(OP.i64_lt_s); c.byte(OP.select);
          c.byte(OP.i64_sub); local(OP.local_set, T);
        };
        if (op !== Op.MULHU) minus(A, B);
        if (op === Op.MULH) minus(B, A);
        setX(rd, () => local(OP.local_get, T));
        break;
      }
      case Op.MULW: w32(OP.i32_mul, () => { getX(rs2); wrap(); }); break;
      case Op.DIV: case Op.DIVU: case Op.REM: case Op.REMU:
        divide(op === Op.DIV ? 'div' : op === Op.DIVU ? 'divu' : op === Op.REM ? 'rem' : 'remu', 64, rd, rs1, rs2);
        break;
      case Op.DIVW: case Op.DIVUW: case Op.REMW: case Op.REMUW:
        divide(op === Op.DIVW ? 'div' : op === Op.DIVUW ? 'divu' : op === Op.REMW ? 'rem' : 'remu', 32, rd, rs1, rs2);
        break;

      case Op.LB: case Op.LH: case Op.LW: case Op.LD: case Op.LBU: case Op.LHU: case Op.LWU: {
        const size = op === Op.LB || op === Op.LBU ? 1 : op === Op.LH || op === Op.LHU ? 2 : op === Op.LD ? 8 : 4;
        translate(i, rs1, imm, SET_LOAD, size);
        const load = op === Op.LB ? OP.i64_load8_s : op === Op.LBU ? OP.i64_load8_u : op === Op.LH ? OP.i64_load16_s
          : op === Op.LHU ? OP.i64_load16_u : op === Op.LW ? OP.i64_load32_s : op === Op.LWU ? OP.i64_load32_u : OP.i64_load;
        setX(rd, () => { local(OP.local_get, O); mem(load, Math.log2(size), ramAt); });
        break;
      }
      case Op.SB: case Op.SH: case Op.SW: case Op.SD: {
        const size = op === Op.SB ? 1 : op === Op.SH ? 2 : op === Op.SD ? 8 : 4;
        translate(i, rs1, imm, SET_STORE, size);
        // A page holding code (or the watched tohost word): the interpreter stores, and drops stale blocks.
        local(OP.local_get, O); i32c(12); c.byte(OP.i32_shr_u); mem(OP.i32_load8_u, 0, MEM_CODE_FLAG);
        c.byte(OP.if).byte(VOID); exitBefore(i); c.byte(OP.end);
        local(OP.local_get, O); getX(rs2);
        mem(size === 1 ? OP.i64_store8 : size === 2 ? OP.i64_store16 : size === 4 ? OP.i64_store32 : OP.i64_store, Math.log2(size), ramAt);
        break;
      }

      case Op.JAL:
        setX(rd, () => { local(OP.local_get, PCB); i64c(d + len); c.byte(OP.i64_add); });
        // In the middle of a trace the jump's target is the next entry: nothing to do but link.
        if (isLast || d + imm === 0) transfer(i, d + imm, 0);
        continue;
      case Op.JALR:
        getX(rs1); i64c(imm); c.byte(OP.i64_add); i64c(-2); c.byte(OP.i64_and); local(OP.local_set, T);
        setX(rd, () => { local(OP.local_get, PCB); i64c(d + len); c.byte(OP.i64_add); });
        i32c(0); local(OP.local_get, T); mem(OP.i64_store, 3, SCRATCH_JALR_TARGET);
        ret(d, after(i), i + 1, EXIT_JALR);
        continue;
      case Op.BEQ: case Op.BNE: case Op.BLT: case Op.BGE: case Op.BLTU: case Op.BGEU: {
        getX(rs1); getX(rs2);
        c.byte(op === Op.BEQ ? OP.i64_eq : op === Op.BNE ? OP.i64_ne : op === Op.BLT ? OP.i64_lt_s
          : op === Op.BGE ? OP.i64_ge_s : op === Op.BLTU ? OP.i64_lt_u : OP.i64_ge_u);
        c.byte(OP.if).byte(VOID);
        transfer(i, d + imm, 1);
        c.byte(OP.end);
        break;
      }
      default:
        throw new Error(`internal: no WebAssembly translation for op ${op}`);
    }
    if (isLast) ret(d + len, total, n, 0);
  }
  if (loops) c.byte(OP.end);
  c.byte(OP.unreachable);
  return { locals: LOCALS, code: c };
}
