// The allowed outcomes in the committed vectors: at every trap stop the pc is the trap's epc (for
// the reference's outcome and for each alternative), and every alternative names choices that
// conformance/choices.ts lists as alternatives, so each one cites its clause.

import * as fs from 'fs';
import { CHOICE_BY_ID } from '../../conformance/choices';
import { allowedOutcomes } from '../../conformance/state-check';
import { listVectorFiles, readGroupFile, StateVector, VECTORS_DIR } from '../../vectors/format';

const stateVectors: { file: string; v: StateVector }[] = [];
for (const f of listVectorFiles(VECTORS_DIR)) {
  const text = fs.readFileSync(f, 'utf8');
  if (!text.startsWith('{"defaults"')) continue;
  for (const v of readGroupFile(text)) if (v.inputs?.kind === 'state') stateVectors.push({ file: f, v: v as StateVector });
}

test('the suites have state vectors with alternatives to check', () => {
  expect(stateVectors.length).toBeGreaterThan(19000);
  expect(stateVectors.filter(({ v }) => v.expected.alternatives?.length).length).toBeGreaterThan(15000);
});

test('at every trap stop, in every allowed outcome, pc equals exit.epc', () => {
  const wrong: string[] = [];
  for (const { v } of stateVectors) {
    for (const o of allowedOutcomes(v.expected)) {
      if (o.exit.kind !== 'trap') continue;
      if (o.pc === undefined || o.exit.epc === undefined || BigInt(o.pc) !== BigInt(o.exit.epc)) wrong.push(`${v.id} ${v.title} [${o.choices.join(',')}]: pc ${o.pc} epc ${o.exit.epc}`);
    }
  }
  expect(wrong).toEqual([]);
});

test('every alternative names alternative choices of conformance/choices.ts, and differs from the reference outcome', () => {
  const wrong: string[] = [];
  for (const { v } of stateVectors) {
    for (const a of v.expected.alternatives ?? []) {
      for (const id of a.choices) if (CHOICE_BY_ID.get(id)?.kind !== 'alternative') wrong.push(`${v.id}: ${id}`);
      if (Object.keys(a).length < 2) wrong.push(`${v.id}: empty alternative`);
    }
  }
  expect(wrong).toEqual([]);
});

test('conformance/rules.md lists every choice of conformance/choices.ts', () => {
  const rules = fs.readFileSync(require('path').resolve(VECTORS_DIR, '../conformance/rules.md'), 'utf8');
  for (const id of CHOICE_BY_ID.keys()) expect([id, rules.includes(`| \`${id}\` |`)]).toEqual([id, true]);
});
