// Building an implementation from its description; descriptions cross into worker threads.

import { ExternalImplementation } from './external';
import type { Implementation } from './implementation';
import { QemuImplementation } from './qemu';
import { ReferenceImplementation } from './reference';

export type ImplSpec =
  | { kind: 'reference' }
  | { kind: 'external'; command: string; timeoutMs: number; cwd?: string }
  | { kind: 'qemu'; timeoutMs: number };

export async function createImplementation(spec: ImplSpec): Promise<Implementation> {
  switch (spec.kind) {
    case 'reference': return new ReferenceImplementation();
    case 'external': return ExternalImplementation.start(spec.command, { timeoutMs: spec.timeoutMs, cwd: spec.cwd });
    case 'qemu': return new QemuImplementation(spec.timeoutMs);
  }
}
