// The counter CSRs' legal alternatives (conformance/choices.ts), checked on the Hart against the
// specification's words rather than against vectors generated from the same code:
// hpm-counters-writable (priv 1.12 3.1.10), mcountinhibit-writable (3.1.13) and
// counteren-hpm-read-only-zero (3.1.12).

import { REFERENCE_CHOICES } from '../../reference/machine/choices';
import type { HartChoices } from '../../reference/machine/choices';
import { Hart } from '../../reference/machine/hart';
import { csrr, csrw, E, EBREAK, load, newHart, RAM, RAMN, trapOf, u64 } from './helpers';

const MHPMCOUNTER3 = 0xb03, MHPMEVENT31 = 0x33f, MCOUNTINHIBIT = 0x320, MCYCLE = 0xb00, MINSTRET = 0xb02, MCOUNTEREN = 0x306;
const NOP = E('addi', { rd: 0, rs1: 0, imm: 0 });

function exec(code: number[], choices: Partial<HartChoices>, regs: Record<number, bigint> = {}): Hart {
  const h = newHart();
  h.choices = { ...REFERENCE_CHOICES, ...choices };
  load(h, RAM, [...code, EBREAK]);
  for (const [k, v] of Object.entries(regs)) h.setX(Number(k), u64(v));
  h.setPc(RAMN);
  h.run(1000);
  expect(trapOf(h).cause).toBe(3n);
  return h;
}

test('hpm counters and events: read-only zero by default, holding what is written when writable, with no event counting', () => {
  const code = [csrw(MHPMCOUNTER3, 10), csrw(MHPMEVENT31, 10), NOP, NOP, csrr(5, MHPMCOUNTER3), csrr(6, MHPMEVENT31)];
  const v = 0x1234_5678_9abc_def0n;
  const zero = exec(code, {}, { 10: v });
  expect([zero.getX(5), zero.getX(6)]).toEqual([0n, 0n]);
  const writable = exec(code, { hpmCounters: 'writable' }, { 10: v });
  expect([writable.getX(5), writable.getX(6)]).toEqual([v, v]);
});

test('mcountinhibit: reads zero by default; implemented, CY and IR hold mcycle and minstret still, TM (bit 1) and bits 63:32 read zero', () => {
  const code = [csrw(MCOUNTINHIBIT, 10), csrr(5, MCOUNTINHIBIT), csrr(6, MCYCLE), csrr(7, MINSTRET), NOP, NOP, NOP, csrr(8, MCYCLE), csrr(9, MINSTRET)];
  const all = (1n << 64n) - 1n;
  const off = exec(code, {}, { 10: all });
  expect(off.getX(5)).toBe(0n);
  expect(off.getX(9) > off.getX(7)).toBe(true);
  const on = exec(code, { mcountinhibit: 'writable' }, { 10: all });
  expect(on.getX(5)).toBe(0xfffffffdn);
  expect([on.getX(8), on.getX(9)]).toEqual([on.getX(6), on.getX(7)]);
});

test('counter-enable hpm bits: writable by default, read-only zero on a hart that chooses so (CY, TM, IR stay writable)', () => {
  const code = [csrw(MCOUNTEREN, 10), csrr(5, MCOUNTEREN)];
  expect(exec(code, {}, { 10: 0xffff_ffffn }).getX(5)).toBe(0xffff_ffffn);
  expect(exec(code, { counterenHpm: 'read-only-zero' }, { 10: 0xffff_ffffn }).getX(5)).toBe(7n);
});
