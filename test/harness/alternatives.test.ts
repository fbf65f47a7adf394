// Legal alternatives pass: the reference with each of its choices switched to another legal
// setting (harness/alternatives/legal.ts), run as an external implementation, passes every vector
// aimed at that choice and a sample of the rest of the isa and priv suites, and each result names
// the choice it followed. (`devirt run --impl-cmd "node dist/harness/alternatives/adapter.js NAME"`
// runs one on the whole suites; they all pass there too.) The negative controls and the mutants,
// which break the specification, fail in their own tests (controls.test.ts, mutation.test.ts).

import { CHOICE_BY_ID } from '../../conformance/choices';
import { LEGAL_ALTERNATIVES } from '../../harness/alternatives/legal';
import { runSuite } from '../../harness/run-suite';
import type { Item } from '../../harness/load';
import type { StateVector } from '../../vectors/schema/types';
import { nodeCmd, suiteItems } from './helpers';

const AIM_LIMIT = 1500, STRIDE = 40;
const stateItems = () => suiteItems().filter((it) => it.vector && !it.duplicateOf && it.vector.inputs.kind === 'state' && (it.vector.suite === 'isa' || it.vector.suite === 'priv'));
const names = (it: Item) => new Set(((it.vector as StateVector).expected.alternatives ?? []).flatMap((a) => a.choices));

/** The vectors whose alternatives name one of `covers` or whose tags name one (evenly capped), and every STRIDE-th other. */
function sampleFor(covers: string[]): { items: Item[]; aimed: Item[] } {
  const all = stateItems();
  const aimedAll = all.filter((it) => covers.some((c) => names(it).has(c) || it.vector!.tags.includes(c)));
  const step = Math.max(1, Math.ceil(aimedAll.length / AIM_LIMIT));
  const aimed = aimedAll.filter((_, i) => i % step === 0);
  const keep = new Set([...aimed, ...all.filter((_, i) => i % STRIDE === 0)]);
  return { items: all.filter((it) => keep.has(it)), aimed };
}

describe('legal alternatives pass the isa and priv suites', () => {
  test('every alternative and capability choice of conformance/choices.ts is covered by one', () => {
    const covered = new Set(LEGAL_ALTERNATIVES.flatMap((a) => a.covers));
    for (const id of covered) expect(CHOICE_BY_ID.has(id)).toBe(true);
    const needed = [...CHOICE_BY_ID.values()].filter((c) => (c.kind === 'alternative' && c.setting) || (c.kind === 'capability' && /^zi/.test(c.id))).map((c) => c.id);
    expect(needed.filter((id) => !covered.has(id))).toEqual([]);
  });

  test.each(LEGAL_ALTERNATIVES.map((a) => [a.name, a] as const))('%s', async (_name, a) => {
    const { items, aimed } = sampleFor(a.covers);
    expect(aimed.length).toBeGreaterThan(0);
    const r = await runSuite({ items, selection: {}, spec: { kind: 'external', command: `${nodeCmd('harness/alternatives/adapter.js')} ${a.name}`, timeoutMs: 20_000 }, jobs: 2 });
    const bad = r.records.filter((x) => x.kind !== 'pass' && x.kind !== 'skip').map((x) => `${x.id} ${x.title}: ${x.kind} ${x.difference?.where ?? x.reason ?? ''}`);
    expect(bad).toEqual([]);
    const skipped = r.records.filter((x) => x.kind === 'skip');
    if (a.without.some((c) => c === 'zicntr' || c === 'zihpm')) {
      // An absent optional part skips exactly the vectors that need it, with the reason.
      expect(skipped.length).toBeGreaterThan(0);
      for (const s of skipped) expect(s.reason).toMatch(/needs (zicntr|zihpm)/);
    } else {
      expect(skipped).toEqual([]);
      // The alternative was taken, and the results say which choice it followed.
      const followed = new Set(r.records.flatMap((x) => x.choices ?? []));
      for (const c of a.covers) expect([c, followed.has(c)]).toEqual([c, true]);
    }
  });

  test('an implementation that promises zicclsm is held to it: trapping a misaligned access then fails', async () => {
    const aimed = stateItems().filter((it) => names(it).has('misaligned-address-trap')).slice(0, 40);
    const r = await runSuite({ items: aimed, selection: {}, spec: { kind: 'external', command: `${nodeCmd('harness/alternatives/adapter.js')} misaligned-traps zicclsm`, timeoutMs: 20_000 }, jobs: 1 });
    expect(r.records.length).toBe(40);
    for (const x of r.records) expect([x.id, x.kind]).toEqual([x.id, 'fail']);
  });
});
