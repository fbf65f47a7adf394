// virtio-mmio transport, version 2 (virtio 1.x section 4.2.2) or, when asked for, the legacy
// version 1 (section 4.2.4: guest page size and queue PFN), and the empty slots QEMU virt shows
// where no device is plugged. Registers other than the device's configuration space are 32 bits
// wide; accesses of other widths read 0 and are ignored, as on QEMU.
//
// QEMU 7.2 defaults to the legacy transport (`virtio-mmio.force-legacy=true`); devirt's own
// options give version 2, QEMU's spelling gives what QEMU would (conformance/platform.md).

import { DmaDenied, DmaMemory, IrqLine, MmioDevice } from '../device';
import { Virtqueue, VirtioError } from './virtqueue';

export const VIRTIO_MAGIC = 0x74726976; // "virt"
export const VIRTIO_VERSION = 2;
export const VIRTIO_VERSION_LEGACY = 1;
export const VIRTIO_VENDOR_QEMU = 0x554d4551; // "QEMU", what QEMU's slots report

export const REG = {
  MagicValue: 0x000, Version: 0x004, DeviceID: 0x008, VendorID: 0x00c,
  DeviceFeatures: 0x010, DeviceFeaturesSel: 0x014, DriverFeatures: 0x020, DriverFeaturesSel: 0x024,
  QueueSel: 0x030, QueueNumMax: 0x034, QueueNum: 0x038, QueueReady: 0x044, QueueNotify: 0x050,
  InterruptStatus: 0x060, InterruptACK: 0x064, Status: 0x070,
  QueueDescLow: 0x080, QueueDescHigh: 0x084, QueueDriverLow: 0x090, QueueDriverHigh: 0x094,
  QueueDeviceLow: 0x0a0, QueueDeviceHigh: 0x0a4, ConfigGeneration: 0x0fc, Config: 0x100,
} as const;

/** The registers only the legacy (version 1) transport has (virtio 1.x 4.2.4, table 4.2). */
export const LEGACY_REG = { GuestPageSize: 0x028, QueueAlign: 0x03c, QueuePFN: 0x040 } as const;
/** QEMU's used-ring alignment until the driver writes QueueAlign (VIRTIO_PCI_VRING_ALIGN). */
const LEGACY_DEFAULT_ALIGN = 4096;

export const STATUS = { ACKNOWLEDGE: 1, DRIVER: 2, DRIVER_OK: 4, FEATURES_OK: 8, DEVICE_NEEDS_RESET: 0x40, FAILED: 0x80 } as const;
export const INT_USED_BUFFER = 1, INT_CONFIG_CHANGE = 2;
export const VIRTIO_F_RING_INDIRECT_DESC = 28n;
export const VIRTIO_F_VERSION_1 = 32n;

/** What a device type (block, ...) provides to the transport. */
export interface VirtioDevice {
  readonly deviceId: number;
  /** Every feature bit offered, transport bits (VERSION_1, INDIRECT_DESC) included. */
  readonly features: bigint;
  readonly queueMax: number;
  /** Queue size until the driver writes QueueNum. */
  readonly queueDefault: number;
  readonly queueCount: number;
  configRead(off: number, width: 1 | 2 | 4): number;
  configWrite(off: number, width: 1 | 2 | 4, value: number): void;
  /** Consume what the driver made available on `queue`; true if any buffer was used. */
  process(queue: Virtqueue, mem: DmaMemory): boolean;
  reset(): void;
  /**
   * The transport hands itself over (once, when it is built) to a device that has work of its
   * own, not only in answer to the driver: a network card whose frames arrive from the wire.
   */
  bind?(link: VirtioLink): void;
  /** The driver has just set DRIVER_OK: a device holding work of its own may start on it. */
  started?(): void;
}

/** What a device sees of its transport. */
export interface VirtioLink {
  /**
   * Process queue `index` now, as a driver notification would (same checks: DRIVER_OK, a ready
   * queue, no DEVICE_NEEDS_RESET; same used-buffer interrupt and error handling).
   */
  service(index: number): void;
  /** The features the driver accepted (meaningful once FEATURES_OK, or at once on legacy). */
  negotiated(): bigint;
}

/**
 * A virtio-mmio slot with no device behind it: magic, version and vendor, all else 0. As QEMU's
 * (virtio_mmio_read answers these before it checks the access size), a narrower read at one of
 * the three offsets returns the register's low bytes: a 1-byte read of MagicValue is 0x76, 'v'.
 */
export class EmptyVirtioSlot implements MmioDevice {
  readonly name = 'virtio_mmio';
  readonly size = 0x1000;
  constructor(readonly base: number, readonly legacy = false) {}
  read(off: number, width: 1 | 2 | 4): number {
    const mask = width === 4 ? 0xffffffff : width === 2 ? 0xffff : 0xff;
    if (off === REG.MagicValue) return (VIRTIO_MAGIC & mask) >>> 0;
    if (off === REG.Version) return (this.legacy ? VIRTIO_VERSION_LEGACY : VIRTIO_VERSION) & mask;
    if (off === REG.VendorID) return (VIRTIO_VENDOR_QEMU & mask) >>> 0;
    return 0;
  }
  write(): void { /* nothing answers */ }
}

