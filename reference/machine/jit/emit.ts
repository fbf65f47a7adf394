// JS source for one translated block: the semantics of each operation the translator handles,
// written out with the block's register numbers, immediates and pc offsets as literals. Each
// case is the interpreter's case (hart.ts `loop`) with its operands folded; the interpreter stays
// the definition and the lockstep tests (test/machine/jit-lockstep.test.ts) hold the two equal.
//
// The generated function is `(h) => void` starting with `const pc0 = h.pc`, the virtual pc the block was entered at
// (a block is keyed by physical address, so the same code may run under several virtual
// addresses; every pc in it is pc0 + a constant). It runs only when the dispatcher has checked
// that all of it fits before the next timer or device event and within the instruction limit
// (block-cache.ts), so instret and cycles are added once at each exit. Anything that may touch
// time, devices or a fault (a translation-cache miss, MMIO, an unaligned access) leaves the block
// right after that instruction with pc, cycles and instret exact, so the run loop decides what
// comes next exactly as after one interpreted instruction.

import { Op } from '../isa/opcodes';
import { OP_COST } from '../cycle-model';
import { csrCounter } from '../csr';

/** One decoded instruction of a block, at byte offset `d` from the block's start. */
export interface BlockInsn {
  op: Op;
  /** Register pair indices as the interpreter packs them: 2r, and 64 for rd = x0. */
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
  len: number;
  d: number;
}

/** Operations translated inline; everything else ends the block before it (the interpreter runs it). */
export function translatable(op: Op): boolean {
  switch (op) {
    case Op.LUI: case Op.AUIPC: case Op.JAL: case Op.JALR:
    case Op.BEQ: case Op.BNE: case Op.BLT: case Op.BGE: case Op.BLTU: case Op.BGEU:
    case Op.LB: case Op.LH: case Op.LW: case Op.LD: case Op.LBU: case Op.LHU: case Op.LWU:
    case Op.SB: case Op.SH: case Op.SW: case Op.SD:
    case Op.ADDI: case Op.SLTI: case Op.SLTIU: case Op.XORI: case Op.ORI: case Op.ANDI:
    case Op.SLLI: case Op.SRLI: case Op.SRAI:
    case Op.ADD: case Op.SUB: case Op.SLL: case Op.SLT: case Op.SLTU: case Op.XOR: case Op.SRL:
    case Op.SRA: case Op.OR: case Op.AND:
    case Op.ADDIW: case Op.SLLIW: case Op.SRLIW: case Op.SRAIW:
    case Op.ADDW: case Op.SUBW: case Op.SLLW: case Op.SRLW: case Op.SRAW:
    case Op.MUL: case Op.MULH: case Op.MULHSU: case Op.MULHU: case Op.DIV: case Op.DIVU: case Op.REM: case Op.REMU:
    case Op.MULW: case Op.DIVW: case Op.DIVUW: case Op.REMW: case Op.REMUW:
    case Op.FENCE:
      return true;
    default:
      return false;
  }
}

/**
 * Counter CSRs a block reads in place (csr.ts rows with `counter`: cycle, time, instret, mcycle,
 * minstret): a read that
 * writes nothing changes no interrupt or translation state, so the block goes on after it; the
 * interpreter returns to its run loop there (csrInstruction's kick), which finds nothing new.
 */
export function isCounterRead(op: Op, rs1: number, imm: number): boolean {
  return (op === Op.CSRRS || op === Op.CSRRC || op === Op.CSRRSI || op === Op.CSRRCI) && rs1 === 0 && csrCounter(imm & 0xfff) !== null;
}

export function isBranch(op: Op): boolean {
  return op >= Op.BEQ && op <= Op.BGEU;
}

/**
 * Deliberate translator bugs, for the lockstep tests only (they prove the lockstep mode catches
 * each kind of divergence the issue names). Never set outside those tests.
 */
