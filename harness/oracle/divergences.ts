// What the vectors say about QEMU, read in one place for `devirt run --impl qemu` and
// `devirt vectors crosscheck --oracle qemu`: a tag `qemu-divergence:KEY` marks a vector on which
// QEMU 7.2 differs from the expectation for the reason conformance/qemu-divergences.md gives under
// the heading `## KEY`; a tag `qemu-skip:KEY[: note]` marks one that QEMU cannot run at all (the
// heading `## qemu-skip: KEY` says why).

import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../../vectors/format';

export const DIVERGENCES_DOC = 'conformance/qemu-divergences.md';
const DIVERGENCE = 'qemu-divergence:';
const SKIP = 'qemu-skip:';

let documented: ReadonlySet<string> | null = null;

/** The KEYs that conformance/qemu-divergences.md explains (its `## KEY` headings). */
export function documentedDivergences(): ReadonlySet<string> {
  if (documented) return documented;
  const text = fs.readFileSync(path.join(REPO_ROOT, DIVERGENCES_DOC), 'utf8');
  return (documented = new Set([...text.matchAll(/^## ([a-z0-9-]+)\s*$/gm)].map((m) => m[1])));
}

/** The vector's divergence KEY, if it carries one. */
export function divergenceKey(tags: readonly string[]): string | undefined {
  return tags.find((t) => t.startsWith(DIVERGENCE))?.slice(DIVERGENCE.length);
}

/** Why QEMU does not run this vector (its `qemu-skip:` tag), or null. */
export function qemuSkipReason(tags: readonly string[]): string | null {
  const tag = tags.find((t) => t.startsWith(SKIP));
  return tag ? `QEMU cannot run it: ${tag.slice(SKIP.length)} (${DIVERGENCES_DOC}, qemu-skip)` : null;
}
