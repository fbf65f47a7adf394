// Capabilities: what an implementation says it can run (its handshake) against what a vector
// needs (its tags and its kind). Tags outside this vocabulary are markers (random,
// qemu-divergence:KEY, ...) and never cause a skip. conformance/PROTOCOL.md lists the vocabulary.

export const CAPABILITY_TAGS: ReadonlySet<string> = new Set([
  // instruction sets
  'rv64i', 'm', 'a', 'c', 'zicsr', 'zifencei',
  // privileged architecture and platform
  's', 'u', 'sv39', 'pmp', 'sstc', 'clint', 'plic', 'uart', 'smrnmi', 'doorbell', 'microvisor',
  // optional parts the specification leaves out of the base (conformance/choices.ts)
  'zicntr', 'zihpm',
  // PMP entry count and granularity, which the specification leaves to the platform (3.7.1):
  // 16 entries (pmpaddr8-15, pmpcfg2 implemented), 4-byte granules (G = 0: NA4 selectable, every
  // pmpaddr bit held)
  'pmp16', 'pmp-g0',
]);

/**
 * Capabilities that promise one side of a choice the specification leaves open: an implementation
 * declaring one is held to the outcomes without the choices it rules out (conformance/choices.ts
 * `excludedBy`). They never cause a skip. The reference performs misaligned accesses and updates
 * A/D in hardware, so it declares both.
 */
export const PROMISE_CAPABILITIES = ['zicclsm', 'svadu'] as const;

/** Vector kinds are capabilities too: an implementation runs `state` vectors, `image` vectors, `service` scenarios (the maintenance suite). */
export const KIND_CAPABILITIES = ['state', 'image', 'service'] as const;

/** Optional protocol features. */
/** `step`: trace requests; `line-cycles`: image observations with each console line's cycle count (the overhead gate). */
export const FEATURE_CAPABILITIES = ['step', 'line-cycles'] as const;

export const REFERENCE_CAPABILITIES: string[] = [...CAPABILITY_TAGS, ...PROMISE_CAPABILITIES, ...KIND_CAPABILITIES, ...FEATURE_CAPABILITIES];

/** Why the implementation cannot run this vector, or null when it can. */
export function missingCapability(vector: { tags: string[]; inputs: { kind: string } }, capabilities: ReadonlySet<string>): string | null {
  if (!capabilities.has(vector.inputs.kind)) return `needs ${vector.inputs.kind} vectors (not among the implementation's capabilities)`;
  // In the vocabulary's order, whatever the vector's tag order: equal reasons group together.
  const missing = [...CAPABILITY_TAGS].filter((t) => vector.tags.includes(t) && !capabilities.has(t));
  return missing.length ? `needs ${missing.join(', ')} (not among the implementation's capabilities)` : null;
}

/** Every capability name an implementation may declare: the tags above, the kinds and the protocol features. */
export const KNOWN_CAPABILITIES: ReadonlySet<string> = new Set(REFERENCE_CAPABILITIES);

/**
 * Why a handshake's capability list is not acceptable, or null: a name outside the vocabulary is a
 * mistake (a misspelling would otherwise skip every vector that needs it, silently).
 */
export function unknownCapabilities(declared: readonly string[]): string | null {
  const unknown = declared.filter((c) => !KNOWN_CAPABILITIES.has(c));
  if (!unknown.length) return null;
  const hint = (c: string) => (KNOWN_CAPABILITIES.has(c.toLowerCase()) ? ` (did you mean '${c.toLowerCase()}'?)` : '');
  return `unknown ${unknown.length === 1 ? 'capability' : 'capabilities'} ${unknown.map((c) => `'${c}'${hint(c)}`).join(', ')} (known: ${[...KNOWN_CAPABILITIES].join(', ')}; conformance/PROTOCOL.md)`;
}
