// Every state vector of the conformance suites gives the same observation (registers, pc,
// privilege, CSRs, memory, console, exit, instret and cycles) with translation on, translating
// at the first execution of a block head so that nearly every instruction runs translated, as
// with translation off (the definition).

import * as path from 'path';
import { loadSuites } from '../../harness/load';
import { runRequest } from '../../harness/adapters/implementation';
import { prepareState, runState } from '../../reference/run-state';
import { REFERENCE_CHOICES } from '../../reference/machine/choices';

const VECTORS = path.resolve(__dirname, '../../../vectors');

test('every state vector: translation on = translation off', () => {
  const differing: string[] = [];
  let count = 0;
  let someInputs: Parameters<typeof prepareState>[0] | null = null;
  for (const item of loadSuites(VECTORS)) {
    const v = item.vector;
    if (!v || v.inputs.kind !== 'state') continue;
    const msg = runRequest(v);
    if (msg.inputs.kind !== 'state') continue;
    const run = (jit: boolean) => {
      try { return JSON.stringify(runState(msg.inputs as never, msg.observe ?? [], msg.csrs ?? [], REFERENCE_CHOICES, jit ? { hot: 1 } : false)); }
      catch (e) { return `threw ${(e as Error).message}`; }
    };
    const off = run(false), on = run(true);
    count++;
    someInputs = msg.inputs as never;
    if (off !== on) differing.push(`${v.id} (${v.title}): ${off.slice(0, 200)} / ${on.slice(0, 200)}`);
  }
  expect(differing).toEqual([]);
  expect(count).toBeGreaterThan(1000);
  // The translating machine (pooled by run-state.ts) did translate: blocks of most vectors.
  const stats = prepareState(someInputs!, REFERENCE_CHOICES, false, { hot: 1 }).hart.jit!.stats;
  expect(stats.compiled).toBeGreaterThan(count);
});
