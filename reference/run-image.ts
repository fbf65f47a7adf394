// Run an "image" vector on the reference: boot its firmware and kernel as QEMU virt would, and
// deliver its schedule of maintenance events through the management doorbell at exact
// instruction counts (the boot session, reference/session.ts, owns the schedule).

import * as fs from 'fs';
import * as path from 'path';
import { Machine } from './machine/machine';
import type { ImageInputs, ImageObservation } from './state';
import { BootSession, doorbellEvent } from './session';
import { imagePath } from '../vectors/format';
import { MemoryBlockBackend } from './machine/devices/block-memory';

// Thousands of image vectors name the same few images: each file is read once per process (again
// only if it changed). The bytes are shared, which is safe because nothing writes them: a machine
// copies what it loads into its RAM, and a drive is a copy (MemoryBlockBackend).
const imageCache = new Map<string, { mtimeMs: number; size: number; bytes: Uint8Array }>();

export function loadImage(imagesDir: string, hash: string): Uint8Array {
  const file = imagePath(imagesDir, hash);
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) throw new Error(`image ${hash} not found in ${imagesDir}`);
  const cached = imageCache.get(file);
  if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.bytes;
  const bytes = new Uint8Array(fs.readFileSync(file));
  imageCache.set(file, { mtimeMs: st.mtimeMs, size: st.size, bytes });
  return bytes;
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
  // A drive is a copy of its image: what the guest writes lasts for this run only.
  const drive = inputs.drive ? new MemoryBlockBackend(loadImage(imagesDir, inputs.drive)) : null;
  const maintenance = inputs.maintenance ? { image: loadImage(imagesDir, inputs.maintenance.kernel), imageName: inputs.maintenance.kernel, bootargs: inputs.maintenance.bootargs } : undefined;
  // A guest-requested reset ends an image vector's run (its expected exit), as QEMU -no-reboot.
  const session = new BootSession({
    ramSize: inputs.ramSize, kernel, bios, mmodeFirmware, kernelName: inputs.kernel, biosName: inputs.bios, mmodeFirmwareName: inputs.mmodeFirmware, onConsole,
    schedule: (inputs.schedule ?? []).map((e) => doorbellEvent(e, maintenance)), maxInsns: inputs.maxInsns, onReset: 'stop', bootargs: inputs.bootargs, drive,
  });
  m = session.machine;
  try {
    return runAndObserve(session, m, opts.stampLines ? lines : undefined);
  } finally {
    // Nothing holds the machine after this run: its memory serves the next one (machine/hart-memory.ts).
    m.dispose();
  }
}

function runAndObserve(session: BootSession, m: Machine, lines: ImageObservation['lines']): ImageObservation & { firmware?: FirmwareCost } {
  const stop = session.run();
  const exit: ImageObservation['exit'] = stop.kind === 'exit' ? { kind: stop.by, code: stop.code }
    : stop.kind === 'idle' ? { kind: 'idle', code: undefined } : { kind: 'limit' };
  const obs: ImageObservation & { firmware?: FirmwareCost } = { console: m.console, exit, instret: m.hart.instret, cycles: m.hart.cycles, delivered: session.delivered };
  if (lines) obs.lines = lines;
  // Instance 1's console (the doorbell's CONSOLE1), on a machine that has one.
  const console1 = (m as { console1?: string }).console1;
  if (console1) obs.console1 = console1;
  const cost = firmwareCost(m);
  if (cost) obs.firmware = cost;
  return obs;
}
