// RV64I and RV64M instruction semantics (unprivileged spec 20191213, chapters 2, 5 and 7).
// Expected values come from small BigInt models written from the spec text, plus hand-worked
// constants for the edge cases the spec names explicitly (division table 7.1).

import { E, EBREAK, INT64_MAX, INT64_MIN, RAMN, run, s64, single, sx32, trapOf, u64, w64, r64, newHart, load, RAM } from './helpers';

const EDGES: bigint[] = [
  0n, 1n, u64(-1n), 2n, u64(-2n), INT64_MIN, INT64_MAX, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0x100000000n, u64(-0x80000000n), u64(-0x80000001n), 0x123456789abcdef0n, 0xfedcba9876543210n, 3n, u64(-3n), 7n,
];

const sh = (v: bigint) => Number(v & 63n);
const sh5 = (v: bigint) => Number(v & 31n);
const lo32 = (v: bigint) => v & 0xffffffffn;

// Register-register models: rs1, rs2 unsigned 64-bit in, unsigned 64-bit out.
const RR: Record<string, (a: bigint, b: bigint) => bigint> = {
  add: (a, b) => u64(a + b),
  sub: (a, b) => u64(a - b),
  sll: (a, b) => u64(a << BigInt(sh(b))),
  slt: (a, b) => (s64(a) < s64(b) ? 1n : 0n),
  sltu: (a, b) => (a < b ? 1n : 0n),
  xor: (a, b) => a ^ b,
  srl: (a, b) => a >> BigInt(sh(b)),
  sra: (a, b) => u64(s64(a) >> BigInt(sh(b))),
  or: (a, b) => a | b,
  and: (a, b) => a & b,
  addw: (a, b) => sx32(a + b),
  subw: (a, b) => sx32(a - b),
  sllw: (a, b) => sx32(a << BigInt(sh5(b))),
  srlw: (a, b) => sx32(lo32(a) >> BigInt(sh5(b))),
  sraw: (a, b) => sx32(u64(BigInt.asIntN(32, a) >> BigInt(sh5(b)))),
  mul: (a, b) => u64(a * b),
  mulh: (a, b) => u64((s64(a) * s64(b)) >> 64n),
  mulhsu: (a, b) => u64((s64(a) * b) >> 64n),
  mulhu: (a, b) => u64((a * b) >> 64n),
  // Division: table 7.1. Quotient rounds toward zero; x/0 = -1, x%0 = x; MIN/-1 = MIN, MIN%-1 = 0.
  div: (a, b) => (b === 0n ? u64(-1n) : s64(a) === -INT64_MIN && s64(b) === -1n ? a : u64(divT(s64(a), s64(b)))),
  divu: (a, b) => (b === 0n ? u64(-1n) : a / b),
  rem: (a, b) => (b === 0n ? a : u64(s64(a) - divT(s64(a), s64(b)) * s64(b))),
  remu: (a, b) => (b === 0n ? a : a % b),
  mulw: (a, b) => sx32(a * b),
  divw: (a, b) => {
    const x = BigInt.asIntN(32, a), y = BigInt.asIntN(32, b);
    return y === 0n ? u64(-1n) : sx32(divT(x, y));
  },
  divuw: (a, b) => (lo32(b) === 0n ? u64(-1n) : sx32(lo32(a) / lo32(b))),
  remw: (a, b) => {
    const x = BigInt.asIntN(32, a), y = BigInt.asIntN(32, b);
    return y === 0n ? sx32(x) : sx32(x - divT(x, y) * y);
  },
  remuw: (a, b) => (lo32(b) === 0n ? sx32(a) : sx32(lo32(a) % lo32(b))),
};
// Truncating division (BigInt division already truncates toward zero).
function divT(a: bigint, b: bigint): bigint { return a / b; }

