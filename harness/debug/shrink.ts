// Shrinking a failing random instruction stream to a minimal failing vector (delta debugging).
// The stream is the first memory region's words up to its last ebreak. First instructions the
// failure does not need become `addi x0, x0, 0` (which keeps every branch offset valid while the
// search runs), then those nops are deleted from the stream, the offsets of the branches and jumps
// that cross them re-encoded, so the shrunk vector holds only the instructions that matter.
// Last, initial registers the failure does not need are dropped (they start at zero instead).

import { decode } from '../../reference/machine/isa/decode';
import { ROW_OF } from '../../reference/machine/isa/opcodes';
import { regionBytes, StateInputs } from '../../reference/state';
import { encode } from '../../reference/tools/disasm';

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

export interface Shrunk {
  inputs: StateInputs;
  /** Instructions of the stream that are gone (made nops, then deleted). */
  removed: number;
  /** Words deleted from the stream (the nops among them included). */
  deleted: number;
  droppedRegisters: number;
  tries: number;
}

/**
 * Returns inputs whose stream has as few live instructions as the failure allows (1-minimal
 * with respect to single-instruction removal), and as few initial registers. `stillFails` must
 * be deterministic.
 */
export async function shrinkStream(inputs: StateInputs, stillFails: StillFails, budget = 2000): Promise<Shrunk> {
  const original = wordsOf(inputs);
  if (!original) return { inputs, removed: 0, deleted: 0, droppedRegisters: 0, tries: 0 };
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
  // Delete the nops (all at once first, then in halves, as above), keeping what still fails.
  let kept = words;
  const nopsIn = (ws: string[], end: number) => ws.slice(0, end).map((w, i) => (w === NOP ? i : -1)).filter((i) => i >= 0);
  let nops = nopsIn(kept, body);
  chunk = nops.length;
  while (chunk >= 1 && nops.length && tries < budget) {
    let progress = false;
    for (let start = 0; start < nops.length && tries < budget; start += chunk) {
      const trial = withoutWords(kept, new Set(nops.slice(start, start + chunk)));
      if (!trial) continue;
      tries++;
      if (await stillFails(withWords(inputs, trial))) {
        body -= kept.length - trial.length;
        kept = trial;
        nops = nopsIn(kept, body);
        progress = true;
        break;
      }
    }
    if (!progress) chunk = Math.floor(chunk / 2);
    else chunk = Math.min(chunk, nops.length);
  }
  let result = withWords(inputs, kept);
  let droppedRegisters = 0;
  for (const reg of Object.keys(result.hart.x ?? {})) {
    if (tries >= budget) break;
    const x = { ...result.hart.x };
    delete x[reg];
    const trial = { ...result, hart: { ...result.hart, x } };
    tries++;
    if (await stillFails(trial)) { result = trial; droppedRegisters++; }
  }
  const live = (ws: string[]) => ws.filter((w) => w !== NOP).length;
  const removed = live(original) - live(kept);
  return { inputs: result, removed, deleted: original.length - kept.length, droppedRegisters, tries };
}

/**
 * `words` without the words at `drop`, every branch and jal re-aimed at the word it aimed at
 * before (or the next one kept, when that one was dropped); null when an offset cannot be kept.
 */
export function withoutWords(words: string[], drop: ReadonlySet<number>): string[] | null {
  const newIndex: number[] = [];
  let n = 0;
  for (let i = 0; i <= words.length; i++) { newIndex.push(n); if (i < words.length && !drop.has(i)) n++; }
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (drop.has(i)) continue;
    const bits = Number(words[i]);
    const d = decode(bits);
    const row = ROW_OF[d.op];
    if (d.len === 4 && row && (row.format === 'B' || row.format === 'J')) {
      const target = i + d.imm / 4;
      if (!Number.isInteger(target) || target < 0 || target > words.length) return null;
      const imm = 4 * (newIndex[target] - newIndex[i]);
      out.push('0x' + (encode(row.name, { rd: d.rd, rs1: d.rs1, rs2: d.rs2, imm }) >>> 0).toString(16).padStart(8, '0'));
    } else out.push(words[i]);
  }
  return out;
}
