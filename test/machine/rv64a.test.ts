// RV64A (unprivileged spec 20191213, chapter 8): LR/SC reservations, every AMO, alignment.

import { E, EBREAK, INT64_MAX, INT64_MIN, RAM, RAMN, load, newHart, r64, sx32, trapOf, u64, w64, s64 } from './helpers';
import { INSTRUCTIONS } from '../../reference/machine/isa/opcodes';
import { AMO_TABLE } from '../../reference/machine/amo';

const A = RAM + 0x3000;

function amo(name: string, mem: bigint, rs2: bigint, addr = A) {
  const h = newHart();
  load(h, RAM, [E(name, { rd: 10, rs1: 11, rs2: 12 }), EBREAK]);
  w64(h, A, 0n); w64(h, A + 8, 0n);
  w64(h, addr, mem);
  h.setX(11, BigInt(addr)); h.setX(12, rs2);
  h.run(10);
  return h;
}

const D_MODELS: Record<string, (m: bigint, v: bigint) => bigint> = {
  'amoswap.d': (_m, v) => v,
  'amoadd.d': (m, v) => u64(m + v),
  'amoxor.d': (m, v) => m ^ v,
  'amoand.d': (m, v) => m & v,
  'amoor.d': (m, v) => m | v,
  'amomin.d': (m, v) => (s64(m) < s64(v) ? m : v),
  'amomax.d': (m, v) => (s64(m) > s64(v) ? m : v),
  'amominu.d': (m, v) => (m < v ? m : v),
  'amomaxu.d': (m, v) => (m > v ? m : v),
};
const s32 = (v: bigint) => BigInt.asIntN(32, v);
const l32 = (v: bigint) => v & 0xffffffffn;
const W_MODELS: Record<string, (m: bigint, v: bigint) => bigint> = {
  'amoswap.w': (_m, v) => l32(v),
  'amoadd.w': (m, v) => l32(m + v),
  'amoxor.w': (m, v) => l32(m ^ v),
  'amoand.w': (m, v) => l32(m & v),
  'amoor.w': (m, v) => l32(m | v),
  'amomin.w': (m, v) => l32(s32(m) < s32(v) ? m : v),
  'amomax.w': (m, v) => l32(s32(m) > s32(v) ? m : v),
  'amominu.w': (m, v) => (l32(m) < l32(v) ? l32(m) : l32(v)),
  'amomaxu.w': (m, v) => (l32(m) > l32(v) ? l32(m) : l32(v)),
};
const PAIRS: [bigint, bigint][] = [
  [0n, 0n], [1n, u64(-1n)], [u64(-1n), 1n], [INT64_MIN, INT64_MAX], [INT64_MAX, INT64_MIN], [5n, 5n],
  [0x80000000n, 0x7fffffffn], [0x7fffffffn, 0x80000000n], [0xffffffffn, 1n], [0x123456789n, 0xfedcba987n],
];

describe('AMO .D', () => {
  for (const [name, model] of Object.entries(D_MODELS)) {
    test(name, () => {
      for (const [m, v] of PAIRS) {
        const h = amo(name, m, v);
        expect(trapOf(h).cause).toBe(3n);
        expect([name, h.getX(10)]).toEqual([name, m]); // rd gets the old value
        expect([name, r64(h, A)]).toEqual([name, model(m, v)]);
      }
    });
  }
});