describe('RV64I/M register-register over edge operands', () => {
  for (const [name, model] of Object.entries(RR)) {
    test(name, () => {
      const ex = single(E(name, { rd: 10, rs1: 11, rs2: 12 }));
      const shifts = name.match(/^s(ll|rl|ra)/) ? [0n, 1n, 31n, 32n, 63n, 64n + 5n, u64(-1n)] : [];
      for (const a of EDGES) {
        for (const b of [...EDGES, ...shifts]) {
          const h = ex({ 11: a, 12: b });
          const got = h.getX(10);
          const want = model(a, b);
          if (got !== want) throw new Error(`${name} ${a.toString(16)}, ${b.toString(16)}: got ${got.toString(16)} want ${want.toString(16)}`);
        }
      }
    });
  }
});

describe('M extension: the named corner cases of table 7.1', () => {
  const one = (name: string, a: bigint, b: bigint) => single(E(name, { rd: 10, rs1: 11, rs2: 12 }))({ 11: a, 12: b }).getX(10);
  test('div/rem by zero', () => {
    expect(one('div', 7n, 0n)).toBe(u64(-1n));
    expect(one('divu', 7n, 0n)).toBe(u64(-1n));
    expect(one('rem', u64(-7n), 0n)).toBe(u64(-7n));
    expect(one('remu', 7n, 0n)).toBe(7n);
    expect(one('divw', 7n, 0x100000000n)).toBe(u64(-1n)); // only the low 32 bits of the divisor count
    expect(one('divuw', 7n, 0n)).toBe(u64(-1n));
    expect(one('remw', 0x80000000n, 0n)).toBe(u64(-0x80000000n)); // dividend sign-extended from 32 bits
    expect(one('remuw', 0xfffffff0n, 0n)).toBe(u64(-16n));
  });
  test('signed overflow', () => {
    expect(one('div', INT64_MIN, u64(-1n))).toBe(INT64_MIN);
    expect(one('rem', INT64_MIN, u64(-1n))).toBe(0n);
    expect(one('divw', 0x80000000n, u64(-1n))).toBe(u64(-0x80000000n));
    expect(one('remw', 0x80000000n, u64(-1n))).toBe(0n);
  });
  test('rounding toward zero and remainder sign follows dividend', () => {
    expect(one('div', u64(-7n), 2n)).toBe(u64(-3n));
    expect(one('rem', u64(-7n), 2n)).toBe(u64(-1n));
    expect(one('rem', 7n, u64(-2n))).toBe(1n);
    expect(one('divw', u64(-7n), 2n)).toBe(u64(-3n));
    expect(one('remw', u64(-7n), 2n)).toBe(u64(-1n));
  });
  test('MULH family on negative values', () => {
    expect(one('mulh', u64(-1n), u64(-1n))).toBe(0n);
    expect(one('mulhu', u64(-1n), u64(-1n))).toBe(u64(-2n));
    expect(one('mulhsu', u64(-1n), u64(-1n))).toBe(u64(-1n));
    expect(one('mulh', INT64_MIN, INT64_MIN)).toBe(1n << 62n);
    // (-2^63 * (2^64 - 1)) >> 64 = floor(-2^63 + 1/2) = -2^63
    expect(one('mulhsu', INT64_MIN, u64(-1n))).toBe(INT64_MIN);
    expect(one('mulhsu', 2n, u64(-1n))).toBe(1n);
    expect(one('mulh', u64(-2n), 3n)).toBe(u64(-1n));
    expect(one('mulhu', 0xffffffffn, 0xffffffffn)).toBe(0n);
    expect(one('mulw', 0x80000000n, 2n)).toBe(0n);
    expect(one('mulw', 0x7fffffffn, 2n)).toBe(u64(-2n));
  });
});

