// Shrinking a failing random instruction stream to a minimal failing vector (delta debugging).
// The stream is the first memory region's words up to its last ebreak; a removed instruction
// becomes `addi x0, x0, 0`, which keeps every branch offset valid. Then initial registers the
// failure does not need are dropped (they start at zero instead).

import { regionBytes, StateInputs } from '../../reference/state';

const NOP = '0x00000013';
const EBREAK = 0x00100073;

export type StillFails = (inputs: StateInputs) => Promise<boolean>;

function withWords(inputs: StateInputs, words: string[]): StateInputs {
  const memory = inputs.memory.map((r, i) => (i === 0 ? { base: r.base, words } : r));
  return { ...inputs, memory };
}

function wordsOf(inputs: StateInputs): string[] | null {
  const region = inputs.memory[0];
  if (!region) return null;
  const bytes = regionBytes(region);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  for (let o = 0; o + 4 <= bytes.length; o += 4) out.push('0x' + dv.getUint32(o, true).toString(16).padStart(8, '0'));
  return out;
}

export interface Shrunk { inputs: StateInputs; removed: number; droppedRegisters: number; tries: number }

/**
 * Returns inputs whose stream has as few live instructions as the failure allows (1-minimal
 * with respect to single-instruction removal), and as few initial registers. `stillFails` must
 * be deterministic.
 */
export async function shrinkStream(inputs: StateInputs, stillFails: StillFails, budget = 2000): Promise<Shrunk> {
  const original = wordsOf(inputs);
  if (!original) return { inputs, removed: 0, droppedRegisters: 0, tries: 0 };
  const words = [...original];
  // Everything from the last ebreak on stays: it ends the program.
  let body = words.length;
  for (let i = words.length - 1; i >= 0; i--) if (Number(words[i]) === EBREAK) { body = i; break; }
  let tries = 0;
  let chunk = Math.max(1, Math.floor(body / 2));
  while (chunk >= 1 && tries < budget) {
    let progress = false;
    for (let start = 0; start < body && tries < budget; start += chunk) {
      const trial = [...words];
      let changed = false;
      for (let i = start; i < Math.min(start + chunk, body); i++) if (trial[i] !== NOP) { trial[i] = NOP; changed = true; }
      if (!changed) continue;
      tries++;
      if (await stillFails(withWords(inputs, trial))) { words.splice(0, words.length, ...trial); progress = true; }
    }
    if (!progress) chunk = Math.floor(chunk / 2);
  }
  let result = withWords(inputs, words);
  let droppedRegisters = 0;
  for (const reg of Object.keys(result.hart.x ?? {})) {
    if (tries >= budget) break;
    const x = { ...result.hart.x };
    delete x[reg];
    const trial = { ...result, hart: { ...result.hart, x } };
    tries++;
    if (await stillFails(trial)) { result = trial; droppedRegisters++; }
  }
  const removed = words.slice(0, body).filter((w, i) => w === NOP && original[i] !== NOP).length;
  return { inputs: result, removed, droppedRegisters, tries };
}
