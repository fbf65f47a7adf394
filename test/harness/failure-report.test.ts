// What a failure report says (issue 8): the implementation's own stop (exit and the instruction
// there) beside the expected one, and "at" is the last instruction that *wrote* the failing
// location on the reference, even when it wrote the value that was already there.

import { judge } from '../../harness/judge';
import { runState } from '../../reference/run-state';
import { encode } from '../../reference/tools/disasm';
import { completeVector } from '../../vectors/expectation';
import { describeFailure } from '../../harness/reporters/pretty';
import { diagnostics } from '../../harness/reporters/tap';
import type { ResultRecord, StateInputs, StateObservationWire, Vector } from '../../vectors/schema/types';
import { check } from '../../vectors/schema/validate';

const word = (name: string, o: Parameters<typeof encode>[1] = {}) => '0x' + (encode(name, o) >>> 0).toString(16);

function vector(words: string[], x: Record<string, string>, extra: Partial<StateInputs> = {}, observe?: { base: string; length: number }[]): Vector {
  const inputs: StateInputs = { kind: 'state', memory: [{ base: '0x80000000', words }], hart: { pc: '0x80000000', priv: 'M', x }, stop: { maxInsns: 20, onTrap: true }, ...extra };
  return completeVector('isa', 'test/failure-report', { title: 'failure report', tags: ['rv64i'], spec: 'test', inputs, observe });
}

/** What the reference observes for `v`, changed by `edit`: an implementation wrong in one place. */
function wrong(v: Vector, edit: (o: StateObservationWire) => void): { kind: 'observed'; observation: StateObservationWire } {
  const o = runState(v.inputs as StateInputs, v.observe ?? []) as unknown as StateObservationWire;
  edit(o);
  return { kind: 'observed', observation: o };
}

describe('failure reports', () => {
  test('"at" is the last instruction that wrote the register, though it wrote the old value (the csrrs of issue 8)', () => {
    // t0 starts at 0 and csrrs t0, tselect, zero writes 0 into it: a value comparison misses that write.
    const v = vector([word('addi', { rd: 14, rs1: 0, imm: 1 }), word('csrrs', { rd: 5, rs1: 0, csr: 0x7a0 }), word('addi', { rd: 15, rs1: 0, imm: 2 }), word('ebreak')], {});
    expect((v.expected as { x: Record<string, string> }).x.x5).toBeUndefined();
    const verdict = judge(v, wrong(v, (o) => { o.x.x5 = '0x1'; }));
    expect(verdict.kind).toBe('fail');
    expect(verdict.difference).toEqual({ where: 'x5', expected: '0x0000000000000000', actual: '0x0000000000000001' });
    expect(verdict.at).toEqual({ pc: '0x0000000080000004', instruction: 'csrrs t0, tselect, zero' });
  });

  test('"at" is the last store to the byte, though it stored the old value', () => {
    const data = { base: '0x80010000', words: ['0x7'] };
    const v = vector([word('sb', { rs1: 10, rs2: 6, imm: 0 }), word('addi', { rd: 14, rs1: 0, imm: 1 }), word('ebreak')],
      { x10: '0x80010000', x6: '0x7' }, { memory: [{ base: '0x80000000', words: [word('sb', { rs1: 10, rs2: 6, imm: 0 }), word('addi', { rd: 14, rs1: 0, imm: 1 }), word('ebreak')] }, data] },
      [{ base: '0x80010000', length: 4 }]);
    const verdict = judge(v, wrong(v, (o) => { o.memory![0].bytes = '08000000'; }));
    expect(verdict.difference?.where).toBe('mem 0x80010000');
    expect(verdict.at).toEqual({ pc: '0x0000000080000000', instruction: 'sb t1, 0(a0)' });
  });

  test('the implementation\'s own stop (exit, pc, instruction) is shown beside the expected one', () => {
    const v = vector([word('addi', { rd: 14, rs1: 0, imm: 1 }), word('addi', { rd: 15, rs1: 0, imm: 2 }), word('ebreak')], {});
    // An implementation that stopped one instruction early with an illegal-instruction trap.
    const verdict = judge(v, wrong(v, (o) => {
      o.exit = { kind: 'trap', cause: '0x2', tval: '0x200793', epc: '0x80000004' };
      o.pc = '0x80000004';
    }));
    expect(verdict.kind).toBe('fail');
    expect(verdict.exits).toEqual({
      expected: { kind: 'trap', cause: '0x0000000000000003', tval: '0x0000000000000000', epc: '0x0000000080000008' },
      actual: { kind: 'trap', cause: '0x2', tval: '0x200793', epc: '0x80000004' },
    });
    expect(verdict.stops).toEqual({
      expected: { pc: '0x0000000080000008', instruction: 'ebreak' },
      actual: { pc: '0x0000000080000004', instruction: 'addi a5, zero, 2' },
    });
    // The record a reporter gets is valid by result.schema.json, exits and stops included.
    expect(check('result', { id: v.id, suite: v.suite, title: v.title, file: 'isa/x.json', ...verdict })).toBeNull();
  });
});

describe('reporters show every difference the checker lists, and both stops', () => {
  const record: ResultRecord = {
    id: 'isa-1', suite: 'isa', title: 't', file: 'isa/x.json', kind: 'fail',
    difference: { where: 'x5', expected: '0x1', actual: '0x2' },
    differences: [{ where: 'x5', expected: '0x1', actual: '0x2' }, { where: 'x6', expected: '0x3', actual: '0x4' }, { where: 'mem 0x80010000', expected: '0x07', actual: '0x08' }],
    exits: { expected: { kind: 'trap', cause: '0x3', tval: '0x0', epc: '0x80000008' }, actual: { kind: 'trap', cause: '0x2', tval: '0x200793', epc: '0x80000004' } },
    stops: { expected: { pc: '0x0000000080000008', instruction: 'ebreak' }, actual: { pc: '0x0000000080000004', instruction: 'addi a5, zero, 2' } },
  };

  test('pretty', () => {
    expect(describeFailure(record).slice(2)).toEqual([
      '    x5: expected 0x1, got 0x2',
      '    x6: expected 0x3, got 0x4',
      '    mem 0x80010000: expected 0x07, got 0x08',
      '    stop expected: trap cause 0x3 tval 0x0 epc 0x80000008, at 0x0000000080000008: ebreak',
      '    stop actual:   trap cause 0x2 tval 0x200793 epc 0x80000004, at 0x0000000080000004: addi a5, zero, 2',
    ]);
  });

  test('TAP diagnostics', () => {
    expect(diagnostics(record).slice(6)).toEqual([
      'more differences:', '  - "x6: expected 0x3, got 0x4"', '  - "mem 0x80010000: expected 0x07, got 0x08"',
      'stop:', '  expected: "trap cause 0x3 tval 0x0 epc 0x80000008, at 0x0000000080000008: ebreak"',
      '  actual: "trap cause 0x2 tval 0x200793 epc 0x80000004, at 0x0000000080000004: addi a5, zero, 2"',
    ]);
    expect(check('result', record)).toBeNull();
  });
});