describe('AMO .W', () => {
  for (const [name, model] of Object.entries(W_MODELS)) {
    test(name, () => {
      for (const [m, v] of PAIRS) {
        const mem = m & 0xffffffffn;
        // upper word of the doubleword must survive a .W AMO
        const h = newHart();
        load(h, RAM, [E(name, { rd: 10, rs1: 11, rs2: 12 }), EBREAK]);
        w64(h, A, 0xa5a5a5a500000000n | mem);
        h.setX(11, BigInt(A)); h.setX(12, v);
        h.run(10);
        expect([name, h.getX(10)]).toEqual([name, sx32(mem)]); // loaded word is sign-extended
        expect([name, r64(h, A)]).toEqual([name, 0xa5a5a5a500000000n | model(mem, v)]);
      }
    });
  }
  test('amomin.w vs amominu.w on 0x80000000 and 1', () => {
    expect(r64(amo('amomin.w', 0x80000000n, 1n), A) & 0xffffffffn).toBe(0x80000000n);
    expect(r64(amo('amominu.w', 0x80000000n, 1n), A) & 0xffffffffn).toBe(1n);
    expect(r64(amo('amomax.w', 0x80000000n, 1n), A) & 0xffffffffn).toBe(1n);
    expect(r64(amo('amomaxu.w', 0x80000000n, 1n), A) & 0xffffffffn).toBe(0x80000000n);
  });
  test('amomin.w ignores the upper half of rs2', () => {
    // rs2 = 0x00000001_ffffffff: as a word it is -1, less than 0
    expect(r64(amo('amomin.w', 0n, 0x1ffffffffn), A)).toBe(0xffffffffn);
  });
});

describe('AMO rd == rs2 and x0 destination', () => {
  test('amoswap.d with rd = rs2 swaps register and memory', () => {
    const h = newHart();
    load(h, RAM, [E('amoswap.d', { rd: 12, rs1: 11, rs2: 12 }), EBREAK]);
    w64(h, A, 111n); h.setX(11, BigInt(A)); h.setX(12, 222n);
    h.run(10);
    expect(h.getX(12)).toBe(111n);
    expect(r64(h, A)).toBe(222n);
  });
  test('amoadd.d with rd = x0 still updates memory', () => {
    const h = newHart();
    load(h, RAM, [E('amoadd.d', { rd: 0, rs1: 11, rs2: 12 }), EBREAK]);
    w64(h, A, 1n); h.setX(11, BigInt(A)); h.setX(12, 2n);
    h.run(10);
    expect(r64(h, A)).toBe(3n);
    expect(h.getX(0)).toBe(0n);
  });
});

