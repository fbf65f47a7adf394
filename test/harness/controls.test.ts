// Negative controls: deliberately broken implementations the harness must report correctly.
// Each runs on a small deterministic sample; what each must produce follows from its bug.

import { idDigit } from '../../harness/controls/control';
import { runSuite } from '../../harness/run-suite';
import { regionBytes } from '../../reference/state';
import type { Item } from '../../harness/load';
import type { ResultRecord, StateVector } from '../../vectors/schema/types';
import { nodeCmd, sample, suiteItems } from './helpers';

const control = (name: string) => nodeCmd(`harness/controls/${name}.js`);
const run = (name: string, items: Item[], timeoutMs = 20_000) =>
  runSuite({ items, selection: {}, spec: { kind: 'external', command: control(name), timeoutMs }, jobs: 2 });
const byId = (records: ResultRecord[]) => new Map(records.map((r) => [r.id, r]));

/** The bytes a vector's inputs put at [base, base + length). */
function givenBytes(v: StateVector, base: bigint, length: number): string {
  const out = Buffer.alloc(length);
  for (const r of v.inputs.memory) {
    const bytes = regionBytes(r);
    for (let k = 0; k < length; k++) { const o = Number(base - BigInt(r.base)) + k; if (o >= 0 && o < bytes.length) out[k] = bytes[o]; }
  }
  return out.toString('hex');
}

/** The controls answer state vectors; image vectors have their own tests (image.test.ts). */
const stateSample = (stride: number, offset = 0) => sample(stride, offset).filter((it) => it.vector?.inputs.kind === 'state');

/** A broad sample plus the vectors that store to memory. */
const broad = () => [...stateSample(120), ...suiteItems().filter((it) => it.file === 'isa/sd.json' && !it.duplicateOf).slice(0, 10)];

describe('negative controls', () => {
  test('pass-like answers without running: every vector whose expectation is not the initial state fails', async () => {
    const items = broad();
    const r = await run('pass-like', items);
    const results = byId(r.records);
    for (const it of items) {
      const v = it.vector as StateVector;
      const ranSomething = v.expected.exit.epc !== v.inputs.hart.pc || Object.keys(v.expected.x).length > 0;
      if (ranSomething) expect([v.id, results.get(v.id)!.kind]).toEqual([v.id, 'fail']);
    }
    expect(r.summary.total.fail).toBeGreaterThan(items.length * 0.9);
    expect(r.summary.failed).toBe(true);
  });

  test('ignores-memory fails exactly the vectors whose observed memory changes, at the first changed byte', async () => {
    const items = broad();
    const r = await run('ignores-memory', items);
    const results = byId(r.records);
    let stores = 0;
    for (const it of items) {
      const v = it.vector as StateVector;
      const res = results.get(v.id)!;
      const changes = (v.observe ?? []).some((o, i) => givenBytes(v, BigInt(o.base), o.length) !== v.expected.memory![i].bytes);
      if (changes) { stores++; expect([v.id, res.kind, res.difference?.where.startsWith('mem 0x')]).toEqual([v.id, 'fail', true]); }
      else expect([v.id, res.kind]).toEqual([v.id, 'pass']);
    }
    expect(stores).toBeGreaterThan(5);
    const sd = r.records.find((x) => x.file === 'isa/sd.json' && x.kind === 'fail')!;
    expect(sd.at!.instruction).toMatch(/^sd /);
  });

  test('wrong-answers fails at the register it got wrong, by exactly one', async () => {
    const items = stateSample(80, 3);
    const r = await run('wrong-answers', items);
    const failing = r.records.filter((x) => x.kind === 'fail');
    expect(failing.length).toBeGreaterThan(items.length / 2);
    for (const f of failing) {
      expect(f.difference!.where).toMatch(/^x\d+$/);
      expect(BigInt.asUintN(64, BigInt(f.difference!.actual) - BigInt(f.difference!.expected))).toBe(1n);
      expect(f.at).toBeDefined();
    }
    // A vector whose program changes no register is answered correctly.
    for (const p of r.records.filter((x) => x.kind === 'pass')) {
      const v = items.find((it) => it.vector!.id === p.id)!.vector as StateVector;
      expect(Object.keys(v.expected.x)).toEqual([]);
    }
  });

  test('malformed output is a crash naming what was wrong, for every vector', async () => {
    const items = stateSample(500, 1);
    const r = await run('malformed', items);
    expect(r.records.map((x) => x.kind)).toEqual(items.map(() => 'crash'));
    for (const x of r.records) {
      expect(x.reason).toMatch(idDigit(x.id) % 2 === 0 ? /^malformed reply \(not JSON\)/ : /^malformed observation: \/x\/x7: must be string \(value 5\)/);
    }
  });

  test('a crashing implementation: its crashes are reported per vector and the run goes on', async () => {
    const items = stateSample(700, 2);
    const r = await run('crash', items);
    for (const x of r.records) {
      if (idDigit(x.id) < 4) { expect(x.kind).toBe('crash'); expect(x.reason).toMatch(/exited with code 70 \(stderr, last lines: (.* \| )?control-crash: dying on /); }
      else expect([x.id, x.kind]).toEqual([x.id, 'pass']);
    }
    expect(r.summary.total.crash).toBeGreaterThan(0);
    expect(r.summary.total.pass).toBeGreaterThan(0);
  });

  test('a hanging implementation: its hangs are timeouts and the run goes on', async () => {
    const items = suiteItems().filter((it) => it.vector && !it.duplicateOf && it.file === 'isa/add.json').slice(0, 24);
    const hangs = items.filter((it) => idDigit(it.vector!.id) === 0).length;
    expect(hangs).toBeGreaterThan(0);
    const r = await run('hang', items, 2500);
    for (const x of r.records) {
      if (idDigit(x.id) === 0) expect([x.kind, x.reason]).toEqual(['timeout', 'no answer within 2500 ms']);
      else expect([x.id, x.kind]).toEqual([x.id, 'pass']);
    }
  });
});
