// Run an "image" vector on the reference: boot its firmware and kernel as QEMU virt would, and
// deliver its schedule of maintenance events through the management doorbell at exact
// instruction counts.

import * as fs from 'fs';
import * as path from 'path';
import { Machine } from './machine/machine';
import type { ImageInputs, ImageObservation } from './state';
import { imagePath } from '../vectors/format';

/** Doorbell causes understood by the Microvisor (conformance/maintenance-sbi.md). */
export const DOORBELL_CAUSE = { virtualize: 1, devirtualize: 2 } as const;

export function loadImage(imagesDir: string, hash: string): Uint8Array {
  const file = imagePath(imagesDir, hash);
  if (!fs.existsSync(file)) throw new Error(`image ${hash} not found in ${imagesDir}`);
  return new Uint8Array(fs.readFileSync(file));
}

/** What the Microvisor says it cost (its `mv_stats`, conformance/maintenance-sbi.md), when the firmware has them. */
// A type alias (not an interface) so that it is assignable to the wire's Record<string, number>.
export type FirmwareCost = {
  cycles: number; instructions: number; traps: number; virtualizeCycles: number; devirtualizeCycles: number;
  sbiCalls: number; doorbells: number; sliceTicks: number; virtualizations: number; devirtualizations: number;
};

export function firmwareCost(m: Machine): FirmwareCost | undefined {
  const sym = m.symbols.find((s) => s.name === 'mv_stats' && s.size >= 80);
  if (!sym) return undefined;
  const b = m.readBytes(BigInt(sym.value), 80);
  const dv = new DataView(b.buffer, b.byteOffset);
  const at = (i: number) => Number(dv.getBigUint64(i * 8, true));
  return {
    cycles: at(0), instructions: at(1), traps: at(2), virtualizeCycles: at(3), devirtualizeCycles: at(4),
    sbiCalls: at(5), doorbells: at(6), sliceTicks: at(7), virtualizations: at(8), devirtualizations: at(9),
  };
}

export function runImage(inputs: ImageInputs, imagesDir: string, opts: { stampLines?: boolean } = {}): ImageObservation & { firmware?: FirmwareCost } {
  const kernel = loadImage(imagesDir, inputs.kernel);
  const bios = inputs.bios === 'none' ? null : loadImage(imagesDir, inputs.bios);
  const lines: NonNullable<ImageObservation['lines']> = [];
  let current = '';
  let m: Machine | null = null;
  // Stamps let the overhead gate measure cycles between markers the guest prints.
  const onConsole = opts.stampLines ? (b: number) => {
    if (b === 10) { lines.push({ text: current, cycles: m!.hart.cycles, instret: m!.hart.instret }); current = ''; }
    else current += String.fromCharCode(b);
  } : undefined;
  const mmodeFirmware = inputs.mmodeFirmware ? loadImage(imagesDir, inputs.mmodeFirmware) : null;
  m = new Machine({ ramSize: inputs.ramSize, kernel, bios, mmodeFirmware, kernelName: inputs.kernel, biosName: inputs.bios, mmodeFirmwareName: inputs.mmodeFirmware, onConsole });
  const schedule = [...(inputs.schedule ?? [])].sort((a, b) => a.at - b.at);
  const delivered: ImageObservation['delivered'] = [];
  let exit: ImageObservation['exit'] = { kind: 'limit' };
  for (let i = 0; ; i++) {
    const next = schedule[i];
    const until = next ? Math.min(next.at, inputs.maxInsns) : inputs.maxInsns;
    const r = m.run({ maxInsns: Math.max(0, until - m.hart.instret) });
    // A guest idle in wfi can still be woken by the next scheduled doorbell.
    const wakeable = r.reason === 'idle' && next !== undefined;
    if (r.reason !== 'limit' && !wakeable) { exit = { kind: r.reason === 'break' ? 'limit' : r.reason, code: r.code }; break; }
    if (!next || m.hart.instret >= inputs.maxInsns) break;
    const cause = next.action === 'doorbell' ? (next.cause ?? 0) : DOORBELL_CAUSE[next.action];
    m.doorbell.ring(cause);
    delivered.push({ at: m.hart.instret, action: next.action });
  }
  const obs: ImageObservation & { firmware?: FirmwareCost } = { console: m.console, exit, instret: m.hart.instret, cycles: m.hart.cycles, delivered };
  if (opts.stampLines) obs.lines = lines;
  const cost = firmwareCost(m);
  if (cost) obs.firmware = cost;
  return obs;
}
