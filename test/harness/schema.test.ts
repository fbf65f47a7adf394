// Vectors are validated on load: a malformed one is reported with its file, its id and the JSON
// pointer of the offending field, and the run goes on with the others.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadFileText, loadSuites } from '../../harness/load';
import { runSuite } from '../../harness/run-suite';
import { check } from '../../vectors/schema/validate';
import { devirt, suiteItems } from './helpers';

const GOOD = {
  id: 'isa-0000000000000001', suite: 'isa', title: 'addi: x7 = x5 + 1', tags: ['rv64i'], spec: 'riscv-unpriv 20191213 2.4/ADDI',
  provenance: { generator: 'test', generatorVersion: '1', referenceVersion: '0.1.0', expected: 'spec' },
  inputs: { kind: 'state', memory: [{ base: '0x80000000', words: ['0x00128393', '0x00100073'] }], hart: { pc: '0x80000000', priv: 'M', x: { x5: '0x41' } }, stop: { maxInsns: 9, onTrap: true } },
  expected: { x: { x7: '0x42' }, pc: '0x80000004', exit: { kind: 'trap', cause: '0x3', tval: '0x0', epc: '0x80000004' }, instret: 1 },
};
const clone = () => JSON.parse(JSON.stringify(GOOD));
const fileOf = (...vectors: unknown[]) => JSON.stringify({ vectors });