export class VirtioMmio implements MmioDevice {
  readonly name = 'virtio_mmio';
  readonly size = 0x1000;
  private status = 0;
  private isr = 0;
  private deviceFeaturesSel = 0;
  private driverFeaturesSel = 0;
  private driverFeatures = 0n;
  private queueSel = 0;
  private configGeneration = 0;
  /** Legacy transport only: log2 of the guest's page size (QueuePFN is in these pages) and each queue's used-ring alignment. */
  private guestPageShift = 0;
  private readonly queueAlign: number[];
  readonly queues: Virtqueue[];
  /** Why the device stopped (DEVICE_NEEDS_RESET), for diagnostics. */
  lastError: string | null = null;

  /** `legacy`: the version 1 transport, as QEMU's `virtio-mmio.force-legacy=true` (its default). */
  constructor(readonly base: number, readonly device: VirtioDevice, private readonly irq: IrqLine, private readonly mem: DmaMemory, readonly legacy = false) {
    this.queues = Array.from({ length: device.queueCount }, (_, i) => new Virtqueue(i, device.queueMax, device.queueDefault));
    this.queueAlign = this.queues.map(() => LEGACY_DEFAULT_ALIGN);
    device.bind?.({
      service: (index) => this.notify(index),
      negotiated: () => this.driverFeatures,
    });
  }

  /** Power-on: a device reset, and the legacy page size and queue alignments forgotten too. */
  reset(): void {
    this.guestPageShift = 0; this.queueAlign.fill(LEGACY_DEFAULT_ALIGN);
    this.deviceReset();
  }

  /**
   * The reset a driver asks for (Status 0; legacy QueuePFN 0). As QEMU's, it keeps the legacy
   * GuestPageSize and QueueAlign: drivers write the page size once, before they reset the device.
   */
  private deviceReset(): void {
    this.status = 0; this.isr = 0; this.deviceFeaturesSel = 0; this.driverFeaturesSel = 0;
    this.driverFeatures = 0n; this.queueSel = 0; this.lastError = null;
    for (const q of this.queues) q.reset();
    this.device.reset();
    this.irq.set(false);
  }

  private get queue(): Virtqueue | undefined { return this.queues[this.queueSel]; }

  read(off: number, width: 1 | 2 | 4): number {
    if (off >= REG.Config) return this.device.configRead(off - REG.Config, width);
    if (width !== 4) return 0;
    const q = this.queue;
    if (this.legacy) {
      switch (off) {
        // Only the low word of the features exists for a legacy driver (QEMU: other selectors read 0).
        case REG.DeviceFeatures: return this.deviceFeaturesSel === 0 ? Number(this.device.features & 0xffffffffn) : 0;
        case LEGACY_REG.QueuePFN: return q && this.guestPageShift ? Math.floor(q.desc / 2 ** this.guestPageShift) : 0;
        case REG.QueueReady: case REG.ConfigGeneration: return 0;
      }
    }
    switch (off) {
      case REG.MagicValue: return VIRTIO_MAGIC;
      case REG.Version: return this.legacy ? VIRTIO_VERSION_LEGACY : VIRTIO_VERSION;
      case REG.DeviceID: return this.device.deviceId;
      case REG.VendorID: return VIRTIO_VENDOR_QEMU;
      case REG.DeviceFeatures:
        return this.deviceFeaturesSel < 2 ? Number((this.device.features >> BigInt(32 * this.deviceFeaturesSel)) & 0xffffffffn) : 0;
      case REG.QueueNumMax: return q ? q.max : 0;
      case REG.QueueReady: return q?.ready ? 1 : 0;
      case REG.InterruptStatus: return this.isr;
      case REG.Status: return this.status;
      case REG.ConfigGeneration: return this.configGeneration;
    }
    return 0;
  }

  write(off: number, width: 1 | 2 | 4, value: number): void {
    if (off >= REG.Config) { this.device.configWrite(off - REG.Config, width, value); return; }
    if (width !== 4) return;
    const v = value >>> 0;
    const q = this.queue;
    const low = (old: number) => (Math.floor(old / 4294967296) * 4294967296) + v;
    const high = (old: number) => v * 4294967296 + (old % 4294967296);
    if (this.legacy && this.writeLegacy(off, v)) return;
    switch (off) {
      case REG.DeviceFeaturesSel: this.deviceFeaturesSel = v; break;
      case REG.DriverFeaturesSel: this.driverFeaturesSel = v; break;
      case REG.DriverFeatures:
        if (this.driverFeaturesSel < 2 && !(this.status & STATUS.FEATURES_OK)) {
          const shift = BigInt(32 * this.driverFeaturesSel);
          this.driverFeatures = (this.driverFeatures & ~(0xffffffffn << shift)) | (BigInt(v) << shift);
        }
        break;
      case REG.QueueSel: this.queueSel = v; break;
      case REG.QueueNum: if (q && v >= 1 && v <= q.max) q.num = v; break;
      case REG.QueueReady: if (q) q.ready = (v & 1) === 1 && q.num > 0; break;
      case REG.QueueDescLow: if (q) q.desc = low(q.desc); break;
      case REG.QueueDescHigh: if (q) q.desc = high(q.desc); break;
      case REG.QueueDriverLow: if (q) q.driver = low(q.driver); break;
      case REG.QueueDriverHigh: if (q) q.driver = high(q.driver); break;
      case REG.QueueDeviceLow: if (q) q.device = low(q.device); break;
      case REG.QueueDeviceHigh: if (q) q.device = high(q.device); break;
      case REG.QueueNotify: this.notify(v); break;
      case REG.InterruptACK: this.isr &= ~v; this.irq.set(this.isr !== 0); break;
      case REG.Status: this.writeStatus(v & 0xff); break;
    }
  }

