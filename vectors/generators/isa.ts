// The `isa` suite: every RV64IMAC + Zicsr + Zifencei instruction with directed edge operands,
// and seeded random instruction streams. Each vector is a tiny program in M-mode that ends at an
// ebreak (observed without entering a handler); the expectation is the final architectural state.
// Where the specification allows other outcomes (a misaligned access that traps, the ebreak's
// tval), vectors/build.ts finds them by running the reference under each legal choice.

import { encode } from '../../reference/tools/disasm';
import { INSTRUCTIONS, InstructionRow } from '../../reference/machine/isa/opcodes';
import { hex64, StateInputs } from '../../reference/state';
import { EDGE_VALUES, Prng } from './prng';
import { unique } from './unique';

export const CODE_BASE = 0x80000000;
export const DATA_BASE = 0x80010000;
export const DATA_SIZE = 256;

export interface VectorDraft {
  title: string;
  tags: string[];
  spec: string;
  inputs: StateInputs;
  /** Memory to observe and compare. */
  observe?: { base: string; length: number }[];
  seed?: string;
}

const EBREAK = encode('ebreak');
const hexw = (w: number) => '0x' + (w >>> 0).toString(16).padStart(8, '0');
const SPEC_SECTION: Record<string, string> = {
  I: 'riscv-unpriv 20191213 ch.2/5 RV32I/RV64I Base Integer Instruction Set',
  M: 'riscv-unpriv 20191213 ch.7 "M" Standard Extension for Integer Multiplication and Division',
  A: 'riscv-unpriv 20191213 ch.8 "A" Standard Extension for Atomic Instructions',
  Zicsr: 'riscv-unpriv 20191213 ch.9 "Zicsr" Control and Status Register Instructions',
  Zifencei: 'riscv-unpriv 20191213 ch.3 "Zifencei" Instruction-Fetch Fence',
};
const TAG: Record<string, string> = { I: 'rv64i', M: 'm', A: 'a', Zicsr: 'zicsr', Zifencei: 'zifencei' };

function program(words: number[], x: Record<string, bigint>, extra: Partial<StateInputs> = {}, data?: Uint8Array): StateInputs {
  const all = [...words, EBREAK];
  // Short programs read best as words; long streams are stored as little-endian bytes.
  const code = all.length <= 16 ? { words: all.map(hexw) } : { bytes: Buffer.from(new Uint32Array(all).buffer).toString('hex') };
  const memory: StateInputs['memory'] = [{ base: hex64(BigInt(CODE_BASE)), ...code }];
  if (data) memory.push({ base: hex64(BigInt(DATA_BASE)), bytes: Buffer.from(data).toString('hex') });
  const xs: Record<string, string> = {};
  for (const [k, v] of Object.entries(x)) if (k !== 'x0') xs[k] = hex64(v);
  return { kind: 'state', memory, hart: { pc: hex64(BigInt(CODE_BASE)), priv: 'M', x: xs }, stop: { maxInsns: words.length + 8, onTrap: true }, ...extra };
}

function dataPattern(): Uint8Array {
  const d = new Uint8Array(DATA_SIZE);
  for (let i = 0; i < DATA_SIZE; i++) d[i] = (i * 0x9d + 0x5b) & 0xff;
  return d;
}

const rows = (fmt: string[], ext?: string) => INSTRUCTIONS.filter((r) => fmt.includes(r.format) && (ext === undefined || r.ext === ext));
const fmtVal = (v: bigint) => hex64(v);

function draft(row: InstructionRow, title: string, inputs: StateInputs, observe?: VectorDraft['observe']): VectorDraft {
  return { title: `${row.name}: ${title}`, tags: [TAG[row.ext] ?? 'rv64i', 'zicsr'].filter((t, i, a) => a.indexOf(t) === i && (t !== 'zicsr' || row.ext === 'Zicsr')), spec: `${SPEC_SECTION[row.ext]}/${row.name.toUpperCase()}`, inputs, observe };
}

