// The CSR table (reference/machine/csr.ts) against the privileged specification's numbering,
// independently written down in helpers.ts (spec 1.12 tables 2.2-2.5), and the views that derive
// from it: existence as the hart sees it, names for the disassembler, access fields from the number.

import { CSR_NAMES, CSR_NUMBERS, CSRS, csrAllowed, csrByName } from '../../reference/machine/csr';
import { disassemble, encode } from '../../reference/tools/disasm';
import { CSR, newHart } from './helpers';

test('every CSR the tests know by the specification has the same number in the table', () => {
  for (const [name, num] of Object.entries(CSR)) expect([name, CSR_NUMBERS[name]]).toEqual([name, num]);
});

test('the table registers each number and each name once, and the name maps agree', () => {
  expect(new Set(CSRS.map((d) => d.num)).size).toBe(CSRS.length);
  expect(new Set(CSRS.map((d) => d.name)).size).toBe(CSRS.length);
  for (const d of CSRS) { expect(CSR_NAMES.get(d.num)).toBe(d.name); expect(csrByName(d.name)).toBe(d); }
  // 3 + 29 user counters, 16 pmpaddr, 29 mhpmcounter, 29 mhpmevent, and the rest.
  expect(CSRS.length).toBe(149);
});

test('a number exists for the hart (in M, reading) exactly when the table has it', () => {
  const h = newHart();
  for (let n = 0; n < 4096; n++) expect([n, csrAllowed(h, n, false)]).toEqual([n, CSR_NAMES.has(n)]);
});

test('privilege and read-only come from the number (2.1): bits 9:8 and 11:10', () => {
  expect(csrByName('cycle')).toMatchObject({ minPriv: 0, readOnly: true });
  expect(csrByName('sstatus')).toMatchObject({ minPriv: 1, readOnly: false });
  expect(csrByName('mstatus')).toMatchObject({ minPriv: 3, readOnly: false });
  expect(csrByName('mhartid')).toMatchObject({ minPriv: 3, readOnly: true });
  const h = newHart();
  expect(csrAllowed(h, CSR.mhartid, true)).toBe(false);
  expect(csrAllowed(h, CSR.mhartid, false)).toBe(true);
});

test('the disassembler names CSRs from the table', () => {
  for (const d of [csrByName('mnstatus')!, csrByName('stimecmp')!, csrByName('pmpaddr15')!]) {
    expect(disassemble(encode('csrrs', { rd: 5, rs1: 0, csr: d.num }))).toContain(d.name);
  }
});
