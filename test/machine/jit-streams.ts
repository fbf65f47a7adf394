// Seeded random instruction streams for the translator's lockstep tests: a loop of random
// integer, multiply/divide, load/store (aligned and not), forward-branch, MMIO (mtime) and counter CSR instructions
// that also rewrites one of its own instructions every pass, under a machine-timer interrupt
// re-armed every `step` ticks. It exercises what a translator can get wrong: instret and cycles
// per block, the exact instruction an interrupt lands on, side exits on slow accesses, and blocks
// that go stale when their code is stored to. Deterministic: a pure function of the seed.

import { Machine } from '../../reference/machine/machine';
import * as P from '../../reference/machine/devices/memory-map';
import { encode } from '../../reference/tools/disasm';
import { Prng } from '../../vectors/generators/prng';
import type { JitBackend } from '../../reference/machine/jit/block-cache';
import type { TranslatorFaults } from '../../reference/machine/jit/emit';

const R = { zero: 0, t2: 7, s0: 8, s1: 9, a0: 10, a5: 15, a6: 16, s3: 19, s4: 20, s5: 21, t3: 28, t4: 29, t5: 30, t6: 31 };
/** Registers the random body writes and reads (the loop's own registers are left alone). */
const POOL = [10, 11, 12, 13, 14, 17, 28, 31, 0]; // not a5: the rewritten instruction's result must stay visible
const ALU_RR = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw', 'sraw',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw'];
const ALU_RI = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw'];
const SHIFT6 = ['slli', 'srli', 'srai'];
const SHIFT5 = ['slliw', 'srliw', 'sraiw'];
const LOADS = ['lb', 'lh', 'lw', 'ld', 'lbu', 'lhu', 'lwu'];
const STORES = ['sb', 'sh', 'sw', 'sd'];
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'];

const HANDLER = 0x800;
const DATA = 0x8000;

export interface Stream { code: Uint32Array; patchAt: number; patchXor: number; step: number }

export function randomStream(seed: number): Stream {
  const r = new Prng(seed);
  const step = 2 + r.below(40);
  const n = 20 + r.below(60);
  const body: number[] = [];
  const reg = () => r.pick(POOL);
  for (let i = 0; i < n; i++) {
    const k = r.below(20);
    const left = n - i - 1;
    if (k < 6) body.push(encode(r.pick(ALU_RR), { rd: reg(), rs1: reg(), rs2: reg() }));
    else if (k < 9) body.push(encode(r.pick(ALU_RI), { rd: reg(), rs1: reg(), imm: r.below(4096) - 2048 }));
    else if (k < 10) body.push(encode(r.pick(SHIFT6), { rd: reg(), rs1: reg(), imm: r.below(64) }));
    else if (k < 11) body.push(encode(r.pick(SHIFT5), { rd: reg(), rs1: reg(), imm: r.below(32) }));
    else if (k < 12) body.push(encode(r.pick(['lui', 'auipc']), { rd: reg(), imm: (r.below(1 << 20) - (1 << 19)) << 12 }));
    else if (k < 14) body.push(encode(r.pick(LOADS), { rd: reg(), rs1: R.s5, imm: r.below(2000) }));
    else if (k < 16) body.push(encode(r.pick(STORES), { rs1: R.s5, rs2: reg(), imm: r.below(2000) }));
    else if (k < 18 && left >= 2) body.push(encode(r.pick(BRANCHES), { rs1: reg(), rs2: reg(), imm: 4 * (1 + r.below(Math.min(left, 4))) }));
    else if (k < 19) {
      // Time read mid-block: mtime through the device, or a counter CSR (cycle, time, instret).
      body.push(r.below(2) ? encode('ld', { rd: R.a6, rs1: R.s1 }) : encode('csrrs', { rd: reg(), csr: r.pick([0xc00, 0xc01, 0xc02, 0xb00, 0xb02]) }));
    }
    else body.push(encode('addi', { rd: reg(), rs1: reg(), imm: r.below(64) }));
  }
  const patchSlot = r.below(n);
  body[patchSlot] = encode('addi', { rd: R.a5, rs1: R.a5, imm: 1 });
  const patchXor = (encode('addi', { rd: R.a5, rs1: R.a5, imm: 1 }) ^ encode('addi', { rd: R.a5, rs1: R.a5, imm: -7 })) | 0;
  const arm = [
    encode('ld', { rd: R.t2, rs1: R.s1 }), encode('addi', { rd: R.t2, rs1: R.t2, imm: step }), encode('sd', { rs1: R.s0, rs2: R.t2 }),
  ];
  const code: number[] = [...arm];
  const loop = code.length;
  const patchAt = 4 * (loop + patchSlot);
  code.push(...body);
  // Rewrite the patched instruction (addi a5, a5, 1 <-> addi a5, a5, -7) every pass; half the
  // streams follow with fence.i, half rely on the hart seeing stores to code at once.
  code.push(encode('lw', { rd: R.t5, rs1: R.s3 }), encode('xor', { rd: R.t5, rs1: R.t5, rs2: R.t4 }), encode('sw', { rs1: R.s3, rs2: R.t5 }));
  if (seed % 2 === 0) code.push(encode('fence.i'));
  code.push(encode('jal', { rd: 0, imm: 4 * (loop - code.length) }));
  while (code.length < HANDLER / 4) code.push(0);
  code.push(...arm, encode('addi', { rd: R.s4, rs1: R.s4, imm: 1 }), encode('mret'));
  return { code: Uint32Array.from(code, (w) => w >>> 0), patchAt, patchXor, step };
}