/** Directed vectors: each instruction against the edge operand table. */
export function directedIsa(): Generator<VectorDraft> { return unique(directedIsaAll()); }
function* directedIsaAll(): Generator<VectorDraft> {
  // Register-register operations (I, M): all pairs of edge values, plus register aliasing forms.
  for (const row of rows(['R'])) {
    if (row.ext === 'A') continue;
    for (const a of EDGE_VALUES) for (const b of EDGE_VALUES) {
      yield draft(row, `x7 = ${fmtVal(a)} op ${fmtVal(b)}`, program([encode(row.name, { rd: 7, rs1: 5, rs2: 6 })], { x5: a, x6: b }));
    }
    for (const a of EDGE_VALUES.slice(0, 8)) {
      yield draft(row, `rd = rs1 = rs2 = ${fmtVal(a)}`, program([encode(row.name, { rd: 9, rs1: 9, rs2: 9 })], { x9: a }));
      yield draft(row, `rd = x0 discards ${fmtVal(a)}`, program([encode(row.name, { rd: 0, rs1: 9, rs2: 10 })], { x9: a, x10: 3n }));
    }
  }
  // Register-immediate operations.
  const imms = [0, 1, -1, 2047, -2048, 0x400, 0x555, -0x556, 31, 32];
  for (const row of rows(['I'])) {
    for (const a of EDGE_VALUES) for (const imm of imms) {
      yield draft(row, `x7 = ${fmtVal(a)} op ${imm}`, program([encode(row.name, { rd: 7, rs1: 5, imm })], { x5: a }));
    }
  }
  // Shifts by immediate: every amount for a few values (RV64 6-bit, W forms 5-bit).
  for (const row of rows(['SH6', 'SH5'])) {
    const max = row.format === 'SH6' ? 63 : 31;
    for (const a of [0x8000000000000001n, 0xfedcba9876543210n, 0x0000000080000000n, 0x7fffffffffffffffn]) {
      for (let s = 0; s <= max; s++) {
        yield draft(row, `${fmtVal(a)} by ${s}`, program([encode(row.name, { rd: 8, rs1: 8, imm: s })], { x8: a }));
      }
    }
  }
  // Upper immediates.
  for (const row of rows(['U'])) {
    for (const imm of [0, 0x1000, 0x7ffff000, 0x80000000 | 0, 0xfffff000 | 0, 0x12345000]) {
      yield draft(row, `imm ${hexw(imm)}`, program([encode(row.name, { rd: 11, imm })], {}));
    }
  }
  // Branches: signed and unsigned boundaries, taken and not taken (taken skips an addi).
  for (const row of rows(['B'])) {
    for (const a of EDGE_VALUES) for (const b of EDGE_VALUES.slice(0, 9)) {
      const words = [encode(row.name, { rs1: 5, rs2: 6, imm: 8 }), encode('addi', { rd: 7, rs1: 0, imm: 1 })];
      yield draft(row, `${fmtVal(a)} vs ${fmtVal(b)}`, program(words, { x5: a, x6: b }));
    }
    // Backward: taken on the first pass, not on the second.
    const down = row.name === 'bge' || row.name === 'bgeu';
    const limit = row.name === 'beq' ? 1n : 2n;
    const back = [encode('addi', { rd: 5, rs1: 5, imm: down ? -1 : 1 }), encode(row.name, { rs1: 5, rs2: 6, imm: -4 })];
    yield draft(row, 'backward branch taken once', program(back, { x5: down ? 3n : 0n, x6: limit }));
  }
  // Jumps: link values, JALR clears bit 0, rd = rs1.
  yield draft(rows(['J'])[0], 'forward +8, link in ra', program([encode('jal', { rd: 1, imm: 8 }), encode('addi', { rd: 7, rs1: 0, imm: 1 })], {}));
  yield draft(rows(['J'])[0], 'rd = x0', program([encode('jal', { rd: 0, imm: 8 }), encode('addi', { rd: 7, rs1: 0, imm: 1 })], {}));
  for (const [off, rs1v] of [[8, CODE_BASE], [9, CODE_BASE], [7, CODE_BASE + 1], [-4 + 12, CODE_BASE]] as const) {
    yield draft(rows(['JALR'])[0], `target ${hexw(rs1v)}+${off}`, program([encode('jalr', { rd: 1, rs1: 5, imm: off }), encode('addi', { rd: 7, rs1: 0, imm: 1 })], { x5: BigInt(rs1v) }));
  }
  yield draft(rows(['JALR'])[0], 'rd = rs1', program([encode('jalr', { rd: 5, rs1: 5, imm: 8 }), encode('addi', { rd: 7, rs1: 0, imm: 1 })], { x5: BigInt(CODE_BASE) }));
  // Loads and stores: each offset alignment in the data region, sign and zero extension.
  const data = dataPattern();
  const observe = [{ base: hex64(BigInt(DATA_BASE)), length: DATA_SIZE }];
  for (const row of rows(['LOAD'])) {
    for (const off of [0, 1, 2, 3, 4, 5, 6, 7, 0x7f, 0x80, 0xf8, 0xfe]) {
      yield { ...draft(row, `offset ${off}`, program([encode(row.name, { rd: 12, rs1: 13, imm: off })], { x13: BigInt(DATA_BASE) }, {}, data)) };
    }
    yield draft(row, 'negative offset', program([encode(row.name, { rd: 12, rs1: 13, imm: -16 })], { x13: BigInt(DATA_BASE + 64) }, {}, data));
    yield draft(row, 'rd = rs1', program([encode(row.name, { rd: 13, rs1: 13, imm: 8 })], { x13: BigInt(DATA_BASE) }, {}, data));
    yield draft(row, 'unmapped address: load access fault', program([encode(row.name, { rd: 12, rs1: 13, imm: 0 })], { x13: 0x300000n }));
  }
  for (const row of rows(['S'])) {
    for (const off of [0, 1, 2, 3, 4, 5, 6, 7, 0x80, 0xf8]) {
      for (const v of [0x0123456789abcdefn, 0xfedcba9876543210n]) {
        yield { ...draft(row, `offset ${off} value ${fmtVal(v)}`, program([encode(row.name, { rs1: 13, rs2: 14, imm: off })], { x13: BigInt(DATA_BASE), x14: v }, {}, data), observe) };
      }
    }
    yield draft(row, 'unmapped address: store access fault', program([encode(row.name, { rs1: 13, rs2: 14, imm: 0 })], { x13: 0x300000n, x14: 1n }));
  }
  // Atomics: LR/SC pairs, each AMO with edge operands, misalignment.
  for (const row of rows(['AMO', 'LR'])) {
    const wide = row.name.endsWith('.d');
    if (row.name.startsWith('lr.')) {
      yield draft(row, 'loads and reserves', program([encode(row.name, { rd: 12, rs1: 13 })], { x13: BigInt(DATA_BASE + 8) }, {}, data));
      yield draft(row, 'misaligned: load address misaligned', program([encode(row.name, { rd: 12, rs1: 13 })], { x13: BigInt(DATA_BASE + 2) }, {}, data));
      continue;
    }
    if (row.name.startsWith('sc.')) {
      const lr = wide ? 'lr.d' : 'lr.w';
      yield draft(row, 'after lr to the same address succeeds', program([encode(lr, { rd: 12, rs1: 13 }), encode(row.name, { rd: 15, rs1: 13, rs2: 14 })], { x13: BigInt(DATA_BASE + 8), x14: 0x1122334455667788n }, {}, data), observe);
      yield draft(row, 'without lr fails', program([encode(row.name, { rd: 15, rs1: 13, rs2: 14 })], { x13: BigInt(DATA_BASE + 8), x14: 7n }, {}, data), observe);
      yield draft(row, 'after lr to another address fails', program([encode(lr, { rd: 12, rs1: 16 }), encode(row.name, { rd: 15, rs1: 13, rs2: 14 })], { x13: BigInt(DATA_BASE + 8), x16: BigInt(DATA_BASE + 16), x14: 7n }, {}, data), observe);
      yield draft(row, 'second sc after one lr fails', program([encode(lr, { rd: 12, rs1: 13 }), encode(row.name, { rd: 15, rs1: 13, rs2: 14 }), encode(row.name, { rd: 17, rs1: 13, rs2: 14 })], { x13: BigInt(DATA_BASE + 8), x14: 9n }, {}, data), observe);
      continue;
    }
    for (const v of EDGE_VALUES.slice(0, 12)) {
      yield draft(row, `memory op ${fmtVal(v)}`, program([encode(row.name, { rd: 12, rs1: 13, rs2: 14 })], { x13: BigInt(DATA_BASE + 16), x14: v }, {}, data), observe);
    }
    // QEMU 7.2 reports a misaligned AMO as a load address misaligned exception (4); the
    // specification's cause table gives store/AMO address misaligned (6) or an access fault.
    const amoMis = draft(row, 'misaligned: store/AMO address misaligned', program([encode(row.name, { rd: 12, rs1: 13, rs2: 14 })], { x13: BigInt(DATA_BASE + 4 + (wide ? 0 : 2)), x14: 1n }, {}, data), observe);
    yield { ...amoMis, tags: [...amoMis.tags, 'qemu-divergence:amo-misaligned-cause'] };
    yield draft(row, 'rd = rs2', program([encode(row.name, { rd: 14, rs1: 13, rs2: 14 })], { x13: BigInt(DATA_BASE + 24), x14: 0x8000000000000001n }, {}, data), observe);
  }
  // System instructions in M-mode.
  yield draft(INSTRUCTIONS.find((r) => r.name === 'ecall')!, 'from M-mode: cause 11', program([encode('ecall')], {}));
  yield draft(INSTRUCTIONS.find((r) => r.name === 'fence')!, 'is a no-op', program([encode('fence', { imm: 0xff }), encode('addi', { rd: 7, rs1: 0, imm: 1 })], {}));
  yield draft(INSTRUCTIONS.find((r) => r.name === 'fence.i')!, 'makes a stored instruction visible', program([
    encode('sw', { rs1: 13, rs2: 14, imm: 12 }), encode('fence.i'), encode('addi', { rd: 7, rs1: 0, imm: 1 }), encode('addi', { rd: 7, rs1: 0, imm: 2 }),
  ], { x13: BigInt(CODE_BASE), x14: BigInt(encode('addi', { rd: 7, rs1: 0, imm: 5 })) }));
  for (const bitsV of [0x00000000, 0xffffffff, 0x0000007f, 0x02000033 | (3 << 25)]) {
    yield { title: `illegal encoding ${hexw(bitsV)}: illegal instruction, mtval = bits`, tags: ['rv64i'], spec: 'riscv-priv 1.12 3.1.15 Machine Cause Register/illegal instruction', inputs: program([bitsV], {}) };
  }
}

