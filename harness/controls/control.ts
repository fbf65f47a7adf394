// Shared by the negative controls: deliberately broken implementations, each small enough to read
// at a glance, that the harness must report correctly on every CI run (test/harness/controls.test.ts).

import { REFERENCE_CAPABILITIES } from '../capabilities';
import type { HelloMessage } from '../../vectors/schema/types';

export function controlHello(name: string): HelloMessage {
  // The controls claim everything the reference can run, except stepping: they are not debuggers.
  return { type: 'hello', protocol: 1, name: `control-${name}`, version: '1', capabilities: REFERENCE_CAPABILITIES.filter((c) => c !== 'step') };
}

/** A deterministic choice per vector (not per request), so results do not depend on scheduling. */
export function idDigit(id: string): number { return parseInt(id.slice(-1), 16) || 0; }
