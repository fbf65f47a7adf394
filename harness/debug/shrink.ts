// Shrinking a failing random instruction stream to a minimal failing vector (delta debugging
// over instructions). The stream is the first memory region's words up to its final ebreak;
// removed instructions are replaced by `addi x0, x0, 0`, which keeps every branch offset valid.

import { regionBytes, StateInputs } from '../../reference/state';

const NOP = '0x00000013';

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

/**
 * Returns inputs whose stream has as few live instructions as the failure allows (1-minimal
 * with respect to single-instruction removal). `stillFails` must be deterministic.
 */
export async function shrinkStream(inputs: StateInputs, stillFails: StillFails, budget = 2000): Promise<{ inputs: StateInputs; removed: number; tries: number }> {
  const original = wordsOf(inputs);
  if (!original) return { inputs, removed: 0, tries: 0 };
  const words = [...original];
  const body = words.length - 1; // the final ebreak stays
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
  const result = withWords(inputs, words);
  const removed = words.slice(0, body).filter((w) => w === NOP).length;
  return { inputs: result, removed, tries };
}
