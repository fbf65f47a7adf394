// Shared helpers for the hart unit tests. Expected values in the tests come from the RISC-V
// specifications; these helpers only build programs and drive the hart.

import { Hart, HartBus } from '../../reference/machine/hart';
import { encode, Operands } from '../../reference/tools/disasm';

export const RAM = 0x80000000;
export const RAMN = 0x80000000n;
export const RAM_SIZE = 1 << 20;
export const nobus: HartBus = { read: () => NaN, write: () => false, romAt: () => null };

export const MASK64 = (1n << 64n) - 1n;
export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
/** Sign-extend the low 32 bits to 64 and view as unsigned. */
export const sx32 = (v: bigint): bigint => u64(BigInt.asIntN(32, v));
export const INT64_MIN = 1n << 63n;
export const INT64_MAX = (1n << 63n) - 1n;

/** One program item: a 32-bit word, or `{ c: half }` for a 16-bit compressed instruction. */
export type Item = number | { c: number };

export const E = (name: string, o: Operands = {}): number => encode(name, o);
export const EBREAK = 0x00100073;
export const ECALL = 0x00000073;
export const MRET = 0x30200073;
export const SRET = 0x10200073;
export const WFI = 0x10500073;
export const NOP = 0x00000013;
/** jal x0, 0: a self loop, used as a trap handler the test can recognise by pc. */
export const SELF_LOOP = 0x0000006f;

