// Which virtio-mmio slot each virtio device gets, as QEMU 7.2's virt machine decides it. QEMU
// creates the eight virtio-mmio transports from slot 0 up, and a device added without `bus=`
// goes to the first bus with room in its list of buses, which holds them newest first: so the
// highest free slot is taken first (the first disk is slot 7, 0x10008000, source 8). An explicit
// `bus=virtio-mmio-bus.N` is honoured; a slot can hold one device.

import { VIRTIO_COUNT } from './memory-map';

export class PlacementError extends Error {}

/**
 * The slots of `requests`, in order: each is a slot number asked for, or undefined for QEMU's
 * choice at that point of the command line (devices are placed in the order they are given).
 */
export function placeVirtioDevices(requests: (number | undefined)[], what: (i: number) => string = (i) => `device ${i + 1}`): number[] {
  const taken = new Set<number>();
  return requests.map((want, i) => {
    if (want !== undefined) {
      if (!Number.isInteger(want) || want < 0 || want >= VIRTIO_COUNT) {
        throw new PlacementError(`${what(i)}: bus virtio-mmio-bus.${want} does not exist (the platform has virtio-mmio-bus.0 to virtio-mmio-bus.${VIRTIO_COUNT - 1})`);
      }
      if (taken.has(want)) throw new PlacementError(`${what(i)}: virtio-mmio-bus.${want} already holds a device (each slot has room for one)`);
      taken.add(want);
      return want;
    }
    for (let slot = VIRTIO_COUNT - 1; slot >= 0; slot--) {
      if (!taken.has(slot)) { taken.add(slot); return slot; }
    }
    throw new PlacementError(`${what(i)}: all ${VIRTIO_COUNT} virtio-mmio slots are in use`);
  });
}
