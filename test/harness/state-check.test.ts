// The state checker's rules (conformance/state-check.ts): any allowed outcome passes and is named
// by its choices; a failure lists every difference from the closest allowed outcome.

import { judgeState, StateExpectation, checkState } from '../../conformance/state-check';

const initial = { x5: '0x80010001', x6: '0x7' };
const ebreakAt = (epc: string) => ({ kind: 'trap', cause: '0x3', tval: '0x0', epc });
/** A misaligned load at 0x80000000 into x7, then ebreak at 0x80000004; the alternatives trap instead. */
const expected: StateExpectation = {
  x: { x7: '0x1234' }, pc: '0x80000004', exit: ebreakAt('0x80000004'), instret: 1,
  memory: [{ base: '0x80010000', bytes: '00112233' }],
  alternatives: [
    { choices: ['breakpoint-tval-pc'], exit: { tval: '0x80000004' } },
    { choices: ['misaligned-address-trap'], x: {}, pc: '0x80000000', exit: { cause: '0x4', tval: '0x80010001', epc: '0x80000000' }, instret: 0 },
    { choices: ['identity-values'], any: ['x7'] },
  ],
};
const actual = (over: Partial<{ x: Record<string, string>; pc: string; exit: ReturnType<typeof ebreakAt>; memory: { base: string; bytes: string }[]; instret: number }> = {}) => ({
  x: { ...Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`x${i + 1}`, '0x0'])), ...initial, x7: '0x1234', ...(over.x ?? {}) },
  pc: over.pc ?? '0x80000004', exit: over.exit ?? ebreakAt('0x80000004'),
  memory: over.memory ?? [{ base: '0x80010000', bytes: '00112233' }], instret: over.instret ?? 1,
});

test("the reference's outcome passes with no choices named", () => {
  expect(judgeState(expected, initial, actual(), { instret: true })).toEqual({ pass: true, choices: [], differences: [] });
});

test('a field alternative (ebreak tval = pc) passes and is named', () => {
  const r = judgeState(expected, initial, actual({ exit: { ...ebreakAt('0x80000004'), tval: '0x80000004' } }), { instret: true });
  expect(r).toEqual({ pass: true, choices: ['breakpoint-tval-pc'], differences: [] });
});

test('a whole alternative outcome (misaligned load traps, registers as before it) passes', () => {
  const trapped = actual({ x: { x7: '0x0' }, pc: '0x80000000', exit: { kind: 'trap', cause: '0x4', tval: '0x80010001', epc: '0x80000000' }, instret: 0 });
  expect(judgeState(expected, initial, trapped, { instret: true })).toEqual({ pass: true, choices: ['misaligned-address-trap'], differences: [] });
});

test('an alternative applies as a whole: its exit with the primary registers fails', () => {
  const mixed = actual({ pc: '0x80000000', exit: { kind: 'trap', cause: '0x4', tval: '0x80010001', epc: '0x80000000' }, instret: 0 });
  const r = judgeState(expected, initial, mixed, { instret: true });
  expect(r.pass).toBe(false);
  expect(r.choices).toEqual(['misaligned-address-trap']);
  expect(r.differences).toEqual([{ where: 'x7', expected: '0x0000000000000000', actual: '0x0000000000001234' }]);
});

test('a register an alternative leaves to the implementation may hold any value, but the others may not', () => {
  expect(judgeState(expected, initial, actual({ x: { x7: '0xdead' } }), { instret: true }).choices).toEqual(['identity-values']);
  const r = judgeState(expected, initial, actual({ x: { x7: '0xdead', x8: '0x1' } }), { instret: true });
  expect(r.pass).toBe(false);
});

test('a failure reports every difference (registers, pc, memory runs, instret), not only the first', () => {
  const r = judgeState(expected, initial, actual({ x: { x9: '0x5', x31: '0x1' }, memory: [{ base: '0x80010000', bytes: 'ff11ffff' }], instret: 2 }), { instret: true });
  expect(r.pass).toBe(false);
  expect(r.choices).toEqual([]);
  expect(r.differences.map((d) => d.where)).toEqual(['x9', 'x31', 'mem 0x80010000', 'mem 0x80010002', 'instret']);
  expect(r.differences[2]).toEqual({ where: 'mem 0x80010000', expected: '0x00', actual: '0xff' });
  expect(r.differences[3]).toEqual({ where: 'mem 0x80010002', expected: '0x2233', actual: '0xffff' });
  expect(checkState(expected, initial, actual({ x: { x9: '0x5' } }))).toEqual({ where: 'x9', expected: '0x0000000000000000', actual: '0x0000000000000005' });
});

test('a wrong exit is a failure against the closest outcome, with every exit field that differs', () => {
  const r = judgeState(expected, initial, actual({ exit: { kind: 'trap', cause: '0x2', tval: '0x5', epc: '0x80000004' } }), { instret: true });
  expect(r.pass).toBe(false);
  expect(r.differences.map((d) => d.where)).toEqual(['trap cause', 'trap tval']);
});