export function assemble(items: Item[]): Uint8Array {
  const out: number[] = [];
  for (const it of items) {
    if (typeof it === 'number') {
      const w = it >>> 0;
      out.push(w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff);
    } else {
      out.push(it.c & 0xff, (it.c >>> 8) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/**
 * A hart as firmware leaves it: PMP entry 0 opens all memory to S and U (NAPOT over everything,
 * RWX), since S/U accesses that match no entry fail (privileged 1.12, 3.7.1). `pmpOpen: false`
 * keeps the reset state (every entry OFF) for tests about that rule.
 */
export function newHart(opts: { pmpOpen?: boolean } = {}): Hart {
  const h = new Hart(RAM, RAM_SIZE, nobus);
  h.setPc(RAMN);
  h.stopOnTrap = true;
  if (opts.pmpOpen ?? true) {
    h.writeCsr(0x3b0, (1n << 54n) - 1n); // pmpaddr0
    h.writeCsr(0x3a0, 0x1fn); // pmpcfg0: entry 0 NAPOT | R | W | X
  }
  return h;
}

export function load(h: Hart, pa: number, items: Item[]): void {
  if (!h.writeRam(pa, assemble(items))) throw new Error(`load outside RAM at ${pa.toString(16)}`);
}

export function w64(h: Hart, pa: number, v: bigint): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, u64(v), true);
  h.writeRam(pa, b);
}
export function r64(h: Hart, pa: number): bigint {
  return h.ramView.getBigUint64(pa - RAM, true);
}
export function r32(h: Hart, pa: number): number {
  return h.ramView.getUint32(pa - RAM, true);
}

export interface RunOpts {
  regs?: Record<number, bigint>;
  setup?: (h: Hart) => void;
  stopOnTrap?: boolean;
  max?: number;
}

/** Load `items` at RAM base, run until the first trap (normally the closing ebreak). */
export function run(items: Item[], opts: RunOpts = {}): Hart {
  const h = newHart();
  load(h, RAM, items);
  if (opts.regs) for (const [k, v] of Object.entries(opts.regs)) h.setX(Number(k), u64(v));
  h.stopOnTrap = opts.stopOnTrap ?? true;
  opts.setup?.(h);
  h.run(opts.max ?? 10000);
  return h;
}

/**
 * One instruction followed by ebreak on a reused hart: `exec(regs)` sets the registers,
 * runs from the start and returns the hart.
 */
export function single(insn: Item): (regs: Record<number, bigint>) => Hart {
  const h = newHart();
  load(h, RAM, [insn, EBREAK]);
  return (regs) => {
    h.x.fill(0);
    for (const [k, v] of Object.entries(regs)) h.setX(Number(k), u64(v));
    h.setPc(RAMN);
    h.lastTrap = null;
    h.run(100);
    return h;
  };
}

/** The trap the hart stopped on (stopOnTrap) as plain numbers-as-bigints. */
export function trapOf(h: Hart): { cause: bigint; tval: bigint; epc: bigint } {
  if (!h.lastTrap) throw new Error(`no trap recorded; pc=${h.getPc().toString(16)} stop=${h.stopReason}`);
  return h.lastTrap;
}

// ---- RV64C encoders written from the bit layouts of the unprivileged spec, chapter 16 ----

const b = (v: number, hi: number, lo = hi): number => (v >>> lo) & ((1 << (hi - lo + 1)) - 1);
const p = (r: number): number => {
  if (r < 8 || r > 15) throw new Error(`compressed register x${r} not in x8..x15`);
  return r - 8;
};

export const C = {
  addi4spn: (rd: number, imm: number) => ({ c: (0 << 13) | (b(imm, 5, 4) << 11) | (b(imm, 9, 6) << 7) | (b(imm, 2) << 6) | (b(imm, 3) << 5) | (p(rd) << 2) | 0 }),
  lw: (rd: number, rs1: number, imm: number) => ({ c: (2 << 13) | (b(imm, 5, 3) << 10) | (p(rs1) << 7) | (b(imm, 2) << 6) | (b(imm, 6) << 5) | (p(rd) << 2) | 0 }),
  ld: (rd: number, rs1: number, imm: number) => ({ c: (3 << 13) | (b(imm, 5, 3) << 10) | (p(rs1) << 7) | (b(imm, 7, 6) << 5) | (p(rd) << 2) | 0 }),
  sw: (rs1: number, rs2: number, imm: number) => ({ c: (6 << 13) | (b(imm, 5, 3) << 10) | (p(rs1) << 7) | (b(imm, 2) << 6) | (b(imm, 6) << 5) | (p(rs2) << 2) | 0 }),
  sd: (rs1: number, rs2: number, imm: number) => ({ c: (7 << 13) | (b(imm, 5, 3) << 10) | (p(rs1) << 7) | (b(imm, 7, 6) << 5) | (p(rs2) << 2) | 0 }),
  // CI format: imm[5] at bit 12, imm[4:0] at bits 6:2.
  addi: (rd: number, imm: number) => ({ c: (0 << 13) | (b(imm, 5) << 12) | (rd << 7) | (b(imm, 4, 0) << 2) | 1 }),
  addiw: (rd: number, imm: number) => ({ c: (1 << 13) | (b(imm, 5) << 12) | (rd << 7) | (b(imm, 4, 0) << 2) | 1 }),
  li: (rd: number, imm: number) => ({ c: (2 << 13) | (b(imm, 5) << 12) | (rd << 7) | (b(imm, 4, 0) << 2) | 1 }),
  addi16sp: (imm: number) => ({ c: (3 << 13) | (b(imm, 9) << 12) | (2 << 7) | (b(imm, 4) << 6) | (b(imm, 6) << 5) | (b(imm, 8, 7) << 3) | (b(imm, 5) << 2) | 1 }),
  /** imm is the 6-bit nzimm[17:12] field value (sign bit at 5). */
  lui: (rd: number, imm6: number) => ({ c: (3 << 13) | (b(imm6, 5) << 12) | (rd << 7) | (b(imm6, 4, 0) << 2) | 1 }),
  srli: (rd: number, sh: number) => ({ c: (4 << 13) | (b(sh, 5) << 12) | (0 << 10) | (p(rd) << 7) | (b(sh, 4, 0) << 2) | 1 }),
  srai: (rd: number, sh: number) => ({ c: (4 << 13) | (b(sh, 5) << 12) | (1 << 10) | (p(rd) << 7) | (b(sh, 4, 0) << 2) | 1 }),
  andi: (rd: number, imm: number) => ({ c: (4 << 13) | (b(imm, 5) << 12) | (2 << 10) | (p(rd) << 7) | (b(imm, 4, 0) << 2) | 1 }),
  // CA format: funct6 100011 (bit 12 = 0) for sub/xor/or/and, 100111 for subw/addw.
  ca: (f12: number, f2: number, rd: number, rs2: number) => ({ c: (4 << 13) | (f12 << 12) | (3 << 10) | (p(rd) << 7) | (f2 << 5) | (p(rs2) << 2) | 1 }),
  j: (off: number) => ({ c: (5 << 13) | cjField(off) | 1 }),
  beqz: (rs1: number, off: number) => ({ c: (6 << 13) | cbField(off) | (p(rs1) << 7) | 1 }),
  bnez: (rs1: number, off: number) => ({ c: (7 << 13) | cbField(off) | (p(rs1) << 7) | 1 }),
  slli: (rd: number, sh: number) => ({ c: (0 << 13) | (b(sh, 5) << 12) | (rd << 7) | (b(sh, 4, 0) << 2) | 2 }),
  lwsp: (rd: number, imm: number) => ({ c: (2 << 13) | (b(imm, 5) << 12) | (rd << 7) | (b(imm, 4, 2) << 4) | (b(imm, 7, 6) << 2) | 2 }),
  ldsp: (rd: number, imm: number) => ({ c: (3 << 13) | (b(imm, 5) << 12) | (rd << 7) | (b(imm, 4, 3) << 5) | (b(imm, 8, 6) << 2) | 2 }),
  jr: (rs1: number) => ({ c: (4 << 13) | (0 << 12) | (rs1 << 7) | (0 << 2) | 2 }),
  mv: (rd: number, rs2: number) => ({ c: (4 << 13) | (0 << 12) | (rd << 7) | (rs2 << 2) | 2 }),
  ebreak: () => ({ c: (4 << 13) | (1 << 12) | 2 }),
  jalr: (rs1: number) => ({ c: (4 << 13) | (1 << 12) | (rs1 << 7) | (0 << 2) | 2 }),
  add: (rd: number, rs2: number) => ({ c: (4 << 13) | (1 << 12) | (rd << 7) | (rs2 << 2) | 2 }),
  swsp: (rs2: number, imm: number) => ({ c: (6 << 13) | (b(imm, 5, 2) << 9) | (b(imm, 7, 6) << 7) | (rs2 << 2) | 2 }),
  sdsp: (rs2: number, imm: number) => ({ c: (7 << 13) | (b(imm, 5, 3) << 10) | (b(imm, 8, 6) << 7) | (rs2 << 2) | 2 }),
};

// CJ: offset[11|4|9:8|10|6|7|3:1|5] in bits 12:2.
function cjField(off: number): number {
  return (b(off, 11) << 12) | (b(off, 4) << 11) | (b(off, 9, 8) << 9) | (b(off, 10) << 8) |
    (b(off, 6) << 7) | (b(off, 7) << 6) | (b(off, 3, 1) << 3) | (b(off, 5) << 2);
}
// CB: offset[8|4:3] in bits 12:10, offset[7:6|2:1|5] in bits 6:2.
function cbField(off: number): number {
  return (b(off, 8) << 12) | (b(off, 4, 3) << 10) | (b(off, 7, 6) << 5) | (b(off, 2, 1) << 3) | (b(off, 5) << 2);
}

// ---- CSR numbers used by the tests (privileged spec 1.12, tables 2.2-2.5) ----
export const CSR = {
  cycle: 0xc00, time: 0xc01, instret: 0xc02, hpmcounter3: 0xc03,
  sstatus: 0x100, sie: 0x104, stvec: 0x105, scounteren: 0x106, senvcfg: 0x10a,
  sscratch: 0x140, sepc: 0x141, scause: 0x142, stval: 0x143, sip: 0x144, stimecmp: 0x14d, satp: 0x180,
  mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13, mhartid: 0xf14,
  mstatus: 0x300, misa: 0x301, medeleg: 0x302, mideleg: 0x303, mie: 0x304, mtvec: 0x305,
  mcounteren: 0x306, menvcfg: 0x30a, mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344,
  pmpcfg0: 0x3a0, pmpcfg2: 0x3a2, pmpaddr0: 0x3b0, mcycle: 0xb00, minstret: 0xb02,
};

// mstatus fields (privileged spec 1.12, figure 3.6)
export const MS = {
  SIE: 1n << 1n, MIE: 1n << 3n, SPIE: 1n << 5n, MPIE: 1n << 7n, SPP: 1n << 8n,
  MPP_SHIFT: 11n, MPP: 3n << 11n, MPRV: 1n << 17n, SUM: 1n << 18n, MXR: 1n << 19n,
  TVM: 1n << 20n, TW: 1n << 21n, TSR: 1n << 22n,
};

/** csrr rd, csr (csrrs rd, csr, x0). */
export const csrr = (rd: number, csr: number): number => E('csrrs', { rd, rs1: 0, csr });
/** csrw csr, rs (csrrw x0, csr, rs). */
export const csrw = (csr: number, rs1: number): number => E('csrrw', { rd: 0, rs1, csr });
