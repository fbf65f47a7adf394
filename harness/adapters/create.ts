// Building an implementation from its description; descriptions cross into worker threads.

import { ExternalImplementation } from './external';
import type { Implementation } from './implementation';
import { qemuCannotRun, QemuImplementation } from './qemu';
import type { Vector } from '../../vectors/format';
import { ReferenceImplementation } from './reference';

export type ImplSpec =
  | { kind: 'reference' }
  | { kind: 'external'; command: string; timeoutMs: number; cwd?: string }
  | { kind: 'qemu'; timeoutMs: number };

/** Why the implementation cannot run this vector beyond what its capabilities say, or null (the runner skips it with the reason). */
export function implementationCannotRun(spec: ImplSpec, v: Vector): string | null {
  return spec.kind === 'qemu' ? qemuCannotRun(v) : null;
}

export async function createImplementation(spec: ImplSpec): Promise<Implementation> {
  switch (spec.kind) {
    case 'reference': return new ReferenceImplementation();
    case 'external': return ExternalImplementation.start(spec.command, { timeoutMs: spec.timeoutMs, cwd: spec.cwd });
    case 'qemu': return new QemuImplementation(spec.timeoutMs);
  }
}