export interface TranslatorFaults {
  /** Count one instruction too many after a taken branch. */
  instretAfterTakenBranch?: boolean;
  /** Run a block whose last instruction starts at the timer deadline (one instruction late). */
  interruptOneLate?: boolean;
  /** Forget to drop blocks when their code is stored to. */
  staleAfterStore?: boolean;
  /** WebAssembly only: the chain runner (wasm-chain.ts) runs the next block without checking that it ends before the next timer or device event. */
  chainPastEvent?: boolean;
}

const hex = (v: number) => (v < 0 ? '-0x' + (-v).toString(16) : '0x' + v.toString(16));

/** Signed 64-bit less-than of pairs (a, b) as a JS expression. */
function lt(a: number, b: string, bLo: string): string {
  return `(x[${a + 1}] < ${b} || (x[${a + 1}] === ${b} && (x[${a}] >>> 0) < (${bLo} >>> 0)))`;
}
function ltu(a: number, b: string, bLo: string): string {
  return `((x[${a + 1}] >>> 0) < (${b} >>> 0) || (x[${a + 1}] === ${b} && (x[${a}] >>> 0) < (${bLo} >>> 0)))`;
}

/** A shift of the pair at `s` by a constant `n` (0..63) into `rd`. */
function shiftConst(kind: 'l' | 'rl' | 'ra', rd: number, s: number, n: number): string {
  const lo = `x[${s}]`, hi = `x[${s + 1}]`;
  if (n === 0) return `{ const l = ${lo}, u = ${hi}; x[${rd}] = l; x[${rd + 1}] = u; }`;
  if (kind === 'l') {
    return n < 32
      ? `{ const l = ${lo}; x[${rd + 1}] = (${hi} << ${n}) | (l >>> ${32 - n}); x[${rd}] = l << ${n}; }`
      : `{ x[${rd + 1}] = ${lo} << ${n - 32}; x[${rd}] = 0; }`;
  }
  if (kind === 'rl') {
    return n < 32
      ? `{ const u = ${hi}; x[${rd}] = (${lo} >>> ${n}) | (u << ${32 - n}); x[${rd + 1}] = u >>> ${n}; }`
      : `{ x[${rd}] = ${hi} >>> ${n - 32}; x[${rd + 1}] = 0; }`;
  }
  return n < 32
    ? `{ const u = ${hi}; x[${rd}] = (${lo} >>> ${n}) | (u << ${32 - n}); x[${rd + 1}] = u >> ${n}; }`
    : `{ const u = ${hi}; x[${rd}] = u >> ${n - 32}; x[${rd + 1}] = u >> 31; }`;
}

/** Write a sign-extended 32-bit value expression `v` to rd. */
const w32 = (rd: number, v: string) => rd === 64 ? `${v};` : `{ const v = ${v}; x[${rd}] = v; x[${rd + 1}] = v >> 31; }`;

export interface EmitContext {
  /** Cycles of the block's instructions before instruction i, and instret before it. */
  cyclesBefore: number[];
}

/**
 * The body of a block function. `insns` are in execution order (a trace: a conditional branch
 * in the middle falls through to the next entry and leaves the block when taken; a `jal` in the
 * middle continues at its target, the next entry). A taken branch or jump back to the block's own
 * start runs the block again in place when it still fits (the dispatcher's check, repeated).
 */
