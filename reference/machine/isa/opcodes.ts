// The one instruction table of the project. The decoder, the disassembler, the encoder used by
// the vector generators and the cycle model are all derived from these rows, so an encoding
// rule lives in exactly one place (RISC-V unprivileged spec 20191213, privileged spec 1.12,
// Smrnmi for MNRET).
//
// `Op` is a const enum so that the hart's dispatch `switch` compiles to integer literals.

export const enum Op {
  UNDECODED = 0,
  ILLEGAL,
  LUI, AUIPC, JAL, JALR,
  BEQ, BNE, BLT, BGE, BLTU, BGEU,
  LB, LH, LW, LD, LBU, LHU, LWU,
  SB, SH, SW, SD,
  ADDI, SLTI, SLTIU, XORI, ORI, ANDI, SLLI, SRLI, SRAI,
  ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND,
  ADDIW, SLLIW, SRLIW, SRAIW,
  ADDW, SUBW, SLLW, SRLW, SRAW,
  FENCE, FENCE_I,
  ECALL, EBREAK, MRET, SRET, MNRET, WFI, SFENCE_VMA,
  CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI,
  MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU,
  MULW, DIVW, DIVUW, REMW, REMUW,
  LR_W, SC_W, AMOSWAP_W, AMOADD_W, AMOXOR_W, AMOAND_W, AMOOR_W, AMOMIN_W, AMOMAX_W, AMOMINU_W, AMOMAXU_W,
  LR_D, SC_D, AMOSWAP_D, AMOADD_D, AMOXOR_D, AMOAND_D, AMOOR_D, AMOMIN_D, AMOMAX_D, AMOMINU_D, AMOMAXU_D,
  COUNT,
}

/** Operand layout of an encoding; decides field extraction, disassembly and encoding. */
export type Format =
  | 'R' | 'I' | 'LOAD' | 'S' | 'B' | 'U' | 'J' | 'JALR'
  | 'SH6' | 'SH5' | 'CSR' | 'CSRI' | 'AMO' | 'LR' | 'FENCE' | 'NONE' | 'SFENCE';

/** Cost class of the cycle model (see reference/machine/cycle-model.ts). */
export type CostClass = 'alu' | 'branch' | 'jump' | 'load' | 'store' | 'amo' | 'mul' | 'div' | 'csr' | 'system' | 'fence';

export type Extension = 'I' | 'M' | 'A' | 'Zicsr' | 'Zifencei' | 'Priv' | 'Smrnmi';

export interface InstructionRow {
  readonly op: Op;
  readonly name: string;
  readonly mask: number;
  readonly match: number;
  readonly format: Format;
  readonly ext: Extension;
  readonly cost: CostClass;
}

// Field masks of the base formats.
const OPC = 0x7f;
const F3 = 0x707f;
const F7 = 0xfe00707f;
const F6 = 0xfc00707f;
const AMO = 0xf800707f;
const LRM = 0xf9f0707f;
const EXACT = 0xffffffff;

function row(op: Op, name: string, mask: number, match: number, format: Format, ext: Extension, cost: CostClass): InstructionRow {
  return { op, name, mask: mask >>> 0, match: match >>> 0, format, ext, cost };
}
const r = (f7: number, f3: number, opc: number) => (f7 << 25) | (f3 << 12) | opc;
const i = (f3: number, opc: number) => (f3 << 12) | opc;
const amo = (f5: number, f3: number) => (f5 << 27) | (f3 << 12) | 0x2f;

