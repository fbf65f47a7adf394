// Running a mutant on a bounded sample of the suite: the vectors aimed at its bug plus every
// SAMPLE_STRIDE-th vector, so the check stays fast and still exercises the rest of the suite.

import type { ResultRecord } from '../../vectors/schema/types';
import { Item } from '../load';
import { runSuite } from '../run-suite';
import { buildMutant } from './build';
import type { Mutant } from './mutants';

export const SAMPLE_STRIDE = 50;
/** Aimed vectors beyond this many are sampled evenly. */
export const AIM_LIMIT = 300;

export function sampleFor(m: Mutant, items: Item[]): Item[] {
  const valid = items.filter((it) => it.vector && !it.duplicateOf);
  const aimed = valid.filter((it) => m.aim.test([it.file, it.vector!.title, it.vector!.spec, ...it.vector!.tags].join(' ')));
  const stride = Math.max(1, Math.ceil(aimed.length / AIM_LIMIT));
  const keep = new Set([...aimed.filter((_, i) => i % stride === 0), ...valid.filter((_, i) => i % (m.stride ?? SAMPLE_STRIDE) === 0)]);
  return valid.filter((it) => keep.has(it));
}

export interface MutantReport { mutant: string; ran: number; aimed: number; caught: ResultRecord[] }

export async function checkMutant(m: Mutant, items: Item[], jobs = 2): Promise<MutantReport> {
  const sample = sampleFor(m, items);
  const built = buildMutant(m);
  try {
    const r = await runSuite({ items: sample, selection: {}, spec: { kind: 'external', command: built.command, timeoutMs: 20_000 }, jobs });
    const aimed = sample.filter((it) => m.aim.test([it.file, it.vector!.title, it.vector!.spec, ...it.vector!.tags].join(' '))).length;
    return { mutant: m.name, ran: r.records.length, aimed, caught: r.records.filter((x) => x.kind === 'fail') };
  } finally {
    built.remove();
  }
}