describe('schema', () => {
  test('every committed vector matches the schema', () => {
    const problems = suiteItems().filter((it) => it.problem).map((it) => it.problem!.message);
    expect(problems).toEqual([]);
    expect(suiteItems().length).toBeGreaterThanOrEqual(10_000);
  });

  test('the hand-written sample vector is valid and passes on the reference', async () => {
    expect(check('vector', GOOD)).toBeNull();
    const r = await runSuite({ items: loadFileText('isa/t.json', fileOf(GOOD)), selection: {}, spec: { kind: 'reference' }, jobs: 1 });
    expect(r.records.map((x) => x.kind)).toEqual(['pass']);
  });

  const cases: [string, (v: any) => void, string][] = [
    ['a pc that is not hex', (v) => { v.inputs.hart.pc = '0x8000000g'; }, '/inputs/hart/pc: must match pattern "^0x[0-9a-fA-F]{1,16}$" (value "0x8000000g")'],
    ['a missing exit', (v) => { delete v.expected.exit; }, '/expected/exit: is required'],
    ['an unknown field', (v) => { v.expected.registers = {}; }, '/expected/registers: is not allowed here'],
    ['an unknown vector kind', (v) => { v.inputs.kind = 'elf'; }, '/inputs/kind: must be equal to one of the allowed values: "state", "image", "service" (value "elf")'],
    ['a region with both words and bytes', (v) => { v.inputs.memory[0].bytes = '00'; }, '/inputs/memory/0: must have exactly one of words, bytes'],
    ['a register out of range', (v) => { v.expected.x.x32 = '0x1'; }, '/expected/x/x32: is not an allowed name here (must match pattern'],
    ['a register value as a number', (v) => { v.expected.x.x7 = 66; }, '/expected/x/x7: must be string (value 66)'],
    ['an unknown exit kind', (v) => { v.expected.exit.kind = 'halt'; }, '/expected/exit/kind: must be equal to one of the allowed values'],
    ['a negative instruction limit', (v) => { v.inputs.stop.maxInsns = -1; }, '/inputs/stop/maxInsns: must be >= 0 (value -1)'],
    ['an image vector without a kernel', (v) => { v.inputs = { kind: 'image', bios: 'none', maxInsns: 10 }; v.expected = { console: '', exit: { kind: 'finisher', code: 0 } }; }, '/inputs/kernel: is required'],
    ['an image vector with a bad firmware hash', (v) => { v.inputs = { kind: 'image', kernel: 'a'.repeat(64), bios: 'ABC', maxInsns: 10 }; v.expected = { console: '', exit: { kind: 'finisher', code: 0 } }; }, '/inputs/bios: matches none of the allowed forms (value "ABC")'],
    ['an unknown provenance source', (v) => { v.provenance.expected = 'guess'; }, '/provenance/expected: must be equal to one of the allowed values: "reference", "reference+qemu", "spec" (value "guess")'],
  ];
  test.each(cases)('rejects %s, naming file, id and pointer', (_name, mutate, message) => {
    const bad = clone();
    mutate(bad);
    const items = loadFileText('isa/bad.json', fileOf(GOOD, bad));
    expect(items[0].vector).toBeDefined();
    const p = items[1].problem!;
    expect(p).toBeDefined();
    expect(p.file).toBe('isa/bad.json');
    expect(p.id).toBe(GOOD.id);
    expect(p.message.startsWith(message)).toBe(true);
  });

  test('a vector without an id is named by its position', () => {
    const bad = clone();
    delete bad.id;
    const [item] = loadFileText('isa/bad.json', fileOf(bad));
    expect(item.problem!.id).toBe('(vector 0 of isa/bad.json)');
    expect(item.problem!.message).toBe('/id: is required');
  });

  test('a file that is not JSON, or not a vector file, is one problem naming the file', () => {
    expect(loadFileText('isa/x.json', '{"vectors": [')[0].problem!.message).toMatch(/^not JSON: /);
    expect(loadFileText('isa/x.json', '{"vector": []}')[0].problem!.message).toBe('/vectors: is required');
  });

  test('defaults are merged into each vector; the vector\'s own fields win', () => {
    const { suite, tags, ...rest } = clone();
    const items = loadFileText('isa/d.json', JSON.stringify({ defaults: { suite, tags, title: 'default title' }, vectors: [rest] }));
    expect(items[0].vector!.suite).toBe('isa');
    expect(items[0].vector!.title).toBe(GOOD.title);
  });

  test('an id reused for a different expectation is a problem; the same test twice is a duplicate', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-schema-'));
    try {
      fs.mkdirSync(path.join(dir, 'isa'));
      const other = clone();
      other.expected.x.x7 = '0x43';
      const renamed = { ...clone(), title: 'the same test under another title' };
      const otherTest = clone();
      otherTest.inputs.hart.x = { ...otherTest.inputs.hart.x, x9: '0x9' };
      fs.writeFileSync(path.join(dir, 'isa/a.json'), fileOf(GOOD));
      fs.writeFileSync(path.join(dir, 'isa/b.json'), fileOf(renamed, other, otherTest));
      const items = loadSuites(dir);
      expect(items[1].duplicateOf).toBe('isa/a.json');
      expect(items[2].problem!.message).toBe('/id: the id of a vector with a different expectation in isa/a.json');
      expect(items[3].problem!.message).toBe('/id: the id of a different test (other inputs or observed regions) in isa/a.json');
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });

  test('the run goes on: the invalid vector is an error result, the others run, the exit code is 1', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-schema-'));
    try {
      fs.mkdirSync(path.join(dir, 'isa'));
      const bad = clone();
      bad.id = 'isa-00000000000000bad';
      bad.inputs.hart.pc = 'eighty million';
      const second = clone();
      second.id = 'isa-0000000000000002';
      fs.writeFileSync(path.join(dir, 'isa/mixed.json'), fileOf(GOOD, bad, second));
      const r = devirt(['run', '--vectors', dir, '--reporter', 'tap', '--jobs', '1']);
      expect(r.status).toBe(1);
      const points = r.stdout.split('\n').filter((l) => /^(not )?ok /.test(l));
      expect(points).toHaveLength(3);
      expect(points[0]).toMatch(/^ok 1 /);
      expect(points[1]).toMatch(/^not ok 2 /);
      expect(points[2]).toMatch(/^ok 3 /);
      expect(r.stdout).toContain('reason: "isa/mixed.json: isa-00000000000000bad: /inputs/hart/pc: must match pattern');
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});