// ---- seeded random streams ---------------------------------------------------------------------

const ALU_R = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw', 'sraw',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw'];
const ALU_I = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw'];
const SHIFT_I = ['slli', 'srli', 'srai'];
const SHIFT_IW = ['slliw', 'srliw', 'sraiw'];
const LOADS = ['lb', 'lh', 'lw', 'ld', 'lbu', 'lhu', 'lwu'];
const STORES = ['sb', 'sh', 'sw', 'sd'];
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'];
const AMOS = ['amoswap', 'amoadd', 'amoxor', 'amoand', 'amoor', 'amomin', 'amomax', 'amominu', 'amomaxu'];
/** x31 holds the data base for memory operations and is never written; x30 is scratch for addresses. */
const BASE_REG = 31, ADDR_REG = 30;

/** A random straight-line-ish stream: forward branches and jumps only, so it always ends. */
export function randomStream(seed: number, length: number): VectorDraft {
  const rng = new Prng(BigInt(seed) * 0x100000001b3n + 0xcbf29ce484222325n);
  const reg = () => 1 + rng.below(29);
  // The stream is a list of blocks; branches and jumps land only on block boundaries, so an
  // address set up for an AMO or LR/SC is never skipped.
  const blocks: number[][] = [];
  let size = 0;
  const pendingJumps: { block: number; name: string; rd: number; rs1: number; rs2: number; skip: number }[] = [];
  while (size < length) {
    const k = rng.below(100);
    let b: number[];
    if (k < 35) b = [encode(rng.pick(ALU_R), { rd: reg(), rs1: reg(), rs2: reg() })];
    else if (k < 50) b = [encode(rng.pick(ALU_I), { rd: reg(), rs1: reg(), imm: rng.below(4096) - 2048 })];
    else if (k < 55) b = [encode(rng.pick(SHIFT_I), { rd: reg(), rs1: reg(), imm: rng.below(64) })];
    else if (k < 58) b = [encode(rng.pick(SHIFT_IW), { rd: reg(), rs1: reg(), imm: rng.below(32) })];
    else if (k < 60) b = [encode(rng.pick(['lui', 'auipc']), { rd: reg(), imm: (rng.below(1 << 20) << 12) | 0 })];
    else if (k < 70) b = [encode(rng.pick(LOADS), { rd: reg(), rs1: BASE_REG, imm: rng.below(DATA_SIZE - 8) })];
    else if (k < 80) b = [encode(rng.pick(STORES), { rs1: BASE_REG, rs2: reg(), imm: rng.below(DATA_SIZE - 8) })];
    else if (k < 91) {
      const jump = k >= 88;
      pendingJumps.push({ block: blocks.length, name: jump ? 'jal' : rng.pick(BRANCHES), rd: reg(), rs1: reg(), rs2: reg(), skip: 1 + rng.below(4) });
      b = [0];
    } else {
      const wide = rng.below(2) === 1;
      const off = wide ? 8 * rng.below(DATA_SIZE / 8) : 4 * rng.below(DATA_SIZE / 4);
      b = [encode('addi', { rd: ADDR_REG, rs1: BASE_REG, imm: off })];
      if (k < 97) b.push(encode(`${rng.pick(AMOS)}.${wide ? 'd' : 'w'}`, { rd: reg(), rs1: ADDR_REG, rs2: reg() }));
      else b.push(encode(wide ? 'lr.d' : 'lr.w', { rd: reg(), rs1: ADDR_REG }), encode(wide ? 'sc.d' : 'sc.w', { rd: reg(), rs1: ADDR_REG, rs2: reg() }));
    }
    blocks.push(b);
    size += b.length;
  }
  // Resolve forward branches and jumps to block starts (the end of the stream counts as one).
  const starts: number[] = [];
  let at = 0;
  for (const b of blocks) { starts.push(at); at += b.length; }
  starts.push(at);
  for (const j of pendingJumps) {
    const target = starts[Math.min(j.block + 1 + j.skip, blocks.length)];
    const imm = 4 * (target - starts[j.block]);
    blocks[j.block][0] = j.name === 'jal' ? encode('jal', { rd: j.rd, imm }) : encode(j.name, { rs1: j.rs1, rs2: j.rs2, imm });
  }
  const words = blocks.flat();
  const x: Record<string, bigint> = {};
  for (let r = 1; r < 30; r++) x['x' + r] = rng.interesting64();
  x['x' + BASE_REG] = BigInt(DATA_BASE);
  const data = new Uint8Array(DATA_SIZE);
  for (let i = 0; i < DATA_SIZE; i++) data[i] = rng.below(256);
  return {
    title: `random stream of ${words.length} instructions, seed ${seed}`,
    tags: ['rv64i', 'm', 'a', 'random'],
    spec: 'riscv-unpriv 20191213 ch.2,5,7,8 (mixed stream)',
    inputs: program(words, x, {}, data),
    observe: [{ base: hex64(BigInt(DATA_BASE)), length: DATA_SIZE }],
    seed: String(seed),
  };
}

