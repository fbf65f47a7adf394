// The reference implementation as an adapter, in-process: the default `devirt run --impl reference`.

import { runImage } from '../../reference/run-image';
import { runState } from '../../reference/run-state';
import { runServiceVector } from '../service/vector';
import { InternalError } from '../../reference/machine/machine';
import { REFERENCE_VERSION } from '../../vectors/format';
import type { HelloMessage, Observation, RunMessage, StateInputs, Step, Vector } from '../../vectors/schema/types';
import { REFERENCE_CAPABILITIES } from '../capabilities';
import { referenceSteps, wireSteps } from '../trace';
import { IMAGES_DIR } from '../../vectors/format';
import { Implementation, Outcome, runRequest } from './implementation';

export const REFERENCE_HELLO: HelloMessage = { type: 'hello', protocol: 1, name: 'devirt-reference', version: REFERENCE_VERSION, capabilities: REFERENCE_CAPABILITIES };

/** The reference's answer to a run request (shared with the external wrapper of the reference). */
export function referenceObservation(msg: RunMessage): Observation {
  if (msg.inputs.kind === 'state') return runState(msg.inputs, msg.observe ?? [], msg.csrs ?? []);
  if (msg.inputs.kind === 'service') return runServiceVector(msg.inputs, msg.images ?? IMAGES_DIR);
  const { lines, ...obs } = runImage(msg.inputs, msg.images ?? IMAGES_DIR, { stampLines: msg.stampLines === true });
  return msg.stampLines ? { ...obs, lines } : obs;
}

export function referenceStepsWire(inputs: StateInputs): Step[] { return wireSteps(referenceSteps(inputs)); }

export class ReferenceImplementation implements Implementation {
  readonly hello = REFERENCE_HELLO;
  async runAll(vectors: Vector[], imagesDir?: string): Promise<Outcome[]> {
    return vectors.map((v): Outcome => {
      const t = performance.now();
      try {
        const observation = referenceObservation(runRequest(v, imagesDir));
        return { kind: 'observed', observation, ms: Math.round((performance.now() - t) * 100) / 100 };
      }
      catch (e) {
        // A fault of the emulator itself is a crash; anything else is a vector it cannot run.
        if (e instanceof InternalError) return { kind: 'crash', reason: e.message };
        return { kind: 'error', reason: (e as Error).message };
      }
    });
  }
  async steps(_id: string, inputs: StateInputs): Promise<Step[]> { return referenceStepsWire(inputs); }
  async close(): Promise<void> { /* nothing held */ }
}
