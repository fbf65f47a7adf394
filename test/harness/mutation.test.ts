// The mutation check: copies of the reference with a known bug written into the compiled
// machine, run as external implementations on a bounded sample of the suite (the vectors aimed
// at the bug plus every 50th vector). Each bug must be caught by at least one vector.

import { checkMutant } from '../../harness/mutation/check';
import { MUTANTS } from '../../harness/mutation/mutants';
import { fixtureItems, suiteItems } from './helpers';

// Spec-derived PMP vectors (test/harness/fixtures) stand in until the priv suite has its own.
const items = () => [...suiteItems(), ...fixtureItems('pmp-priority.json')];

describe('mutation check', () => {
  test.each(MUTANTS.map((m) => [m.name, m] as const))('%s is caught', async (_name, m) => {
    const r = await checkMutant(m, items());
    expect(r.aimed).toBeGreaterThan(0);
    expect(r.caught.length).toBeGreaterThan(0);
    // Caught means the checker found a difference, not that the mutant failed to run.
    for (const c of r.caught) expect(c.difference).toBeDefined();
  });

  test('the unmutated fixtures pass on the reference', async () => {
    const { runSuite } = await import('../../harness/run-suite');
    const r = await runSuite({ items: fixtureItems('pmp-priority.json'), selection: {}, spec: { kind: 'reference' }, jobs: 1 });
    expect(r.records.map((x) => x.kind)).toEqual(['pass', 'pass']);
  });
});
