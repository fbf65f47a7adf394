// The effective address of a slow load or store (data-access.ts exactAddress): the double fast
// path must give exactly what 64-bit wrapping arithmetic gives, and fault exactly where it faults.

import { Hart, HartBus, TRAP } from '../../reference/machine/hart';
import { exactAddress } from '../../reference/machine/data-access';
import { Access } from '../../reference/machine/trap-causes';

const nobus: HartBus = { read: () => NaN, write: () => false, romAt: () => null };

/** The definition: x[rs1] + imm modulo 2^64, signed; a fault beyond +-2^52 (no double names it). */
function reference(lo: number, hi: number, imm: number): number | 'fault' {
  const exact = BigInt.asIntN(64, ((BigInt(hi | 0) << 32n) | BigInt(lo >>> 0)) + BigInt(imm));
  return exact >= -(1n << 52n) && exact < (1n << 52n) ? Number(exact) : 'fault';
}

test('exactAddress agrees with 64-bit arithmetic, around every edge of the fast path', () => {
  const h = new Hart(0x80000000, 1 << 20, nobus);
  const his = [0, -1, 1, 0x7fff, -0x8000, 0xfffff, 0x100000, -0x100000, -0x100001, 0x1fffff, 0x200000, -0x200000, 0x7fffffff, -0x80000000];
  const los = [0, 1, -1, 0x7fffffff, -0x80000000, 0x12345678];
  const imms = [0, 1, -1, 2047, -2048, 0x7fffffff, -0x80000000];
  let seed = 1;
  const rand = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed | 0; };
  for (let i = 0; i < 2000; i++) { his.push(rand() >> (i % 32)); los.push(rand()); }
  for (const hi of his) for (const lo of los.slice(0, 40)) for (const imm of imms) {
    h.x[10] = lo; h.x[11] = hi;
    let got: number | 'fault';
    try { got = exactAddress(h, 10, imm, Access.Load); } catch (e) { if (e !== TRAP) throw e; got = 'fault'; }
    const want = reference(lo, hi, imm);
    if (got !== want || Object.is(got, -0)) throw new Error(`x = (${lo}, ${hi}) imm ${imm}: ${got}, expected ${want}`);
  }
});