export const INSTRUCTIONS: readonly InstructionRow[] = [
  row(Op.LUI, 'lui', OPC, 0x37, 'U', 'I', 'alu'),
  row(Op.AUIPC, 'auipc', OPC, 0x17, 'U', 'I', 'alu'),
  row(Op.JAL, 'jal', OPC, 0x6f, 'J', 'I', 'jump'),
  row(Op.JALR, 'jalr', F3, i(0, 0x67), 'JALR', 'I', 'jump'),
  row(Op.BEQ, 'beq', F3, i(0, 0x63), 'B', 'I', 'branch'),
  row(Op.BNE, 'bne', F3, i(1, 0x63), 'B', 'I', 'branch'),
  row(Op.BLT, 'blt', F3, i(4, 0x63), 'B', 'I', 'branch'),
  row(Op.BGE, 'bge', F3, i(5, 0x63), 'B', 'I', 'branch'),
  row(Op.BLTU, 'bltu', F3, i(6, 0x63), 'B', 'I', 'branch'),
  row(Op.BGEU, 'bgeu', F3, i(7, 0x63), 'B', 'I', 'branch'),
  row(Op.LB, 'lb', F3, i(0, 0x03), 'LOAD', 'I', 'load'),
  row(Op.LH, 'lh', F3, i(1, 0x03), 'LOAD', 'I', 'load'),
  row(Op.LW, 'lw', F3, i(2, 0x03), 'LOAD', 'I', 'load'),
  row(Op.LD, 'ld', F3, i(3, 0x03), 'LOAD', 'I', 'load'),
  row(Op.LBU, 'lbu', F3, i(4, 0x03), 'LOAD', 'I', 'load'),
  row(Op.LHU, 'lhu', F3, i(5, 0x03), 'LOAD', 'I', 'load'),
  row(Op.LWU, 'lwu', F3, i(6, 0x03), 'LOAD', 'I', 'load'),
  row(Op.SB, 'sb', F3, i(0, 0x23), 'S', 'I', 'store'),
  row(Op.SH, 'sh', F3, i(1, 0x23), 'S', 'I', 'store'),
  row(Op.SW, 'sw', F3, i(2, 0x23), 'S', 'I', 'store'),
  row(Op.SD, 'sd', F3, i(3, 0x23), 'S', 'I', 'store'),
  row(Op.ADDI, 'addi', F3, i(0, 0x13), 'I', 'I', 'alu'),
  row(Op.SLTI, 'slti', F3, i(2, 0x13), 'I', 'I', 'alu'),
  row(Op.SLTIU, 'sltiu', F3, i(3, 0x13), 'I', 'I', 'alu'),
  row(Op.XORI, 'xori', F3, i(4, 0x13), 'I', 'I', 'alu'),
  row(Op.ORI, 'ori', F3, i(6, 0x13), 'I', 'I', 'alu'),
  row(Op.ANDI, 'andi', F3, i(7, 0x13), 'I', 'I', 'alu'),
  row(Op.SLLI, 'slli', F6, i(1, 0x13), 'SH6', 'I', 'alu'),
  row(Op.SRLI, 'srli', F6, i(5, 0x13), 'SH6', 'I', 'alu'),
  row(Op.SRAI, 'srai', F6, (0x10 << 26) | i(5, 0x13), 'SH6', 'I', 'alu'),
  row(Op.ADD, 'add', F7, r(0, 0, 0x33), 'R', 'I', 'alu'),
  row(Op.SUB, 'sub', F7, r(0x20, 0, 0x33), 'R', 'I', 'alu'),
  row(Op.SLL, 'sll', F7, r(0, 1, 0x33), 'R', 'I', 'alu'),
  row(Op.SLT, 'slt', F7, r(0, 2, 0x33), 'R', 'I', 'alu'),
  row(Op.SLTU, 'sltu', F7, r(0, 3, 0x33), 'R', 'I', 'alu'),
  row(Op.XOR, 'xor', F7, r(0, 4, 0x33), 'R', 'I', 'alu'),
  row(Op.SRL, 'srl', F7, r(0, 5, 0x33), 'R', 'I', 'alu'),
  row(Op.SRA, 'sra', F7, r(0x20, 5, 0x33), 'R', 'I', 'alu'),
  row(Op.OR, 'or', F7, r(0, 6, 0x33), 'R', 'I', 'alu'),
  row(Op.AND, 'and', F7, r(0, 7, 0x33), 'R', 'I', 'alu'),
  row(Op.ADDIW, 'addiw', F3, i(0, 0x1b), 'I', 'I', 'alu'),
  row(Op.SLLIW, 'slliw', F7, r(0, 1, 0x1b), 'SH5', 'I', 'alu'),
  row(Op.SRLIW, 'srliw', F7, r(0, 5, 0x1b), 'SH5', 'I', 'alu'),
  row(Op.SRAIW, 'sraiw', F7, r(0x20, 5, 0x1b), 'SH5', 'I', 'alu'),
  row(Op.ADDW, 'addw', F7, r(0, 0, 0x3b), 'R', 'I', 'alu'),
  row(Op.SUBW, 'subw', F7, r(0x20, 0, 0x3b), 'R', 'I', 'alu'),
  row(Op.SLLW, 'sllw', F7, r(0, 1, 0x3b), 'R', 'I', 'alu'),
  row(Op.SRLW, 'srlw', F7, r(0, 5, 0x3b), 'R', 'I', 'alu'),
  row(Op.SRAW, 'sraw', F7, r(0x20, 5, 0x3b), 'R', 'I', 'alu'),
  row(Op.FENCE, 'fence', F3, i(0, 0x0f), 'FENCE', 'I', 'alu'),
  row(Op.FENCE_I, 'fence.i', F3, i(1, 0x0f), 'NONE', 'Zifencei', 'fence'),
  row(Op.ECALL, 'ecall', EXACT, 0x00000073, 'NONE', 'I', 'system'),
  row(Op.EBREAK, 'ebreak', EXACT, 0x00100073, 'NONE', 'I', 'system'),
  row(Op.SRET, 'sret', EXACT, 0x10200073, 'NONE', 'Priv', 'system'),
  row(Op.MRET, 'mret', EXACT, 0x30200073, 'NONE', 'Priv', 'system'),
  row(Op.MNRET, 'mnret', EXACT, 0x70200073, 'NONE', 'Smrnmi', 'system'),
  row(Op.WFI, 'wfi', EXACT, 0x10500073, 'NONE', 'Priv', 'system'),
  row(Op.SFENCE_VMA, 'sfence.vma', 0xfe007fff, 0x12000073, 'SFENCE', 'Priv', 'fence'),
  row(Op.CSRRW, 'csrrw', F3, i(1, 0x73), 'CSR', 'Zicsr', 'csr'),
  row(Op.CSRRS, 'csrrs', F3, i(2, 0x73), 'CSR', 'Zicsr', 'csr'),
  row(Op.CSRRC, 'csrrc', F3, i(3, 0x73), 'CSR', 'Zicsr', 'csr'),
  row(Op.CSRRWI, 'csrrwi', F3, i(5, 0x73), 'CSRI', 'Zicsr', 'csr'),
  row(Op.CSRRSI, 'csrrsi', F3, i(6, 0x73), 'CSRI', 'Zicsr', 'csr'),
  row(Op.CSRRCI, 'csrrci', F3, i(7, 0x73), 'CSRI', 'Zicsr', 'csr'),
  row(Op.MUL, 'mul', F7, r(1, 0, 0x33), 'R', 'M', 'mul'),
  row(Op.MULH, 'mulh', F7, r(1, 1, 0x33), 'R', 'M', 'mul'),
  row(Op.MULHSU, 'mulhsu', F7, r(1, 2, 0x33), 'R', 'M', 'mul'),
  row(Op.MULHU, 'mulhu', F7, r(1, 3, 0x33), 'R', 'M', 'mul'),
  row(Op.DIV, 'div', F7, r(1, 4, 0x33), 'R', 'M', 'div'),
  row(Op.DIVU, 'divu', F7, r(1, 5, 0x33), 'R', 'M', 'div'),
  row(Op.REM, 'rem', F7, r(1, 6, 0x33), 'R', 'M', 'div'),
  row(Op.REMU, 'remu', F7, r(1, 7, 0x33), 'R', 'M', 'div'),
  row(Op.MULW, 'mulw', F7, r(1, 0, 0x3b), 'R', 'M', 'mul'),
  row(Op.DIVW, 'divw', F7, r(1, 4, 0x3b), 'R', 'M', 'div'),
  row(Op.DIVUW, 'divuw', F7, r(1, 5, 0x3b), 'R', 'M', 'div'),
  row(Op.REMW, 'remw', F7, r(1, 6, 0x3b), 'R', 'M', 'div'),
  row(Op.REMUW, 'remuw', F7, r(1, 7, 0x3b), 'R', 'M', 'div'),
  row(Op.LR_W, 'lr.w', LRM, amo(0x02, 2), 'LR', 'A', 'amo'),
  row(Op.SC_W, 'sc.w', AMO, amo(0x03, 2), 'AMO', 'A', 'amo'),
  row(Op.AMOSWAP_W, 'amoswap.w', AMO, amo(0x01, 2), 'AMO', 'A', 'amo'),
  row(Op.AMOADD_W, 'amoadd.w', AMO, amo(0x00, 2), 'AMO', 'A', 'amo'),
  row(Op.AMOXOR_W, 'amoxor.w', AMO, amo(0x04, 2), 'AMO', 'A', 'amo'),
  row(Op.AMOAND_W, 'amoand.w', AMO, amo(0x0c, 2), 'AMO', 'A', 'amo'),
  row(Op.AMOOR_W, 'amoor.w', AMO, amo(0x08, 2), 'AMO', 'A', 'amo'),
  row(Op.AMOMIN_W, 'amomin.w', AMO, amo(0x10, 2), 'AMO', 'A', 'amo'),
  row(Op.AMOMAX_W, 'amomax.w', AMO, amo(0x14, 2), 'AMO', 'A', 'amo'),
  row(Op.AMOMINU_W, 'amominu.w', AMO, amo(0x18, 2), 'AMO', 'A', 'amo'),
  row(Op.AMOMAXU_W, 'amomaxu.w', AMO, amo(0x1c, 2), 'AMO', 'A', 'amo'),
  row(Op.LR_D, 'lr.d', LRM, amo(0x02, 3), 'LR', 'A', 'amo'),
  row(Op.SC_D, 'sc.d', AMO, amo(0x03, 3), 'AMO', 'A', 'amo'),
  row(Op.AMOSWAP_D, 'amoswap.d', AMO, amo(0x01, 3), 'AMO', 'A', 'amo'),
  row(Op.AMOADD_D, 'amoadd.d', AMO, amo(0x00, 3), 'AMO', 'A', 'amo'),
  row(Op.AMOXOR_D, 'amoxor.d', AMO, amo(0x04, 3), 'AMO', 'A', 'amo'),
  row(Op.AMOAND_D, 'amoand.d', AMO, amo(0x0c, 3), 'AMO', 'A', 'amo'),
  row(Op.AMOOR_D, 'amoor.d', AMO, amo(0x08, 3), 'AMO', 'A', 'amo'),
  row(Op.AMOMIN_D, 'amomin.d', AMO, amo(0x10, 3), 'AMO', 'A', 'amo'),
  row(Op.AMOMAX_D, 'amomax.d', AMO, amo(0x14, 3), 'AMO', 'A', 'amo'),
  row(Op.AMOMINU_D, 'amominu.d', AMO, amo(0x18, 3), 'AMO', 'A', 'amo'),
  row(Op.AMOMAXU_D, 'amomaxu.d', AMO, amo(0x1c, 3), 'AMO', 'A', 'amo'),
];

/** Row of each op, indexed by Op. */
export const ROW_OF: readonly InstructionRow[] = (() => {
  const rows: InstructionRow[] = [];
  for (const rw of INSTRUCTIONS) rows[rw.op] = rw;
  return rows;
})();

export const ROW_BY_NAME: ReadonlyMap<string, InstructionRow> = new Map(INSTRUCTIONS.map((rw) => [rw.name, rw]));
