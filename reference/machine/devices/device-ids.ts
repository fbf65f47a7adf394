// The devices an instance can own, by the ids of the maintenance SBI extension
// (conformance/maintenance-sbi.md, "Devices and handoff"): one table, from which the firmware's C
// header (devirt-platform.h, DEVIRT_DEVICES) is generated, so the ids, windows, interrupt sources
// and IOPMP requestor ids are written once.

import * as M from './memory-map';

export interface OwnedDevice {
  /** The id `hand_over` and `query(id, 4)` use. */
  id: number;
  name: string;
  /** MMIO window the owner may reach (PMP granularity: a whole 4 KiB page). */
  base: number;
  size: number;
  /** PLIC source routed to the owner. */
  irq: number;
  /** IOPMP requestor id of its DMA, or -1 for a device that does no DMA. */
  rrid: number;
  kind: 'uart' | 'rtc' | 'virtio';
}

export const DEVICE_UART = 0;
export const DEVICE_RTC = 1;
export const DEVICE_VIRTIO0 = 2;

export const OWNED_DEVICES: readonly OwnedDevice[] = [
  { id: DEVICE_UART, name: 'uart', base: M.UART0_BASE, size: 0x1000, irq: M.UART0_IRQ, rrid: -1, kind: 'uart' },
  { id: DEVICE_RTC, name: 'rtc', base: M.RTC_BASE, size: 0x1000, irq: M.RTC_IRQ, rrid: -1, kind: 'rtc' },
  ...Array.from({ length: M.VIRTIO_COUNT }, (_, slot): OwnedDevice => ({
    id: DEVICE_VIRTIO0 + slot, name: `virtio${slot}`, base: M.virtioSlotBase(slot), size: M.VIRTIO_STRIDE,
    irq: M.virtioSlotIrq(slot), rrid: slot, kind: 'virtio',
  })),
];

export const DEVICE_COUNT = OWNED_DEVICES.length;