describe('LR/SC', () => {
  const prog = (items: number[], regs: Record<number, bigint>) => {
    const h = newHart();
    load(h, RAM, [...items, EBREAK]);
    w64(h, A, 0x1111111122222222n); w64(h, A + 8, 0x3333333344444444n);
    for (const [k, v] of Object.entries(regs)) h.setX(Number(k), v);
    h.run(100);
    return h;
  };
  test('lr.d / sc.d succeed: sc writes 0 to rd and stores', () => {
    const h = prog([E('lr.d', { rd: 10, rs1: 11 }), E('sc.d', { rd: 13, rs1: 11, rs2: 12 })], { 11: BigInt(A), 12: 0xabcn });
    expect(h.getX(10)).toBe(0x1111111122222222n);
    expect(h.getX(13)).toBe(0n);
    expect(r64(h, A)).toBe(0xabcn);
  });
  test('lr.w sign-extends, sc.w stores 32 bits only', () => {
    const h = newHart();
    load(h, RAM, [E('lr.w', { rd: 10, rs1: 11 }), E('sc.w', { rd: 13, rs1: 11, rs2: 12 }), EBREAK]);
    w64(h, A, 0x11111111f0000000n);
    h.setX(11, BigInt(A)); h.setX(12, 0xffffffff00000005n);
    h.run(10);
    expect(h.getX(10)).toBe(0xfffffffff0000000n);
    expect(h.getX(13)).toBe(0n);
    expect(r64(h, A)).toBe(0x1111111100000005n);
  });
  test('sc.d without a preceding lr fails (nonzero rd) and does not store', () => {
    const h = prog([E('sc.d', { rd: 13, rs1: 11, rs2: 12 })], { 11: BigInt(A), 12: 0xabcn });
    expect(h.getX(13)).not.toBe(0n);
    expect(r64(h, A)).toBe(0x1111111122222222n);
  });
  test('sc to a different address than the reservation fails', () => {
    const h = prog([E('lr.d', { rd: 10, rs1: 11 }), E('sc.d', { rd: 13, rs1: 14, rs2: 12 })], { 11: BigInt(A), 14: BigInt(A + 8), 12: 0xabcn });
    expect(h.getX(13)).not.toBe(0n);
    expect(r64(h, A + 8)).toBe(0x3333333344444444n);
  });
  test('a second sc after a successful one fails (the reservation is consumed)', () => {
    const h = prog([
      E('lr.d', { rd: 10, rs1: 11 }), E('sc.d', { rd: 13, rs1: 11, rs2: 12 }), E('sc.d', { rd: 15, rs1: 11, rs2: 16 }),
    ], { 11: BigInt(A), 12: 1n, 16: 2n });
    expect(h.getX(13)).toBe(0n);
    expect(h.getX(15)).not.toBe(0n);
    expect(r64(h, A)).toBe(1n);
  });
  test('a trap taken between lr and sc (and its mret) invalidates the reservation', () => {
    // lr ; ecall -> M handler at +0x100 advances mepc and mrets ; sc must fail ; then loop
    const h = newHart();
    load(h, RAM, [E('lr.d', { rd: 10, rs1: 11 }), 0x00000073, E('sc.d', { rd: 13, rs1: 11, rs2: 12 }), 0x0000006f]);
    load(h, RAM + 0x100, [E('csrrs', { rd: 5, rs1: 0, csr: 0x341 }), E('addi', { rd: 5, rs1: 5, imm: 4 }), E('csrrw', { rd: 0, rs1: 5, csr: 0x341 }), 0x30200073]);
    w64(h, A, 0x55n);
    h.writeCsr(0x305, RAMN + 0x100n);
    h.stopOnTrap = false;
    h.setX(11, BigInt(A)); h.setX(12, 7n); h.setX(13, 99n);
    h.run(50);
    expect(h.getPc()).toBe(RAMN + 12n);
    expect(h.getX(13)).not.toBe(0n);
    expect(h.getX(13)).not.toBe(99n);
    expect(r64(h, A)).toBe(0x55n);
  });
});

describe('alignment of atomics', () => {
  test('misaligned AMO raises store/AMO address misaligned (6) with tval = address', () => {
    for (const [name, off] of [['amoadd.d', 4], ['amoswap.w', 2], ['amoor.d', 1], ['sc.d', 4], ['sc.w', 2]] as const) {
      const h = amo(name, 0n, 0n, A + off);
      expect([name, trapOf(h)]).toEqual([name, { cause: 6n, tval: BigInt(A + off), epc: RAMN }]);
    }
  });
  test('misaligned LR raises load address misaligned (4) with tval = address', () => {
    for (const [name, off] of [['lr.d', 4], ['lr.w', 2], ['lr.d', 1]] as const) {
      const h = newHart();
      load(h, RAM, [E(name, { rd: 10, rs1: 11 }), EBREAK]);
      h.setX(11, BigInt(A + off));
      h.run(10);
      expect([name, trapOf(h)]).toEqual([name, { cause: 4n, tval: BigInt(A + off), epc: RAMN }]);
    }
  });
  test('AMO to an unmapped physical address is a store/AMO access fault (7)', () => {
    const h = newHart();
    load(h, RAM, [E('amoadd.w', { rd: 10, rs1: 11, rs2: 12 }), EBREAK]);
    h.setX(11, 0x40000000n);
    h.run(10);
    expect(trapOf(h)).toEqual({ cause: 7n, tval: 0x40000000n, epc: RAMN });
  });
});

test('the AMO table has a row for every A-extension instruction and for nothing else', () => {
  const aOps = INSTRUCTIONS.filter((r) => r.ext === 'A').map((r) => r.op).sort((p, q) => p - q);
  const tableOps = AMO_TABLE.map((row, op) => (row === undefined ? -1 : op)).filter((op) => op >= 0);
  expect(tableOps).toEqual(aOps);
  expect(aOps.length).toBe(22);
});