// Register-immediate models (imm is the sign-extended 12-bit immediate, or the shift amount).
const RI: Record<string, { model: (a: bigint, i: number) => bigint; imms: number[] }> = {
  addi: { model: (a, i) => u64(a + BigInt(i)), imms: [0, 1, -1, 2047, -2048] },
  slti: { model: (a, i) => (s64(a) < BigInt(i) ? 1n : 0n), imms: [0, 1, -1, 2047, -2048] },
  sltiu: { model: (a, i) => (a < u64(BigInt(i)) ? 1n : 0n), imms: [0, 1, -1, 2047, -2048] },
  xori: { model: (a, i) => a ^ u64(BigInt(i)), imms: [0, 1, -1, 2047, -2048] },
  ori: { model: (a, i) => a | u64(BigInt(i)), imms: [0, 1, -1, 2047, -2048] },
  andi: { model: (a, i) => a & u64(BigInt(i)), imms: [0, 1, -1, 2047, -2048] },
  slli: { model: (a, i) => u64(a << BigInt(i)), imms: [0, 1, 31, 32, 63] },
  srli: { model: (a, i) => a >> BigInt(i), imms: [0, 1, 31, 32, 63] },
  srai: { model: (a, i) => u64(s64(a) >> BigInt(i)), imms: [0, 1, 31, 32, 63] },
  addiw: { model: (a, i) => sx32(a + BigInt(i)), imms: [0, 1, -1, 2047, -2048] },
  slliw: { model: (a, i) => sx32(a << BigInt(i)), imms: [0, 1, 31] },
  srliw: { model: (a, i) => sx32(lo32(a) >> BigInt(i)), imms: [0, 1, 31] },
  sraiw: { model: (a, i) => sx32(u64(BigInt.asIntN(32, a) >> BigInt(i))), imms: [0, 1, 31] },
};

describe('RV64I register-immediate over edge operands', () => {
  for (const [name, { model, imms }] of Object.entries(RI)) {
    test(name, () => {
      for (const i of imms) {
        const ex = single(E(name, { rd: 10, rs1: 11, imm: i }));
        for (const a of EDGES) {
          const got = ex({ 11: a }).getX(10);
          const want = model(a, i);
          if (got !== want) throw new Error(`${name} ${a.toString(16)}, ${i}: got ${got.toString(16)} want ${want.toString(16)}`);
        }
      }
    });
  }
  test('addiw sign-extends: 0x7fffffff + 1 = 0xffffffff80000000', () => {
    expect(single(E('addiw', { rd: 10, rs1: 11, imm: 1 }))({ 11: 0x7fffffffn }).getX(10)).toBe(0xffffffff80000000n);
  });
  test('addiw rd, rs, 0 (sext.w) of 0xffffffff is -1', () => {
    expect(single(E('addiw', { rd: 10, rs1: 11, imm: 0 }))({ 11: 0xffffffffn }).getX(10)).toBe(u64(-1n));
  });
  test('slli/srli/srai by 32 and 63 hand values', () => {
    expect(single(E('slli', { rd: 10, rs1: 11, imm: 63 }))({ 11: 1n }).getX(10)).toBe(INT64_MIN);
    expect(single(E('srai', { rd: 10, rs1: 11, imm: 63 }))({ 11: INT64_MIN }).getX(10)).toBe(u64(-1n));
    expect(single(E('srli', { rd: 10, rs1: 11, imm: 63 }))({ 11: INT64_MIN }).getX(10)).toBe(1n);
    expect(single(E('srai', { rd: 10, rs1: 11, imm: 32 }))({ 11: 0x8000000000000000n }).getX(10)).toBe(0xffffffff80000000n);
    expect(single(E('sraiw', { rd: 10, rs1: 11, imm: 31 }))({ 11: 0x80000000n }).getX(10)).toBe(u64(-1n));
    expect(single(E('srliw', { rd: 10, rs1: 11, imm: 0 }))({ 11: 0x80000000n }).getX(10)).toBe(0xffffffff80000000n);
  });
  test('slliw/srliw/sraiw with shamt[5] set are illegal (reserved in RV64)', () => {
    for (const name of ['slliw', 'srliw', 'sraiw']) {
      const w = (E(name, { rd: 10, rs1: 11, imm: 1 }) | (1 << 25)) >>> 0;
      const h = run([w, EBREAK]);
      expect(trapOf(h)).toEqual({ cause: 2n, tval: BigInt(w), epc: RAMN });
    }
  });
});