export function emitBlock(insns: BlockInsn[], faults: TranslatorFaults): string {
  const n = insns.length;
  const before: number[] = [];
  let c = 0;
  for (const ins of insns) { before.push(c); c += OP_COST[ins.op]; }
  const total = c;
  const guard = total - OP_COST[insns[n - 1].op];
  const loops = insns.some((ins) => (isBranch(ins.op) || ins.op === Op.JAL) && ins.d + ins.imm === 0);
  const out: string[] = [];
  // Cycles and instructions of this pass already added to h.cycles and h.instret on the straight
  // path (a counter read needs them exact); every exit adds the rest.
  let cc = 0, ci = 0;
  const add = (cycles: number, insnCount: number) => `h.cycles += ${cycles - cc}; h.instret += ${insnCount - ci};`;
  const after = (i: number) => before[i] + OP_COST[insns[i].op];

  // Leave after instruction i, which completed; `next` is the pc expression after it.
  const exitAfter = (i: number, next: string) => `${add(after(i), i + 1)} h.pc = ${next}; return;`;
  // Before a call that may fault or touch time: the state the interpreter has at that instruction.
  const syncAt = (i: number) => `${add(after(i), i)} h.pc = pc0 + ${insns[i].d};`;
  // Instruction i transfers control to byte offset `target` (a taken branch, a jump): go round
  // again when that is the block's start, else leave. The deliberately broken translator counts
  // one instruction too many here.
  const transfer = (i: number, target: number) => {
    const counted = add(after(i), i + 1 + (faults.instretAfterTakenBranch ? 1 : 0));
    return target === 0 ? `${counted} ${loopBack(n, guard, faults)}` : `${counted} h.pc = pc0 + ${target}; return;`;
  };

  for (let i = 0; i < n; i++) {
    const ins = insns[i];
    const { op, rd, rs1, rs2, imm, len, d } = ins;
    const next = `pc0 + ${d + len}`;
    const isLast = i === n - 1;
    const X = (r: number) => `x[${r}]`;
    switch (op) {
      case Op.LUI: if (rd !== 64) out.push(`x[${rd}] = ${imm | 0}; x[${rd + 1}] = ${imm >> 31};`); break;
      case Op.AUIPC: if (rd !== 64) out.push(`{ const v = pc0 + ${d + imm}; x[${rd}] = v | 0; x[${rd + 1}] = floor(v / 4294967296) | 0; }`); break;
      case Op.FENCE: break;
      case Op.ADDI:
        if (rd === 64) break;
        if (imm === 0) { out.push(`{ const l = x[${rs1}], u = x[${rs1 + 1}]; x[${rd}] = l; x[${rd + 1}] = u; }`); break; }
        out.push(`{ const s = (x[${rs1}] >>> 0) + ${imm >>> 0}; x[${rd + 1}] = (x[${rs1 + 1}] + ${imm >> 31} + (s > 0xffffffff ? 1 : 0)) | 0; x[${rd}] = s | 0; }`);
        break;
      case Op.SLTI: if (rd !== 64) out.push(`x[${rd}] = ${lt(rs1, String(imm >> 31), String(imm | 0))} ? 1 : 0; x[${rd + 1}] = 0;`); break;
      case Op.SLTIU: if (rd !== 64) out.push(`x[${rd}] = ${ltu(rs1, String(imm >> 31), String(imm | 0))} ? 1 : 0; x[${rd + 1}] = 0;`); break;
      case Op.XORI: if (rd !== 64) out.push(`x[${rd + 1}] = x[${rs1 + 1}] ^ ${imm >> 31}; x[${rd}] = x[${rs1}] ^ ${imm | 0};`); break;
      case Op.ORI: if (rd !== 64) out.push(`x[${rd + 1}] = x[${rs1 + 1}] | ${imm >> 31}; x[${rd}] = x[${rs1}] | ${imm | 0};`); break;
      case Op.ANDI: if (rd !== 64) out.push(`x[${rd + 1}] = x[${rs1 + 1}] & ${imm >> 31}; x[${rd}] = x[${rs1}] & ${imm | 0};`); break;
      case Op.SLLI: if (rd !== 64) out.push(shiftConst('l', rd, rs1, imm)); break;
      case Op.SRLI: if (rd !== 64) out.push(shiftConst('rl', rd, rs1, imm)); break;
      case Op.SRAI: if (rd !== 64) out.push(shiftConst('ra', rd, rs1, imm)); break;
      case Op.ADD:
        if (rd !== 64) out.push(`{ const s = (x[${rs1}] >>> 0) + (x[${rs2}] >>> 0); x[${rd + 1}] = (x[${rs1 + 1}] + x[${rs2 + 1}] + (s > 0xffffffff ? 1 : 0)) | 0; x[${rd}] = s | 0; }`);
        break;
      case Op.SUB:
        if (rd !== 64) out.push(`{ const s = (x[${rs1}] >>> 0) - (x[${rs2}] >>> 0); x[${rd + 1}] = (x[${rs1 + 1}] - x[${rs2 + 1}] - (s < 0 ? 1 : 0)) | 0; x[${rd}] = s | 0; }`);
        break;
      case Op.SLL: if (rd !== 64) out.push(`sll(x, ${rd}, x[${rs1}], x[${rs1 + 1}], x[${rs2}] & 63);`); break;
      case Op.SRL: if (rd !== 64) out.push(`srl(x, ${rd}, x[${rs1}], x[${rs1 + 1}], x[${rs2}] & 63);`); break;
      case Op.SRA: if (rd !== 64) out.push(`sra(x, ${rd}, x[${rs1}], x[${rs1 + 1}], x[${rs2}] & 63);`); break;
      case Op.SLT: if (rd !== 64) out.push(`x[${rd}] = ${lt(rs1, X(rs2 + 1), X(rs2))} ? 1 : 0; x[${rd + 1}] = 0;`); break;
      case Op.SLTU: if (rd !== 64) out.push(`x[${rd}] = ${ltu(rs1, X(rs2 + 1), X(rs2))} ? 1 : 0; x[${rd + 1}] = 0;`); break;
      case Op.XOR: if (rd !== 64) out.push(`x[${rd + 1}] = x[${rs1 + 1}] ^ x[${rs2 + 1}]; x[${rd}] = x[${rs1}] ^ x[${rs2}];`); break;
      case Op.OR: if (rd !== 64) out.push(`x[${rd + 1}] = x[${rs1 + 1}] | x[${rs2 + 1}]; x[${rd}] = x[${rs1}] | x[${rs2}];`); break;
      case Op.AND: if (rd !== 64) out.push(`x[${rd + 1}] = x[${rs1 + 1}] & x[${rs2 + 1}]; x[${rd}] = x[${rs1}] & x[${rs2}];`); break;
      case Op.ADDIW: out.push(w32(rd, `(x[${rs1}] + ${imm | 0}) | 0`)); break;
      case Op.SLLIW: out.push(w32(rd, `x[${rs1}] << ${imm}`)); break;
      case Op.SRLIW: out.push(w32(rd, `(x[${rs1}] >>> ${imm}) | 0`)); break;
      case Op.SRAIW: out.push(w32(rd, `x[${rs1}] >> ${imm}`)); break;
      case Op.ADDW: out.push(w32(rd, `(x[${rs1}] + x[${rs2}]) | 0`)); break;
      case Op.SUBW: out.push(w32(rd, `(x[${rs1}] - x[${rs2}]) | 0`)); break;
      case Op.SLLW: out.push(w32(rd, `x[${rs1}] << (x[${rs2}] & 31)`)); break;
      case Op.SRLW: out.push(w32(rd, `(x[${rs1}] >>> (x[${rs2}] & 31)) | 0`)); break;
      case Op.SRAW: out.push(w32(rd, `x[${rs1}] >> (x[${rs2}] & 31)`)); break;
      case Op.MUL: out.push(`mul(x, ${rd}, ${rs1}, ${rs2});`); break;
      case Op.MULW: out.push(`mulw(x, ${rd}, ${rs1}, ${rs2});`); break;
      case Op.MULH: case Op.MULHSU: case Op.MULHU: case Op.DIV: case Op.DIVU: case Op.REM: case Op.REMU:
        out.push(`mulDiv64(x, ${op}, ${rd}, ${rs1}, ${rs2});`); break;
      case Op.DIVW: out.push(`divw(x, ${rd}, ${rs1}, ${rs2});`); break;
      case Op.DIVUW: out.push(`divuw(x, ${rd}, ${rs1}, ${rs2});`); break;
      case Op.REMW: out.push(`remw(x, ${rd}, ${rs1}, ${rs2});`); break;
      case Op.REMUW: out.push(`remuw(x, ${rd}, ${rs1}, ${rs2});`); break;

      case Op.LB: case Op.LH: case Op.LW: case Op.LD: case Op.LBU: case Op.LHU: case Op.LWU: {
        const size = op === Op.LB || op === Op.LBU ? 1 : op === Op.LH || op === Op.LHU ? 2 : op === Op.LD ? 8 : 4;
        const fast = size === 1 ? 'ram[o]' : size === 2 ? 'ram16[o >> 1]' : 'ram32[o >> 2]';
        const align = size === 1 ? 'true' : `(o & ${size - 1}) === 0`;
        const hiFast = size === 8 ? ' hi = ram32[(o >> 2) + 1];' : '';
        const write = (v: string, hiv: string) => {
          if (rd === 64) return '';
          switch (op) {
            case Op.LB: return `{ const s = (${v} << 24) >> 24; x[${rd}] = s; x[${rd + 1}] = s >> 31; }`;
            case Op.LH: return `{ const s = (${v} << 16) >> 16; x[${rd}] = s; x[${rd + 1}] = s >> 31; }`;
            case Op.LW: return `{ const s = ${v}; x[${rd}] = s; x[${rd + 1}] = s >> 31; }`;
            case Op.LD: return `x[${rd}] = ${v}; x[${rd + 1}] = ${hiv};`;
            case Op.LBU: return `x[${rd}] = ${v} & 0xff; x[${rd + 1}] = 0;`;
            case Op.LHU: return `x[${rd}] = ${v} & 0xffff; x[${rd + 1}] = 0;`;
            default: return `x[${rd}] = ${v}; x[${rd + 1}] = 0;`;
          }
        };
        out.push(`{ const va = x[${rs1 + 1}] * 4294967296 + (x[${rs1}] >>> 0) + ${imm | 0}; const vpn = floor(va * 0.000244140625);` +
          ` const e = h.setLoad + (vpn & ${TLB_MASK_SRC}); let v, hi = 0, o = 0;` +
          ` if (tlbTag[e] === vpn && (o = tlbOff[e] + (va - vpn * 4096), ${align})) { v = ${fast};${hiFast} }` +
          ` else { ${syncAt(i)} v = loadSlow(h, ${rs1}, ${imm | 0}, ${size}); ${write('v', 'h.rhi')} h.instret += 1; h.pc = ${next}; return; }` +
          ` ${write('v', 'hi')} }`);
        break;
      }
      case Op.SB: case Op.SH: case Op.SW: case Op.SD: {
        const size = op === Op.SB ? 1 : op === Op.SH ? 2 : op === Op.SD ? 8 : 4;
        const fast = size === 1 ? `ram[o] = x[${rs2}];` : size === 2 ? `ram16[o >> 1] = x[${rs2}];`
          : size === 4 ? `ram32[o >> 2] = x[${rs2}];` : `ram32[o >> 2] = x[${rs2}]; ram32[(o >> 2) + 1] = x[${rs2 + 1}];`;
        const align = size === 1 ? 'true' : `(o & ${size - 1}) === 0`;
        const written = faults.staleAfterStore
          ? `h.codeWrittenNoJit(o, ${size});`
          : `h.codeWritten(o, ${size});`;
        out.push(`{ const va = x[${rs1 + 1}] * 4294967296 + (x[${rs1}] >>> 0) + ${imm | 0}; const vpn = floor(va * 0.000244140625);` +
          ` const e = h.setStore + (vpn & ${TLB_MASK_SRC}); let o = 0;` +
          ` if (tlbTag[e] === vpn && (o = tlbOff[e] + (va - vpn * 4096), ${align})) { ${fast}` +
          ` if (codeFlag[o >>> 12] !== 0) { ${written} ${exitAfter(i, next)} } }` +
          ` else { ${syncAt(i)} storeSlow(h, ${rs1}, ${imm | 0}, ${size}, x[${rs2}], ${size === 8 ? `x[${rs2 + 1}]` : '0'}); h.instret += 1; h.pc = ${next}; return; } }`);
        break;
      }

      case Op.JAL: {
        const link = rd === 64 ? '' : `{ const l = pc0 + ${d + len}; x[${rd}] = l | 0; x[${rd + 1}] = floor(l / 4294967296) | 0; }`;
        // In the middle of a trace the jump's target is the next entry: nothing to do but link.
        out.push(isLast || d + imm === 0 ? `${link} ${transfer(i, d + imm)}` : link);
        continue;
      }
      case Op.JALR: {
        const link = rd === 64 ? '' : `x[${rd}] = l | 0; x[${rd + 1}] = floor(l / 4294967296) | 0;`;
        out.push(`{ const s = (x[${rs1}] >>> 0) + ${imm >>> 0}; const u = (x[${rs1 + 1}] + ${imm >> 31} + (s > 0xffffffff ? 1 : 0)) | 0;` +
          ` const lo = (s | 0) & ~1; const l = pc0 + ${d + len}; ${link}` +
          ` h.cycles += ${after(i) - cc};` +
          ` if (u >= -0x200000 && u < 0x200000) { h.instret += ${i + 1 - ci}; h.pc = u * 4294967296 + (lo >>> 0); return; }` +
          ` h.instret += ${i - ci}; h.pc = pc0 + ${d}; h.jumpFar(lo, u); return; }`);
        break;
      }
      case Op.BEQ: case Op.BNE: case Op.BLT: case Op.BGE: case Op.BLTU: case Op.BGEU: {
        let cond: string;
        switch (op) {
          case Op.BEQ: cond = `x[${rs1}] === x[${rs2}] && x[${rs1 + 1}] === x[${rs2 + 1}]`; break;
          case Op.BNE: cond = `x[${rs1}] !== x[${rs2}] || x[${rs1 + 1}] !== x[${rs2 + 1}]`; break;
          case Op.BLT: cond = lt(rs1, X(rs2 + 1), X(rs2)); break;
          case Op.BGE: cond = `!${lt(rs1, X(rs2 + 1), X(rs2))}`; break;
          case Op.BLTU: cond = ltu(rs1, X(rs2 + 1), X(rs2)); break;
          default: cond = `!${ltu(rs1, X(rs2 + 1), X(rs2))}`; break;
        }
        out.push(`if (${cond}) { ${transfer(i, d + imm)} }`);
        if (isLast) out.push(`${add(total, n)} h.pc = ${next}; return;`);
        continue;
      }
      case Op.CSRRS: case Op.CSRRC: case Op.CSRRSI: case Op.CSRRCI:
        if (!isCounterRead(op, rs1, imm)) throw new Error(`internal: no translation for CSR op ${op}`);
        // Exact pc, cycles and instret for the read (and for an illegal-instruction trap).
        out.push(`${syncAt(i)} csrReadInsn(h, ${imm & 0xfff}, ${rd}, pc0 + ${d}, ${len});`);
        cc = before[i] + OP_COST[op]; ci = i;
        if (isLast) out.push(`${add(total, n)} h.pc = ${next}; return;`);
        continue;
      default:
        throw new Error(`internal: no translation for op ${op}`);
    }
    if (isLast && op !== Op.JALR) out.push(`${add(total, n)} h.pc = ${next}; return;`);
  }
  const body = out.join('\n');
  return loops ? `for (;;) {\n${body}\n}` : body;
}

// Must equal cycle-model.ts's TLB_ENTRIES - 1 (block-cache.ts checks it at load).
export const TLB_MASK_SRC = 255;

/** A taken back-edge to the block's start: count the pass, then run it again if it still fits. */
function loopBack(n: number, guard: number, faults: TranslatorFaults): string {
  // The dispatcher's check (hart.ts loop): the last instruction must start before the limit.
  // The deliberately late variant lets it start at the limit.
  const cmp = faults.interruptOneLate ? '<=' : '<';
  return ` if (h.instret + ${n} <= h.insnLimit && h.cycles + ${guard} ${cmp} h.cycleLimit) continue;` +
    ` h.pc = pc0; return;`;
}

export { hex };
