// What device ownership costs the firmware while two instances share the hart, measured by the
// device scenario (reference/guests/devices): dev0 and dev1 time, with rdcycle, the cheapest of
// eight emulated PLIC accesses of each kind and one hand_over, and print them as "measure: NAME
// CYCLES" lines. Guest cycles of the reference's cycle model: exact, so a budget (ci/budgets.json,
// firmwareCosts) is a plain comparison. test/firmware/instances.test.ts checks the budgets.

import * as fs from 'fs';
import * as path from 'path';
import { Machine } from './machine/machine';
import type { BlockBackend } from './machine/devices/virtio-blk';

const ROOT = path.resolve(__dirname, '../..');
export const DEVICE_COSTS_FIRMWARE = 'reference/firmware/build/microvisor.elf';
const DEV0 = 'reference/guests/devices/build/dev0.elf';

/** A small disk in memory for virtio slot 0 (dev1 reads its first sector). */
class MemoryDisk implements BlockBackend {
  readonly bytes = new Uint8Array(8 * 512).map((_, i) => (i * 13 + 7) & 0xff);
  get size(): number { return this.bytes.length; }
  read(off: number, len: number): Uint8Array { return this.bytes.slice(off, off + len); }
  write(off: number, data: Uint8Array): void { this.bytes.set(data, off); }
  flush(): void { /* in memory */ }
}

export interface DeviceCosts {
  /** The dearest of an emulated read, write and claim of the PLIC's S context. */
  plicAccess: number;
  plicRead: number; plicWrite: number; plicClaim: number;
  /** hand_over of a virtio device, from the caller's ecall to its next instruction. */
  handOver: number;
  /** An SBI call that does nothing (self), for comparison. */
  sbiCall: number;
}

export function measureDeviceCosts(firmware = DEVICE_COSTS_FIRMWARE): DeviceCosts {
  const read = (f: string) => new Uint8Array(fs.readFileSync(path.resolve(ROOT, f)));
  const m = new Machine({ ramSize: 64 * 1024 * 1024, bios: read(firmware), kernel: read(DEV0), drives: [{ backend: new MemoryDisk(), slot: 0 }] });
  const r = m.run({ maxInsns: 30e6 });
  if (r.reason !== 'finisher' || r.code !== 0) throw new Error(`the device scenario did not finish (${r.reason} ${r.code ?? ''})`);
  const got = new Map<string, number>();
  for (const line of (m.console + m.console1).split('\n')) {
    const mm = /^measure: (.*) (\d+)$/.exec(line);
    if (mm) got.set(mm[1], Number(mm[2]));
  }
  const need = (k: string) => { const v = got.get(k); if (v === undefined) throw new Error(`the device scenario printed no '${k}'`); return v; };
  const plicRead = need('emulated plic read'), plicWrite = need('emulated plic write'), plicClaim = need('emulated plic claim');
  return { plicAccess: Math.max(plicRead, plicWrite, plicClaim), plicRead, plicWrite, plicClaim, handOver: need('hand_over'), sbiCall: need('sbi self') };
}
