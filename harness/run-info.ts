// What a report says about the run that made it, beyond its results: enough to put shards back
// together (the same selection, the same vectors, each shard once) and to tell a partial run
// from a finished one.

import { createHash } from 'crypto';

export interface RunInfo {
  /** devirt's own version (package.json), which fixes the vectors' format and the checkers. */
  devirt: string;
  /** The selection before sharding, as given on the command line. */
  selection: { suites: string[] | null; filters: string[] };
  shard: { index: number; count: number } | null;
  /** sha256 over the ids of the whole selection before sharding: every shard of one run has the same. */
  selectionDigest: string;
  /** How many vectors the whole selection holds (all shards together). */
  selectionSize: number;
  /** The signal that stopped the run early, or null when every vector of the shard was run. */
  interrupted: string | null;
  startedAt: string;
  durationMs: number;
  /** Set by `devirt report merge`: the reports this one was put together from. */
  merged?: string[];
}

/** The digest of a selection: ids are content-derived, so equal digests mean the same vectors. */
export function selectionDigest(ids: string[]): string {
  const h = createHash('sha256');
  for (const id of [...ids].sort()) h.update(id).update('\n');
  return h.digest('hex');
}

export const DEVIRT_VERSION: string = require('../../package.json').version;
