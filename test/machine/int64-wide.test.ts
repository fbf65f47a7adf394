// The BigInt-free M operations (high products, 64-bit divisions) against BigInt arithmetic, over
// edge values and a seeded stream of operands of every magnitude.

import { Hart, HartBus } from '../../reference/machine/hart';
import { encode } from '../../reference/tools/disasm';

const nobus: HartBus = { read: () => NaN, write: () => false, romAt: () => null };
const M64 = (1n << 64n) - 1n;
const s64 = (v: bigint) => BigInt.asIntN(64, v);
const u64 = (v: bigint) => BigInt.asUintN(64, v);

function expected(op: string, a: bigint, b: bigint): bigint {
  const sa = s64(a), sb = s64(b);
  switch (op) {
    case 'mulh': return u64((sa * sb) >> 64n);
    case 'mulhu': return u64((a * b) >> 64n);
    case 'mulhsu': return u64((sa * b) >> 64n);
    case 'div': return b === 0n ? M64 : (sa === -(1n << 63n) && sb === -1n) ? a : u64(sa / sb);
    case 'divu': return b === 0n ? M64 : a / b;
    case 'rem': return b === 0n ? a : (sa === -(1n << 63n) && sb === -1n) ? 0n : u64(sa % sb);
    default: return b === 0n ? a : a % b;
  }
}

function operands(): bigint[] {
  const edge = [0n, 1n, 2n, 3n, 7n, 0x1fffffn, 0x200000n, 0xffffffffn, 0x100000000n, (1n << 53n) - 1n, 1n << 53n,
    (1n << 63n) - 1n, 1n << 63n, M64, M64 - 1n, u64(-3n), u64(-0x200000n), u64(-(1n << 40n))];
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

test('mulh/mulhu/mulhsu/div/divu/rem/remu on 64-bit operands match BigInt', () => {
  const ops = ['mulh', 'mulhu', 'mulhsu', 'div', 'divu', 'rem', 'remu'];
  const h = new Hart(0x80000000, 1 << 16, nobus);
  const prog = new Uint8Array(new Uint32Array(ops.map((op, i) => encode(op, { rd: 10 + i, rs1: 5, rs2: 6 }))).buffer);
  h.writeRam(0x80000000, prog);
  const vals = operands();
  let checked = 0;
  for (const a of vals) {
    for (const b of vals) {
      h.setPc(0x80000000n);
      h.setX(5, a); h.setX(6, b);
      h.run(ops.length);
      ops.forEach((op, i) => {
        const got = h.getX(10 + i);
        if (got !== expected(op, a, b)) throw new Error(`${op} 0x${a.toString(16)}, 0x${b.toString(16)}: got 0x${got.toString(16)}, want 0x${expected(op, a, b).toString(16)}`);
        checked++;
      });
    }
  }
  expect(checked).toBe(vals.length * vals.length * ops.length);
});
