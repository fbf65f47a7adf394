// What the runner needs from an implementation, whatever adapter drives it.

import { IMAGES_DIR } from '../../vectors/format';
import type { HelloMessage, Observation, RunMessage, StateInputs, Step, Vector } from '../../vectors/format';

/** What came back for one vector: an observation to judge, or why there is none. */
export type Outcome =
  | { kind: 'observed'; observation: Observation; /** milliseconds, where the adapter measured them */ ms?: number }
  | { kind: 'crash' | 'timeout' | 'error' | 'skip'; reason: string };

export interface Implementation {
  readonly hello: HelloMessage;
  /** Run vectors in order (an adapter may batch them, as QEMU does); images are in `imagesDir`. */
  runAll(vectors: Vector[], imagesDir?: string): Promise<Outcome[]>;
  /** Capability `step`: the state after each retired instruction of a state vector. */
  steps?(id: string, inputs: StateInputs): Promise<Step[] | Exclude<Outcome, { kind: 'observed' }>>;
  close(): Promise<void>;
}

/** The protocol's request for one vector. */
export function runRequest(v: Vector, imagesDir = IMAGES_DIR): RunMessage {
  const msg: RunMessage = { type: 'run', id: v.id, inputs: v.inputs };
  if (v.observe?.length) msg.observe = v.observe;
  if (v.inputs.kind === 'state') {
    const csrs = Object.keys((v.expected as { csrs?: Record<string, string> }).csrs ?? {});
    if (csrs.length) msg.csrs = csrs;
  } else {
    msg.images = imagesDir;
    // The overhead gate's runs time console lines: they carry the capability's tag.
    if (v.tags.includes('line-cycles')) msg.stampLines = true;
  }
  return msg;
}
