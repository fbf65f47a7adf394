// The M extension's fast paths (on register halves, without BigInt) against its one definition
// (reference/machine/muldiv.ts mulDivDefinition), through the hart's run loop so that the loop's
// dispatch is checked too, over edge operands and a seeded stream of operands of every magnitude.
// The definition itself is pinned to the specification's table 7.1 by the fixed cases below.

import { Hart, HartBus } from '../../reference/machine/hart';
import { INSTRUCTIONS, Op } from '../../reference/machine/isa/opcodes';
import { mulDivDefinition } from '../../reference/machine/muldiv';
import { encode } from '../../reference/tools/disasm';

const nobus: HartBus = { read: () => NaN, write: () => false, romAt: () => null };
const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint) => BigInt.asUintN(64, v);
const MIN64 = 1n << 63n;

function operands(): bigint[] {
  const edge = [0n, 1n, 2n, 3n, 7n, 0x1fffffn, 0x200000n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n,
    (1n << 53n) - 1n, 1n << 53n, MIN64 - 1n, MIN64, M64, M64 - 1n, u64(-3n), u64(-0x200000n), u64(-(1n << 40n)),
    0xffffffff80000000n, 0x00000001ffffffffn];
  let s = 0x243f6a8885a308d3n;
  const out = [...edge];
  for (let i = 0; i < 60; i++) {
    s = u64(s * 6364136223846793005n + 1442695040888963407n);
    const bits = BigInt(1 + (i % 64));
    out.push(s >> (64n - bits));
    out.push(u64(-(s >> (64n - bits))));
  }
  return out;
}

test('the definition gives table 7.1: division by zero and signed overflow', () => {
  const d = (op: Op, a: bigint, b: bigint) => mulDivDefinition(op, a, b);
  expect(d(Op.DIV, 7n, 0n)).toBe(M64);
  expect(d(Op.DIVU, 7n, 0n)).toBe(M64);
  expect(d(Op.REM, 7n, 0n)).toBe(7n);
  expect(d(Op.REMU, 7n, 0n)).toBe(7n);
  expect(d(Op.DIV, MIN64, M64)).toBe(MIN64);
  expect(d(Op.REM, MIN64, M64)).toBe(0n);
  expect(d(Op.DIVW, 0x80000000n, M64)).toBe(0xffffffff80000000n);
  expect(d(Op.REMW, 0x80000000n, M64)).toBe(0n);
  expect(d(Op.DIVUW, 0x1234n, 0xffffffff00000000n)).toBe(M64);
  expect(d(Op.REMUW, 0xffffffffn, 0n)).toBe(M64); // the 32-bit dividend, sign-extended
  expect(d(Op.DIV, u64(-7n), 2n)).toBe(u64(-3n)); // rounds toward zero
  expect(d(Op.REM, u64(-7n), 2n)).toBe(u64(-1n)); // the sign of the dividend
  expect(d(Op.MULH, M64, M64)).toBe(0n);
  expect(d(Op.MULHU, M64, M64)).toBe(M64 - 1n);
  expect(d(Op.MULHSU, M64, 2n)).toBe(M64);
  expect(d(Op.MULW, 0x10000n, 0x10000n)).toBe(0n);
});

test('every M operation on the hart matches the definition on edge and seeded operands', () => {
  // Every M instruction of the instruction table (a new one fails here until the definition has it).
  const rows = INSTRUCTIONS.filter((r) => r.ext === 'M');
  expect(rows.length).toBe(13);
  const names = rows.map((r) => r.name);
  const h = new Hart(0x80000000, 1 << 16, nobus);
  const prog = new Uint8Array(new Uint32Array(names.map((name, i) => encode(name, { rd: 10 + i, rs1: 5, rs2: 6 }))).buffer);
  h.writeRam(0x80000000, prog);
  const vals = operands();
  let checked = 0;
  for (const a of vals) {
    for (const b of vals) {
      h.setPc(0x80000000n);
      h.setX(5, a); h.setX(6, b);
      h.run(names.length);
      rows.forEach((row, i) => {
        const got = h.getX(10 + i), want = mulDivDefinition(row.op, a, b);
        if (got !== want) throw new Error(`${names[i]} 0x${a.toString(16)}, 0x${b.toString(16)}: got 0x${got.toString(16)}, want 0x${want.toString(16)}`);
        checked++;
      });
    }
  }
  expect(checked).toBe(vals.length * vals.length * rows.length);
});