export function* randomIsa(count: number, firstSeed = 1): Generator<VectorDraft> {
  for (let i = 0; i < count; i++) {
    const seed = firstSeed + i;
    const length = 50 + ((seed * 7919) % 951); // 50..1000
    yield randomStream(seed, length);
  }
}

// ---- RV64C ------------------------------------------------------------------------------------

import { COMPRESSED, decode16, Decoded } from '../../reference/machine/isa/decode';
import { Op } from '../../reference/machine/isa/opcodes';

const C_NOP = 0x0001;
const MEMORY_CROWS = new Set(['c.lw', 'c.ld', 'c.sw', 'c.sd', 'c.lwsp', 'c.ldsp', 'c.swsp', 'c.sdsp']);
const CONTROL_CROWS = new Set(['c.j', 'c.beqz', 'c.bnez', 'c.jr', 'c.jalr']);
const C_DATA_SIZE = 512;

/** Every halfword of a compressed row, decoded (reserved ones decode as illegal). */
function halfwordsOf(row: (typeof COMPRESSED)[number]): number[] {
  const out: number[] = [];
  for (let h = 0; h < 0x10000; h++) if ((h & row.mask) === row.match) out.push(h);
  return out;
}

function halfProgram(halves: number[], x: Record<string, bigint>, data?: Uint8Array): StateInputs {
  const bytes = Buffer.alloc(halves.length * 2 + 4);
  halves.forEach((h, i) => bytes.writeUInt16LE(h, i * 2));
  bytes.writeUInt32LE(EBREAK, halves.length * 2);
  const memory: StateInputs['memory'] = [{ base: hex64(BigInt(CODE_BASE)), bytes: bytes.toString('hex') }];
  if (data) memory.push({ base: hex64(BigInt(DATA_BASE)), bytes: Buffer.from(data).toString('hex') });
  const xs: Record<string, string> = {};
  for (const [k, v] of Object.entries(x)) xs[k] = hex64(v);
  return { kind: 'state', memory, hart: { pc: hex64(BigInt(CODE_BASE)), priv: 'M', x: xs }, stop: { maxInsns: halves.length + 8, onTrap: true } };
}

