// How each bare-metal guest program in reference/guests/tests runs: what it needs on the console
// input, whether it needs a drive, which QEMU machine carries its convention, and the documented
// QEMU divergences it exists to show. A program not listed runs plainly (no input, no drive, virt).

import * as fs from 'fs';
import * as path from 'path';

export interface GuestSpec {
  /** Program name: tests/<name>.c or .S, built to build/<name>.elf. */
  name: string;
  /** Bytes typed on the console before the run. */
  input?: string;
  /** Needs a virtio-blk drive: a fresh image made by `makeDriveImage`. */
  drive?: boolean;
  /** QEMU machine: `virt` unless the program uses HTIF (QEMU has HTIF on `spike` only). */
  qemuMachine?: 'virt' | 'spike';
  /** Keys of conformance/qemu-divergences.md sections: QEMU 7.2 departs from the specification
   * here, the program checks the specification's outcome, so it passes on the reference only. */
  qemuDivergences?: string[];
  /** Instruction budget on the reference (default 50 million). */
  maxInsns?: number;
  /** Long-running: tests run it through the `devirt boot` process (full JIT speed), not in jest. */
  heavy?: boolean;
}

export const GUESTS_DIR = path.resolve(__dirname, '../../../reference/guests');
export const BUILD_DIR = path.join(GUESTS_DIR, 'build');

const SPECIAL: Record<string, Omit<GuestSpec, 'name'>> = {
  'uart-rx': { input: 'ping\n' },
  'virtio-blk': { drive: true },
  htif: { qemuMachine: 'spike' },
  'amo-faults': { qemuDivergences: ['amo-misaligned-cause', 'amo-fault-cause', 'sc-misaligned'] },
  'warl-masks': { qemuDivergences: ['deleg-warl-masks', 'pmp-warl'] },
  'spec-faults': { qemuDivergences: ['sc-no-reservation-pmp', 'misaligned-mmio-tval'] },
  'cpu-mix': { maxInsns: 1e9, heavy: true },
  'coremark-like': { maxInsns: 1e9, heavy: true },
};

/** Every guest program with a source in tests/, in name order. */
export function guestPrograms(): GuestSpec[] {
  const names = fs.readdirSync(path.join(GUESTS_DIR, 'tests'))
    .filter((f) => /\.(c|S)$/.test(f))
    .map((f) => f.replace(/\.(c|S)$/, ''))
    .sort();
  return names.map((name) => ({ name, ...SPECIAL[name] }));
}

export function imagePath(name: string): string {
  return path.join(BUILD_DIR, `${name}.elf`);
}

/** The drive image virtio-blk.c expects: 16 sectors, sector 0 starting with "devirt disk". */
export function makeDriveImage(): Uint8Array {
  const img = new Uint8Array(16 * 512);
  img.set(Buffer.from('devirt disk', 'latin1'), 0);
  return img;
}
