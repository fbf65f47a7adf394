// A probe on the service's devices, as a logic analyser would be: every MMIO access to a virtio
// slot is attributed to the instance whose code made it (instance 1 runs in the maintenance
// partition, instance 0 below it; the firmware's M-mode accesses to neither), and when a device's user changes, the device must be in its
// reset state (status 0): conformance/maintenance-sbi.md, "hand_over quiesces the device (a virtio
// device is reset and its reset is read back as complete)". A firmware that hands a device over
// without resetting it is caught here, by name and slot, before the new owner's driver resets it.

import type { Machine } from '../../reference/machine/machine';
import type { Violation } from './traffic';

const STATUS = 0x70;

export function watchHandoffs(m: Machine, partition: { base: number; size: number }, now: () => number, violations: Violation[], names: Record<number, string>): void {
  const owner = () => (m.hart.pc >= partition.base && m.hart.pc < partition.base + partition.size ? 1 : 0);
  m.virtio.forEach((dev, slot) => {
    if (!(slot in names)) return;
    let user: number | null = null;
    const read = dev.read.bind(dev), write = dev.write.bind(dev);
    const check = () => {
      // The firmware's own accesses (M-mode: the quiesce itself) belong to neither instance.
      if (m.hart.priv === 3) return;
      const u = owner();
      if (user !== null && u !== user) {
        const status = read(STATUS, 4);
        if (status !== 0) {
          violations.push({ at: now(), what: `the ${names[slot]} (virtio slot ${slot}) went from instance ${user} to instance ${u} without a reset: its status was 0x${status.toString(16)} when instance ${u} first touched it` });
        }
      }
      user = u;
    };
    dev.read = (off: number, width: 1 | 2 | 4) => { check(); return read(off, width); };
    dev.write = (off: number, width: 1 | 2 | 4, value: number) => { check(); write(off, width, value); };
  });
}

/** The maintenance partition as the firmware laid it out (its mv_layout: RAM base, size, partition base, size). */
export function partitionFromSymbols(m: Machine): { base: number; size: number } | null {
  const sym = m.symbols.find((s) => s.name === 'mv_layout');
  if (!sym) return null;
  const b = m.readBytes(BigInt(sym.value), 32);
  const dv = new DataView(b.buffer, b.byteOffset);
  return { base: Number(dv.getBigUint64(16, true)), size: Number(dv.getBigUint64(24, true)) };
}