describe('x0 and register aliasing', () => {
  test('x0 as destination stays zero for ALU, load, jal, lui', () => {
    const h = run([
      E('addi', { rd: 0, rs1: 0, imm: 5 }),
      E('lui', { rd: 0, imm: 0x12345000 }),
      E('ld', { rd: 0, rs1: 11, imm: 0 }),
      E('jal', { rd: 0, imm: 4 }),
      E('add', { rd: 10, rs1: 0, rs2: 0 }),
      EBREAK,
    ], { regs: { 11: RAMN } });
    expect(h.getX(0)).toBe(0n);
    expect(h.getX(10)).toBe(0n);
    expect(trapOf(h).epc).toBe(RAMN + 20n);
  });
  test('rd == rs1 == rs2', () => {
    expect(single(E('add', { rd: 5, rs1: 5, rs2: 5 }))({ 5: 0x4000000000000001n }).getX(5)).toBe(0x8000000000000002n);
    expect(single(E('sub', { rd: 5, rs1: 5, rs2: 5 }))({ 5: 0x1234n }).getX(5)).toBe(0n);
    expect(single(E('mul', { rd: 5, rs1: 5, rs2: 5 }))({ 5: 0x100000001n }).getX(5)).toBe(0x200000001n);
    expect(single(E('mulhu', { rd: 5, rs1: 5, rs2: 5 }))({ 5: u64(-1n) }).getX(5)).toBe(u64(-2n));
    expect(single(E('div', { rd: 5, rs1: 5, rs2: 5 }))({ 5: u64(-9n) }).getX(5)).toBe(1n);
    expect(single(E('sll', { rd: 5, rs1: 5, rs2: 5 }))({ 5: 33n }).getX(5)).toBe(33n << 33n);
  });
});

describe('LUI, AUIPC, JAL, JALR', () => {
  test('LUI with negative immediate sign-extends to 64 bits', () => {
    const h = run([E('lui', { rd: 10, imm: 0x80000000 | 0 }), E('lui', { rd: 11, imm: 0xfffff000 | 0 }), E('lui', { rd: 12, imm: 0x7ffff000 }), EBREAK]);
    expect(h.getX(10)).toBe(0xffffffff80000000n);
    expect(h.getX(11)).toBe(u64(-4096n));
    expect(h.getX(12)).toBe(0x7ffff000n);
  });
  test('AUIPC adds the sign-extended immediate to its own pc', () => {
    const h = run([NOPW, E('auipc', { rd: 10, imm: 0xfffff000 | 0 }), E('auipc', { rd: 11, imm: 0x1000 }), E('auipc', { rd: 12, imm: 0x80000000 | 0 }), EBREAK]);
    expect(h.getX(10)).toBe(RAMN + 4n - 4096n);
    expect(h.getX(11)).toBe(RAMN + 8n + 4096n);
    expect(h.getX(12)).toBe(u64(RAMN + 12n - 0x80000000n));
  });
  test('JAL links pc+4 and jumps forward and backward', () => {
    // 0: jal ra, +12 ; 4: ebreak ; 8: ebreak ; 12: jal t0, -8 -> lands at 4
    const h = run([E('jal', { rd: 1, imm: 12 }), EBREAK, EBREAK, E('jal', { rd: 5, imm: -8 }), EBREAK]);
    expect(h.getX(1)).toBe(RAMN + 4n);
    expect(h.getX(5)).toBe(RAMN + 16n);
    expect(trapOf(h).epc).toBe(RAMN + 4n);
  });
  test('JALR clears bit 0 of the target, links pc+4, and rd == rs1 uses the old rs1', () => {
    const h = run([E('jalr', { rd: 6, rs1: 6, imm: 3 }), EBREAK, EBREAK, EBREAK], { regs: { 6: RAMN + 6n } });
    // target = (RAM+6+3) & ~1 = RAM+8
    expect(trapOf(h).epc).toBe(RAMN + 8n);
    expect(h.getX(6)).toBe(RAMN + 4n);
  });
  test('JALR negative offset', () => {
    const h = run([EBREAK, E('jalr', { rd: 1, rs1: 7, imm: -8 }), EBREAK], { regs: { 7: RAMN + 8n }, setup: (hh) => hh.setPc(RAMN + 4n) });
    expect(trapOf(h).epc).toBe(RAMN);
    expect(h.getX(1)).toBe(RAMN + 8n);
  });
  test('JAL to a 2-byte aligned target is fine with C (no misaligned exception)', () => {
    const h = run([E('jal', { rd: 0, imm: 6 }), { c: 0x0001 } /* c.nop at +4 */, { c: 0x9002 } /* c.ebreak at +6 */]);
    expect(trapOf(h)).toMatchObject({ cause: 3n, epc: RAMN + 6n });
  });
});