/** Each RV64C form: sampled encodings with operands from the edge table, and its reserved encodings. */
export function compressedIsa(perRow = 48): Generator<VectorDraft> { return unique(compressedIsaAll(perRow)); }
function* compressedIsaAll(perRow: number): Generator<VectorDraft> {
  const rng = new Prng(0xc0ffeen);
  const data = new Uint8Array(C_DATA_SIZE);
  for (let i = 0; i < C_DATA_SIZE; i++) data[i] = (i * 0x3b + 0x11) & 0xff;
  const observe = [{ base: hex64(BigInt(DATA_BASE)), length: C_DATA_SIZE }];
  const spec = 'riscv-unpriv 20191213 ch.16 "C" Standard Extension for Compressed Instructions';
  const d: Decoded = { op: Op.ILLEGAL, rd: 0, rs1: 0, rs2: 0, imm: 0, len: 2 };
  for (const row of COMPRESSED) {
    const all = halfwordsOf(row);
    const legal = all.filter((h) => decode16(h, d).op !== Op.ILLEGAL && d.cname === row.name);
    const reserved = all.filter((h) => decode16(h, d).op === Op.ILLEGAL);
    for (const h of reserved.slice(0, 4)) {
      yield { title: `${row.name}: reserved encoding 0x${h.toString(16).padStart(4, '0')} is illegal`, tags: ['c'], spec: `${spec}/${row.name}`, inputs: halfProgram([h], {}) };
    }
    if (CONTROL_CROWS.has(row.name)) {
      // Targets that stay inside the program: the next halfword or the final ebreak.
      for (const h of legal) {
        decode16(h, d);
        const isReg = row.name === 'c.jr' || row.name === 'c.jalr';
        if (!isReg && d.imm !== 4 && d.imm !== 6) continue;
        const x: Record<string, bigint> = {};
        for (let r = 1; r < 32; r++) x['x' + r] = isReg ? BigInt(CODE_BASE + 6) : (r % 3 === 0 ? 0n : BigInt(r));
        yield { title: `${row.name}: 0x${h.toString(16).padStart(4, '0')}`, tags: ['c'], spec: `${spec}/${row.name}`, inputs: halfProgram([h, C_NOP, C_NOP], x) };
      }
      continue;
    }
    // Distinct encodings per form: a repeated draw would be the same vector twice.
    const picked = new Set<number>();
    for (let k = 0; k < perRow && picked.size < legal.length; k++) {
      let h = legal[rng.below(legal.length)];
      while (picked.has(h)) h = legal[rng.below(legal.length)];
      picked.add(h);
      const x: Record<string, bigint> = {};
      const memoryRow = MEMORY_CROWS.has(row.name);
      for (let r = 1; r < 32; r++) x['x' + r] = memoryRow ? BigInt(DATA_BASE + (r & 7) * 8) : rng.interesting64();
      if (memoryRow) x.x2 = BigInt(DATA_BASE);
      yield { title: `${row.name}: 0x${h.toString(16).padStart(4, '0')} case ${k}`, tags: ['c'], spec: `${spec}/${row.name}`, inputs: halfProgram([h], x, memoryRow ? data : undefined), observe: memoryRow ? observe : undefined };
    }
  }
  yield { title: 'c: the all-zero halfword is illegal', tags: ['c'], spec: `${spec}/defined illegal instruction`, inputs: halfProgram([0x0000], {}) };
}
