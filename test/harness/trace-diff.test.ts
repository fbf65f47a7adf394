// --trace-diff: against a reference with a wrong SRAW, the first diverging instruction of a
// failing random stream is an SRAW; the stream is shrunk to a minimal vector that still fails on
// the mutant, passes on the reference, matches the schema and records where it came from.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadFileText } from '../../harness/load';
import { buildMutant } from '../../harness/mutation/build';
import { MUTANTS } from '../../harness/mutation/mutants';
import { runSuite } from '../../harness/run-suite';
import { regionBytes } from '../../reference/state';
import { suiteItems } from './helpers';

describe('trace-diff', () => {
  test('finds the diverging SRAW and shrinks the stream', async () => {
    const mutant = buildMutant(MUTANTS.find((m) => m.name === 'sraw-sign')!);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-trace-'));
    try {
      const spec = { kind: 'external' as const, command: mutant.command, timeoutMs: 20_000 };
      const streams = suiteItems().filter((it) => it.file === 'isa/random/seeds-0001.json').slice(0, 30);
      const r = await runSuite({ items: streams, selection: {}, spec, jobs: 1, traceDiffDir: out, traceDiffLimit: 2 });
      const traced = r.records.filter((x) => x.trace);
      expect(traced.length).toBeGreaterThan(0);
      const t = traced[0].trace!;
      expect(t.instruction).toMatch(/^sraw /);
      expect(t.difference.where).toMatch(/^x\d+$/);

      const [item] = loadFileText('fixture/shrunk.json', fs.readFileSync(t.shrunk!, 'utf8'));
      expect(item.problem).toBeUndefined();
      const shrunk = item.vector!;
      expect(shrunk.provenance).toMatchObject({ generator: 'harness/shrink', derivedFrom: traced[0].id });
      const original = streams.find((it) => it.vector!.id === traced[0].id)!.vector!;
      const live = (v: typeof shrunk) => v.inputs.kind === 'state' ? Buffer.from(regionBytes(v.inputs.memory[0])).toString('hex').match(/.{8}/g)!.filter((w) => w !== '13000000').length : 0;
      expect(live(shrunk)).toBeLessThan(live(original) / 4);
      // Shrinking removes instructions, not only their values: no nop is left in the stream.
      const words = (v: typeof shrunk) => v.inputs.kind === 'state' ? Buffer.from(regionBytes(v.inputs.memory[0])).toString('hex').match(/.{8}/g)! : [];
      expect(words(shrunk).filter((w) => w === '13000000')).toEqual([]);
      expect(words(shrunk).length).toBeLessThan(words(original).length / 4);
      expect(shrunk.title).toMatch(/\d+ instructions removed, \d+ words deleted/);

      // The limit of traced failures is said, in the summary and on each untraced failure.
      const failing = r.records.filter((x) => x.kind === 'fail');
      expect(failing.length).toBeGreaterThan(2);
      expect(traced.length).toBeLessThanOrEqual(2);
      expect(r.summary.notes).toEqual([`--trace-diff traced the first 2 of ${failing.length} failing state vectors: the limit was reached (--trace-diff-limit N traces more)`]);
      for (const x of failing.filter((y) => !y.trace && !y.reason?.startsWith('trace-diff: pc'))) expect(x.reason).toMatch(/trace-diff: not traced \(the limit of 2 traced failures was reached/);

      const onMutant = await runSuite({ items: [item], selection: {}, spec, jobs: 1 });
      const onReference = await runSuite({ items: [item], selection: {}, spec: { kind: 'reference' }, jobs: 1 });
      expect(onMutant.records[0].kind).toBe('fail');
      expect(onReference.records[0].kind).toBe('pass');
    } finally {
      mutant.remove();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('an implementation without the step capability is told so, not traced', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-trace-'));
    try {
      const items = suiteItems().filter((it) => it.file === 'isa/addw.json').slice(0, 3);
      const r = await runSuite({ items, selection: {}, spec: { kind: 'external', command: `node ${JSON.stringify(path.resolve(__dirname, '../../harness/controls/wrong-answers.js'))}`, timeoutMs: 20_000 }, jobs: 1, traceDiffDir: out });
      for (const x of r.records.filter((y) => y.kind === 'fail')) expect(x.reason).toBe('trace-diff: the implementation has no step capability');
    } finally { fs.rmSync(out, { recursive: true, force: true }); }
  });
});