const NOPW = 0x00000013;

describe('branches', () => {
  const cases: [string, bigint, bigint, boolean][] = [
    ['beq', 5n, 5n, true], ['beq', 5n, 6n, false], ['beq', 0x100000005n, 5n, false],
    ['bne', 5n, 5n, false], ['bne', 0x100000005n, 5n, true],
    ['blt', u64(-1n), 0n, true], ['blt', 0n, u64(-1n), false], ['blt', INT64_MIN, INT64_MAX, true], ['blt', 3n, 3n, false],
    ['blt', 0x80000000n, 0x7fffffffn, false], ['blt', u64(-0x80000000n), 0x7fffffffn, true],
    ['bge', u64(-1n), 0n, false], ['bge', 0n, u64(-1n), true], ['bge', 3n, 3n, true], ['bge', INT64_MAX, INT64_MIN, true],
    ['bltu', u64(-1n), 0n, false], ['bltu', 0n, u64(-1n), true], ['bltu', 0x7fffffffn, 0x80000000n, true], ['bltu', 4n, 4n, false],
    ['bltu', 0xffffffffn, 0x100000000n, true],
    ['bgeu', u64(-1n), 0n, true], ['bgeu', 0n, u64(-1n), false], ['bgeu', 4n, 4n, true], ['bgeu', INT64_MIN, INT64_MAX, true],
  ];
  for (const [name, a, b, taken] of cases) {
    test(`${name} ${a.toString(16)}, ${b.toString(16)} ${taken ? 'taken' : 'not taken'}`, () => {
      // 0: branch +8 ; 4: ebreak (not taken) ; 8: ebreak (taken)
      const h = run([E(name, { rs1: 11, rs2: 12, imm: 8 }), EBREAK, EBREAK], { regs: { 11: a, 12: b } });
      expect(trapOf(h).epc).toBe(RAMN + (taken ? 8n : 4n));
    });
  }
  test('backward branch', () => {
    const h = run([EBREAK, E('beq', { rs1: 0, rs2: 0, imm: -4 })], { setup: (hh) => hh.setPc(RAMN + 4n) });
    expect(trapOf(h).epc).toBe(RAMN);
  });
});

