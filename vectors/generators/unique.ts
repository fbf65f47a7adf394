// Generators drop every draft that repeats an earlier test (vectors/format.ts testKey: equal inputs
// and observed regions, hence equal ids) and keep the first title, which keeps ids stable.

import { testKey } from '../format';
import type { VectorDraft } from './isa';

/** Yield the drafts not seen before; pass one `seen` set to dedupe across several calls. */
export function* unique(drafts: Iterable<VectorDraft>, seen = new Set<string>()): Generator<VectorDraft> {
  for (const d of drafts) {
    const key = testKey(d.inputs, d.observe);
    if (seen.has(key)) continue;
    seen.add(key);
    yield d;
  }
}