/** A machine at the start of `stream` in M-mode with the timer interrupt enabled. */
export function streamMachine(s: Stream, jit: boolean, faults: TranslatorFaults = {}, hot = 2, backend?: JitBackend): Machine {
  const m = new Machine({ bios: null, ramSize: 1 << 20, deviceTree: false, jit: jit ? { hot, faults, backend } : false });
  const base = BigInt(P.RAM_BASE);
  m.loadBytes(base, new Uint8Array(s.code.buffer));
  const h = m.hart;
  h.setPc(base);
  h.setX(R.s0, BigInt(P.CLINT_BASE + 0x4000));
  h.setX(R.s1, BigInt(P.CLINT_BASE + 0xbff8));
  h.setX(R.s3, base + BigInt(s.patchAt));
  h.setX(R.t4, BigInt.asUintN(64, BigInt(s.patchXor)));
  h.setX(R.s5, base + BigInt(DATA));
  for (const [i, r] of POOL.entries()) if (r !== 0) h.setX(r, BigInt.asUintN(64, BigInt(0x1234567 * (i + 1)) << BigInt(i * 3)));
  h.writeCsr(0x305, base + BigInt(HANDLER)); // mtvec
  h.writeCsr(0x304, 1n << 7n); // mie.MTIE
  h.writeCsr(0x300, 1n << 3n); // mstatus.MIE
  return m;
}

/**
 * A loop of `k` addi instructions under a machine-timer interrupt re-armed every `step` ticks:
 * no memory access, no self-modification, so the loop runs as one block going round in place (or,
 * `chained`, as two blocks of `k` the chain runner runs one after the other) and
 * every pass boundary meets the timer deadline at some step. The deliberately late translator
 * (one more instruction before the interrupt) shows on some (step, k); random streams, whose
 * blocks mostly leave early, meet that case rarely.
 */
export function timerLoop(step: number, k: number, chained = false): Stream {
  const arm = [
    encode('ld', { rd: R.t2, rs1: R.s1 }), encode('addi', { rd: R.t2, rs1: R.t2, imm: step }), encode('sd', { rs1: R.s0, rs2: R.t2 }),
  ];
  const code: number[] = [...arm];
  const loop = code.length;
  for (let i = 0; i < k; i++) code.push(encode('addi', { rd: POOL[i % 4], rs1: POOL[(i + 1) % 4], imm: i + 1 }));
  if (chained) {
    // An always-taken branch to the next instruction: the loop is two blocks that the
    // WebAssembly chain runner runs one after the other, each checked against the deadline there.
    code.push(encode('beq', { rs1: 0, rs2: 0, imm: 4 }));
    for (let i = 0; i < k; i++) code.push(encode('addi', { rd: POOL[(i + 2) % 4], rs1: POOL[(i + 3) % 4], imm: i + 2 }));
  }
  code.push(encode('jal', { rd: 0, imm: 4 * (loop - code.length) }));
  while (code.length < HANDLER / 4) code.push(0);
  code.push(...arm, encode('addi', { rd: R.s4, rs1: R.s4, imm: 1 }), encode('mret'));
  return { code: Uint32Array.from(code, (w) => w >>> 0), patchAt: DATA, patchXor: 0, step };
}

/**
 * A loop of every division and remainder (64-bit and *W) on the M extension's edge operands:
 * by zero, and the most negative value (64- and 32-bit) by -1, where WebAssembly's own division
 * would trap. Every result is added into t1, so a wrong one shows in the state lockstep compares.
 */
export function divisionEdges(): Stream {
  const code: number[] = [
    encode('addi', { rd: 10, rs1: 0, imm: 1 }), encode('slli', { rd: 10, rs1: 10, imm: 63 }),   // a0 = INT64_MIN
    encode('addi', { rd: 11, rs1: 0, imm: -1 }),                                                // a1 = -1
    encode('lui', { rd: 12, imm: -0x80000000 }),                                               // a2 = INT32_MIN (sign-extended)
    encode('addi', { rd: 13, rs1: 0, imm: 7 }),                                                 // a3 = 7
  ];
  const loop = code.length;
  for (const op of ['div', 'divu', 'rem', 'remu', 'divw', 'divuw', 'remw', 'remuw']) {
    for (const [rs1, rs2] of [[10, 11], [12, 11], [13, 0], [10, 0], [12, 13]]) {
      code.push(encode(op, { rd: 5, rs1, rs2 }), encode('add', { rd: 6, rs1: 6, rs2: 5 }), encode('slli', { rd: 6, rs1: 6, imm: 1 }));
    }
  }
  code.push(encode('jal', { rd: 0, imm: 4 * (loop - code.length) }));
  while (code.length < HANDLER / 4) code.push(0);
  code.push(encode('mret'));
  return { code: Uint32Array.from(code, (w) => w >>> 0), patchAt: DATA, patchXor: 0, step: 1000 };
}