describe('loads and stores', () => {
  const DATA = RAM + 0x1000;
  const prep = (items: number[]) => {
    const h = newHart();
    load(h, RAM, [...items, EBREAK]);
    w64(h, DATA, 0x8081828384858687n);
    w64(h, DATA + 8, 0x0102030405060708n);
    h.setX(11, BigInt(DATA));
    h.run(100);
    return h;
  };
  test('sign and zero extension of every load width', () => {
    const h = prep([
      E('lb', { rd: 10, rs1: 11, imm: 0 }), E('lbu', { rd: 12, rs1: 11, imm: 0 }),
      E('lh', { rd: 13, rs1: 11, imm: 0 }), E('lhu', { rd: 14, rs1: 11, imm: 0 }),
      E('lw', { rd: 15, rs1: 11, imm: 4 }), E('lwu', { rd: 16, rs1: 11, imm: 4 }),
      E('ld', { rd: 17, rs1: 11, imm: 0 }), E('lw', { rd: 18, rs1: 11, imm: 8 }), E('lb', { rd: 19, rs1: 11, imm: 8 }),
    ]);
    expect(h.getX(10)).toBe(u64(-0x79n)); // 0x87
    expect(h.getX(12)).toBe(0x87n);
    expect(h.getX(13)).toBe(0xffffffffffff8687n);
    expect(h.getX(14)).toBe(0x8687n);
    expect(h.getX(15)).toBe(0xffffffff80818283n);
    expect(h.getX(16)).toBe(0x80818283n);
    expect(h.getX(17)).toBe(0x8081828384858687n);
    expect(h.getX(18)).toBe(0x05060708n);
    expect(h.getX(19)).toBe(0x08n);
  });
  test('negative load offset', () => {
    const h2 = newHart();
    load(h2, RAM, [E('ld', { rd: 10, rs1: 11, imm: -2048 }), EBREAK]);
    w64(h2, DATA, 0x1122334455667788n);
    h2.setX(11, BigInt(DATA + 2048));
    h2.run(10);
    expect(h2.getX(10)).toBe(0x1122334455667788n);
  });
  test('stores write exactly their width', () => {
    const h = newHart();
    load(h, RAM, [
      E('sb', { rs1: 11, rs2: 12, imm: 0 }), E('sh', { rs1: 11, rs2: 12, imm: 8 }),
      E('sw', { rs1: 11, rs2: 12, imm: 16 }), E('sd', { rs1: 11, rs2: 12, imm: 24 }), EBREAK,
    ]);
    for (let i = 0; i < 4; i++) w64(h, DATA + 8 * i, u64(-1n));
    h.setX(11, BigInt(DATA)); h.setX(12, 0x0123456789abcdefn);
    h.run(10);
    expect(r64(h, DATA)).toBe(0xffffffffffffffefn);
    expect(r64(h, DATA + 8)).toBe(0xffffffffffffcdefn);
    expect(r64(h, DATA + 16)).toBe(0xffffffff89abcdefn);
    expect(r64(h, DATA + 24)).toBe(0x0123456789abcdefn);
  });
  test('misaligned loads and stores complete (QEMU-compatible), including across a page', () => {
    const h = newHart();
    const P = RAM + 0x2000 - 3; // spans the page boundary at +0x2000
    load(h, RAM, [
      E('sd', { rs1: 11, rs2: 12, imm: 0 }), E('ld', { rd: 13, rs1: 11, imm: 0 }),
      E('lw', { rd: 14, rs1: 11, imm: 1 }), E('lhu', { rd: 15, rs1: 11, imm: 1 }),
      E('sw', { rs1: 11, rs2: 12, imm: 9 }), E('lwu', { rd: 16, rs1: 11, imm: 9 }), EBREAK,
    ]);
    h.setX(11, BigInt(P)); h.setX(12, 0x8877665544332211n);
    h.run(20);
    expect(trapOf(h).cause).toBe(3n);
    expect(h.getX(13)).toBe(0x8877665544332211n);
    expect(h.getX(14)).toBe(0x55443322n);
    expect(h.getX(15)).toBe(0x3322n);
    expect(h.getX(16)).toBe(0x44332211n);
    expect(h.ram[P - RAM]).toBe(0x11);
    expect(h.ram[P - RAM + 7]).toBe(0x88);
  });
  test('store then load of the same address returns the store', () => {
    const h = newHart();
    load(h, RAM, [E('sd', { rs1: 11, rs2: 12, imm: 0 }), E('ld', { rd: 13, rs1: 11, imm: 0 }), EBREAK]);
    h.setX(11, BigInt(DATA)); h.setX(12, INT64_MIN | 1n);
    h.run(10);
    expect(h.getX(13)).toBe(INT64_MIN | 1n);
  });
});

describe('fence and fence.i', () => {
  test('fence, fence.i are no-ops that retire', () => {
    const h = run([E('fence', { imm: 0xff }), E('fence.i'), EBREAK]);
    expect(trapOf(h).epc).toBe(RAMN + 8n);
    expect(h.instret).toBe(2);
  });
  test('self-modifying code is seen after fence.i', () => {
    // store "addi a0, x0, 42" over the instruction at +12, fence.i, then execute it
    const newInsn = E('addi', { rd: 10, rs1: 0, imm: 42 });
    const h = run([
      E('sw', { rs1: 11, rs2: 12, imm: 0 }), E('fence.i'), NOPW, E('addi', { rd: 10, rs1: 0, imm: 1 }), EBREAK,
    ], { regs: { 11: RAMN + 12n, 12: BigInt(newInsn) } });
    expect(h.getX(10)).toBe(42n);
  });
});
