// conformance/PROTOCOL.md section 4 (the starting state of a state vector) checked against the
// reference: the CSR table is parsed from the document itself, so the document cannot drift from
// the reference without this test failing; the other statements marked (checked) follow.

import * as fs from 'fs';
import * as path from 'path';
import { referenceStepsWire } from '../../harness/adapters/reference';
import { CSR_NUMBERS } from '../../reference/machine/csr';
import { runState } from '../../reference/run-state';
import { encode } from '../../reference/tools/disasm';
import type { StateInputs } from '../../vectors/schema/types';
import { documentedStartCsrs, ROOT } from './helpers';

const w = (name: string, o: Parameters<typeof encode>[1] = {}) => '0x' + (encode(name, o) >>> 0).toString(16);
const EBREAK = w('ebreak');

function state(words: string[], hart: Partial<StateInputs['hart']> = {}, extra: Partial<StateInputs> = {}): StateInputs {
  return { kind: 'state', memory: [{ base: '0x80000000', words }], hart: { pc: '0x80000000', ...hart }, stop: { maxInsns: 100, onTrap: true }, ...extra };
}

describe('PROTOCOL.md 4: the starting state', () => {
  test('every CSR in the table holds the documented value until the vector writes it', () => {
    const table = documentedStartCsrs();
    expect(table.size).toBeGreaterThan(100);
    for (const name of table.keys()) expect(CSR_NUMBERS[name]).toBeDefined();
    const obs = runState(state([EBREAK]), [], [...table.keys()]);
    const actual = Object.fromEntries(Object.entries(obs.csrs).map(([k, v]) => [k, BigInt(v)]));
    expect(actual).toEqual(Object.fromEntries(table));
  });

  test('RAM is 1 MiB at 0x80000000 by default: a load just past it is an access fault; RAM reads zero', () => {
    const past = runState(state([w('ld', { rd: 11, rs1: 10, imm: 0 }), EBREAK], { x: { x10: '0x80100000' } }));
    expect(past.exit).toMatchObject({ kind: 'trap', cause: '0x0000000000000005', tval: '0x0000000080100000' });
    const last = runState(state([w('ld', { rd: 11, rs1: 10, imm: 0 }), EBREAK], { x: { x10: '0x800ffff8', x11: '0x1234' } }));
    expect(last.exit.cause).toBe('0x0000000000000003');
    expect(BigInt(last.x.x11)).toBe(0n);
  });

  test('PMP all OFF: an S-mode fetch fails until the vector opens memory', () => {
    expect(runState(state([EBREAK], { priv: 'S' })).exit).toMatchObject({ cause: '0x0000000000000001', epc: '0x0000000080000000' });
    const open = { pmpaddr0: '0x3fffffffffffff', pmpcfg0: '0x1f' };
    expect(runState(state([EBREAK], { priv: 'S', csrs: open })).exit.cause).toBe('0x0000000000000003');
  });

  test('the CLINT comparator is idle (MTIP never pending though mtimecmp reads 0); mtime starts at 0', () => {
    const enabled = { mstatus: '0x8', mie: '0x80' };
    const loop = [w('ld', { rd: 11, rs1: 10, imm: 0 }), w('ld', { rd: 12, rs1: 13, imm: 0 }), ...Array(60).fill(w('addi', { rd: 0, rs1: 0, imm: 0 })), EBREAK];
    const r = runState(state(loop, { csrs: enabled, x: { x10: '0x200bff8', x13: '0x2004000' } }), [], ['mip']);
    expect(r.exit.cause).toBe('0x0000000000000003');
    expect(BigInt(r.csrs.mip) & 0x80n).toBe(0n);
    expect(BigInt(r.x.x11)).toBeLessThan(2n);
    expect(BigInt(r.x.x12)).toBe(0n);
  });

  test('hart.csrs apply in their order, as csrrw in M-mode: a pmpaddr after its locked pmpcfg is ignored', () => {
    const locked = '0x9f'; // L, NAPOT, RWX
    const after = runState(state([EBREAK], { csrs: { pmpcfg0: locked, pmpaddr0: '0x2000401f' } }), [], ['pmpaddr0']);
    const before = runState(state([EBREAK], { csrs: { pmpaddr0: '0x2000401f', pmpcfg0: locked } }), [], ['pmpaddr0']);
    expect(BigInt(after.csrs.pmpaddr0)).toBe(0n);
    expect(BigInt(before.csrs.pmpaddr0)).toBe(0x2000401fn);
  });

  test('entering S implies nothing for mstatus: MPP stays U, MPIE 0; the stopping trap is not taken', () => {
    const open = { pmpaddr0: '0x3fffffffffffff', pmpcfg0: '0x1f' };
    const r = runState(state([w('addi', { rd: 5, rs1: 0, imm: 1 }), w('ecall')], { priv: 'S', csrs: open }), [], ['mstatus', 'mepc', 'mcause', 'mtval']);
    expect(r.csrs).toEqual({ mstatus: '0x0000000a00000000', mepc: '0x0000000000000000', mcause: '0x0000000000000000', mtval: '0x0000000000000000' });
    expect(r.priv).toBe('S');
    expect(r.exit).toMatchObject({ kind: 'trap', cause: '0x0000000000000009', epc: '0x0000000080000004' });
    expect(r.pc).toBe(r.exit.epc);
    expect(r.instret).toBe(1); // the ecall does not retire
  });

  test('a trace step: registers written with their old value are not listed; a trap into S is not a step; next', () => {
    // M writes x5 twice, mret enters S at 0x80000100, whose ecall (delegated: medeleg bit 9)
    // traps into S at stvec 0x80000200.
    const csrs = { pmpaddr0: '0x3fffffffffffff', pmpcfg0: '0x1f', medeleg: '0x200', stvec: '0x80000200', mstatus: '0x800', mepc: '0x80000100' };
    const inputs = state([w('addi', { rd: 5, rs1: 0, imm: 7 }), w('addi', { rd: 5, rs1: 0, imm: 7 }), w('mret')], { csrs });
    inputs.memory.push({ base: '0x80000100', words: [w('ecall')] }, { base: '0x80000200', words: [w('addi', { rd: 6, rs1: 0, imm: 1 }), EBREAK] });
    const steps = referenceStepsWire(inputs);
    expect(steps.map((s) => [s.pc, s.next, s.priv, s.x])).toEqual([
      ['0x0000000080000000', '0x0000000080000004', 'M', { x5: '0x0000000000000007' }],
      ['0x0000000080000004', '0x0000000080000008', 'M', {}], // wrote x5 = 7 again: not listed
      ['0x0000000080000008', '0x0000000080000100', 'S', {}], // mret: next is the return address
      // the ecall traps into S: not a step; the handler's first instruction is
      ['0x0000000080000200', '0x0000000080000204', 'S', { x6: '0x0000000000000001' }],
    ]);
    // The ebreak in S is the stopping trap into M: the list ends before it.
    expect(runState(inputs).exit).toMatchObject({ cause: '0x0000000000000003', epc: '0x0000000080000204' });
  });
});
