// One rule for "the same test": drafts with equal inputs and observed regions are one vector (their
// ids would be equal), so generators drop every repeat and keep the first title, which keeps ids stable.

import type { VectorDraft } from './isa';

/** Yield the drafts not seen before; pass one `seen` set to dedupe across several calls. */
export function* unique(drafts: Iterable<VectorDraft>, seen = new Set<string>()): Generator<VectorDraft> {
  for (const d of drafts) {
    const key = JSON.stringify([d.inputs, d.observe ?? null]);
    if (seen.has(key)) continue;
    seen.add(key);
    yield d;
  }
}