  /**
   * The registers whose meaning differs on the legacy transport (virtio 1.x 4.2.4): features
   * take effect at once (there is no FEATURES_OK step), and a queue lives at QueuePFN pages, its
   * available ring right after the descriptors and its used ring at the next QueueAlign
   * boundary (2.7 legacy interface: "Virtqueue Layout"). True when `off` was handled here.
   */
  private writeLegacy(off: number, v: number): boolean {
    const q = this.queue;
    switch (off) {
      case REG.DriverFeatures:
        if (this.driverFeaturesSel === 0) this.driverFeatures = BigInt(v);
        return true;
      case LEGACY_REG.GuestPageSize: {
        // QEMU keeps log2 of the value (a power of two; 0 when none was written).
        const shift = v === 0 ? 0 : 31 - Math.clz32(v & -v);
        this.guestPageShift = shift;
        return true;
      }
      case REG.QueueNum:
        if (q && v >= 1 && v <= q.max) { q.num = v; this.layLegacyQueue(); }
        return true;
      case LEGACY_REG.QueueAlign:
        if (q) { this.queueAlign[this.queueSel] = v; this.layLegacyQueue(); }
        return true;
      case LEGACY_REG.QueuePFN:
        // QEMU: writing 0 resets the whole device, as the legacy interface says for a queue.
        if (v === 0) { this.deviceReset(); return true; }
        if (q) { q.desc = v * 2 ** this.guestPageShift; this.layLegacyQueue(); }
        return true;
      case REG.QueueReady: case REG.QueueDescLow: case REG.QueueDescHigh: case REG.QueueDriverLow:
      case REG.QueueDriverHigh: case REG.QueueDeviceLow: case REG.QueueDeviceHigh:
        return true; // version 2 registers: not there on a legacy device
    }
    return false;
  }

  private layLegacyQueue(): void {
    const q = this.queue;
    if (!q) return;
    const align = this.queueAlign[this.queueSel] || 1;
    q.driver = q.desc + 16 * q.num;
    q.device = Math.ceil((q.driver + 4 + 2 * q.num) / align) * align;
    q.ready = q.desc !== 0;
  }

  private writeStatus(v: number): void {
    if (v === 0) { this.deviceReset(); return; }
    // FEATURES_OK sticks only for a subset of the offered features (virtio 1.x 2.2.2 and 3.1.1:
    // the device re-reads status to learn whether it was accepted). A driver that does not
    // accept VERSION_1 is accepted, as by QEMU (whose virtio_set_status validates features only
    // when VERSION_1 was negotiated): 6.1 says a device MAY fail then, not that it must, and
    // kernels written for QEMU (teaching kernels' low-word-only drivers) depend on it.
    if (!this.legacy && (v & STATUS.FEATURES_OK) && !(this.status & STATUS.FEATURES_OK)) {
      if ((this.driverFeatures & ~this.device.features) !== 0n) v &= ~STATUS.FEATURES_OK;
    }
    const was = this.status;
    this.status = (v & ~STATUS.DEVICE_NEEDS_RESET) | (this.status & STATUS.DEVICE_NEEDS_RESET);
    if (!(was & STATUS.DRIVER_OK) && (this.status & STATUS.DRIVER_OK)) this.device.started?.();
  }

  /** Features the driver accepted (valid once FEATURES_OK is set). */
  get negotiatedFeatures(): bigint { return this.driverFeatures; }

  private notify(index: number): void {
    const q = this.queues[index];
    if (!q || !q.ready || !(this.status & STATUS.DRIVER_OK) || (this.status & STATUS.DEVICE_NEEDS_RESET)) return;
    try {
      if (this.device.process(q, this.mem) && !q.interruptSuppressed(this.mem)) {
        this.isr |= INT_USED_BUFFER;
        this.irq.set(true);
      }
    } catch (e) {
      if (!(e instanceof VirtioError) && !(e instanceof DmaDenied)) throw e;
      // The guest broke the ring, or pointed the device at memory the IOPMP does not let it reach
      // (a bus error to the device): stop the device and tell the driver, as virtio 1.x 2.1.2
      // says ("The device SHOULD set DEVICE_NEEDS_RESET when it enters an error state that a
      // reset is needed").
      this.lastError = e.message;
      this.status |= STATUS.DEVICE_NEEDS_RESET;
      this.isr |= INT_CONFIG_CHANGE;
      this.irq.set(true);
    }
  }
}
