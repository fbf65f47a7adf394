// virtio-mmio (virtio 1.x section 4.2.2) and virtio-blk (section 5.2), driven from TypeScript the
// way a driver would: registers, then descriptor, available and used rings in guest RAM.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EmptyVirtioSlot, LEGACY_REG, REG, STATUS, VirtioMmio } from '../../reference/machine/devices/virtio-mmio';
import { BlockBackend, VirtioBlk } from '../../reference/machine/devices/virtio-blk';
import { FileBlockBackend } from '../../reference/machine/devices/block-file';
import { Machine } from '../../reference/machine/machine';
import { PLIC_BASE, virtioSlotBase } from '../../reference/machine/devices/memory-map';
import { Line, Ram } from './helpers';

const RAM = 0x80000000;
const DESC = RAM + 0x1000, AVAIL = RAM + 0x2000, USED = RAM + 0x3000, BUF = RAM + 0x10000;
const QSIZE = 8;
const F_NEXT = 1, F_WRITE = 2, F_INDIRECT = 4;
const T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8;

class MemDisk implements BlockBackend {
  flushes = 0;
  constructor(readonly bytes: Uint8Array, readonly readOnly = false) {}
  get size(): number { return this.bytes.length; }
  read(off: number, len: number): Uint8Array { return this.bytes.slice(off, off + len); }
  write(off: number, data: Uint8Array): void { this.bytes.set(data, off); }
  flush(): void { this.flushes++; }
}

type Desc = { addr: number; len: number; flags: number; next?: number };

/** A minimal driver: feature negotiation, one queue, requests as descriptor chains. */
class Driver {
  readonly ram = new Ram(RAM, 1 << 20);
  readonly irq = new Line();
  readonly dev: VirtioMmio;
  private avail = 0;
  constructor(readonly disk: BlockBackend, base = 0x10008000) {
    this.dev = new VirtioMmio(base, new VirtioBlk(disk), this.irq, this.ram);
  }
  r(off: number): number { return this.dev.read(off, 4); }
  w(off: number, v: number): void { this.dev.write(off, 4, v); }
  features(): bigint {
    this.w(REG.DeviceFeaturesSel, 0); const lo = this.r(REG.DeviceFeatures);
    this.w(REG.DeviceFeaturesSel, 1); const hi = this.r(REG.DeviceFeatures);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
  negotiate(accept: bigint): number {
    this.w(REG.Status, STATUS.ACKNOWLEDGE);
    this.w(REG.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
    this.w(REG.DriverFeaturesSel, 0); this.w(REG.DriverFeatures, Number(accept & 0xffffffffn));
    this.w(REG.DriverFeaturesSel, 1); this.w(REG.DriverFeatures, Number(accept >> 32n));
    this.w(REG.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK);
    return this.r(REG.Status);
  }
  start(): void {
    expect(this.negotiate(this.features()) & STATUS.FEATURES_OK).toBeTruthy();
    this.w(REG.QueueSel, 0);
    this.w(REG.QueueNum, QSIZE);
    this.w(REG.QueueDescLow, DESC); this.w(REG.QueueDescHigh, 0);
    this.w(REG.QueueDriverLow, AVAIL); this.w(REG.QueueDriverHigh, 0);
    this.w(REG.QueueDeviceLow, USED); this.w(REG.QueueDeviceHigh, 0);
    this.w(REG.QueueReady, 1);
    this.w(REG.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK | STATUS.DRIVER_OK);
  }
  writeDescs(table: number, descs: Desc[]): void {
    descs.forEach((d, i) => {
      const a = table + 16 * i;
      this.ram.setU64(a, d.addr); this.ram.setU32(a + 8, d.len);
      this.ram.setU16(a + 12, d.flags | (d.next !== undefined ? F_NEXT : 0)); this.ram.setU16(a + 14, d.next ?? 0);
    });
  }
  /** Offer the chain starting at descriptor `head` and notify. */
  offer(head: number): void {
    this.ram.setU16(AVAIL + 4 + 2 * (this.avail % QSIZE), head);
    this.avail = (this.avail + 1) & 0xffff;
    this.ram.setU16(AVAIL + 2, this.avail);
    this.w(REG.QueueNotify, 0);
  }
  header(at: number, type: number, sector: number): void {
    this.ram.setU32(at, type); this.ram.setU32(at + 4, 0); this.ram.setU64(at + 8, sector);
  }
  /** One request in the usual three-descriptor shape; returns the status byte. */
  request(type: number, sector: number, data: { len: number; write: boolean } | null): number {
    const hdr = BUF, dat = BUF + 0x100, st = BUF + 0x80;
    this.header(hdr, type, sector);
    this.ram.bytes[st - RAM] = 0xff;
    const descs: Desc[] = [{ addr: hdr, len: 16, flags: 0, next: 1 }];
    if (data) descs.push({ addr: dat, len: data.len, flags: data.write ? F_WRITE : 0, next: 2 });
    descs.push({ addr: st, len: 1, flags: F_WRITE });
    this.writeDescs(DESC, descs);
    this.offer(0);
    return this.ram.bytes[st - RAM];
  }
  used(i: number): { id: number; len: number } { return { id: this.ram.u32(USED + 4 + 8 * i), len: this.ram.u32(USED + 8 + 8 * i) }; }
  usedIdx(): number { return this.ram.u16(USED + 2); }
  data(len: number): Uint8Array { return this.ram.bytes.slice(BUF + 0x100 - RAM, BUF + 0x100 - RAM + len); }
}

const pattern = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

describe('virtio-mmio transport', () => {
  test('an empty slot answers magic, version 2 and vendor; everything else is 0', () => {
    const e = new EmptyVirtioSlot(0x10001000);
    expect(e.read(0x000, 4)).toBe(0x74726976);
    expect(e.read(0x004, 4)).toBe(2);
    expect(e.read(0x008, 4)).toBe(0);
    expect(e.read(0x00c, 4)).toBe(0x554d4551);
    expect(e.read(0x034, 4)).toBe(0);
    expect(e.read(0x070, 4)).toBe(0);
    // Narrow reads of the three identity registers give their low bytes, as QEMU's empty slots.
    expect(e.read(0x000, 1)).toBe(0x76);
    expect(e.read(0x000, 2)).toBe(0x6976);
    expect(e.read(0x001, 1)).toBe(0);
    expect(e.read(0x004, 1)).toBe(2);
  });

  test('identity registers, 64 feature bits in two windows, queue limits', () => {
    const d = new Driver(new MemDisk(new Uint8Array(4096)));
    expect(d.r(REG.MagicValue)).toBe(0x74726976);
    expect(d.r(REG.Version)).toBe(2);
    expect(d.r(REG.DeviceID)).toBe(2);
    const f = d.features();
    expect((f >> 32n) & 1n).toBe(1n); // VERSION_1
    expect((f >> 28n) & 1n).toBe(1n); // RING_INDIRECT_DESC
    expect((f >> 9n) & 1n).toBe(1n); // FLUSH
    expect((f >> 5n) & 1n).toBe(0n); // not read-only
    d.w(REG.DeviceFeaturesSel, 2);
    expect(d.r(REG.DeviceFeatures)).toBe(0);
    d.w(REG.QueueSel, 0);
    expect(d.r(REG.QueueNumMax)).toBe(1024);
    d.w(REG.QueueSel, 1);
    expect(d.r(REG.QueueNumMax)).toBe(0); // only one request queue
  });

  test('non-32-bit accesses to transport registers read 0 and are ignored', () => {
    const d = new Driver(new MemDisk(new Uint8Array(4096)));
    expect(d.dev.read(REG.MagicValue, 1)).toBe(0);
    d.dev.write(REG.Status, 1, STATUS.ACKNOWLEDGE);
    expect(d.r(REG.Status)).toBe(0);
  });

  test('FEATURES_OK is kept without VERSION_1 (as QEMU) and refused with a feature not offered', () => {
    const d = new Driver(new MemDisk(new Uint8Array(4096)));
    const offered = d.features();
    // A teaching kernel's driver: the low 32 bits only. virtio 1.x 6.1 lets a device refuse it
    // (MAY); QEMU 7.2 keeps FEATURES_OK, and kernels written for QEMU depend on it.
    expect(d.negotiate(offered & 0xffffffffn) & STATUS.FEATURES_OK).toBe(STATUS.FEATURES_OK);
    d.w(REG.Status, 0);
    expect(d.negotiate(offered | (1n << 29n)) & STATUS.FEATURES_OK).toBe(0); // EVENT_IDX is not offered
    d.w(REG.Status, 0);
    expect(d.negotiate(1n << 32n) & STATUS.FEATURES_OK).toBe(STATUS.FEATURES_OK);
    expect(d.dev.negotiatedFeatures).toBe(1n << 32n);
  });

  test('a driver without VERSION_1 reads and writes the disk', () => {
    const disk = new MemDisk(pattern(4096, 3));
    const d = new Driver(disk);
    expect(d.negotiate(d.features() & 0xffffffffn) & STATUS.FEATURES_OK).toBe(STATUS.FEATURES_OK);
    d.w(REG.QueueSel, 0); d.w(REG.QueueNum, QSIZE);
    d.w(REG.QueueDescLow, DESC); d.w(REG.QueueDriverLow, AVAIL); d.w(REG.QueueDeviceLow, USED);
    d.w(REG.QueueReady, 1);
    d.w(REG.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK | STATUS.DRIVER_OK);
    expect(d.request(T_IN, 1, { len: 512, write: true })).toBe(0);
    expect(Buffer.from(d.data(512)).equals(Buffer.from(disk.bytes.subarray(512, 1024)))).toBe(true);
  });

  test('legacy transport (force-legacy): version 1, low feature word, queue at QueuePFN pages', () => {
    const disk = new MemDisk(pattern(4096, 9));
    const ram = new Ram(RAM, 1 << 20);
    const irq = new Line();
    const dev = new VirtioMmio(0x10001000, new VirtioBlk(disk), irq, ram, true);
    const w = (o: number, v: number) => dev.write(o, 4, v), r = (o: number) => dev.read(o, 4);
    expect(r(REG.Version)).toBe(1);
    w(REG.DeviceFeaturesSel, 1);
    expect(r(REG.DeviceFeatures)).toBe(0); // VERSION_1 and the high word do not exist for a legacy driver
    w(REG.DeviceFeaturesSel, 0);
    expect(r(REG.DeviceFeatures) & (1 << 9)).toBe(1 << 9); // FLUSH
    // Drivers (U-Boot's, Linux's) write the page size once, then reset the device: it survives, as on QEMU.
    w(LEGACY_REG.GuestPageSize, 4096);
    w(REG.Status, 0);
    w(REG.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
    w(REG.DriverFeatures, 0);
    w(REG.QueueSel, 0);
    expect(r(REG.QueueNumMax)).toBe(1024);
    w(REG.QueueNum, QSIZE);
    w(LEGACY_REG.QueuePFN, DESC / 4096);
    expect(r(LEGACY_REG.QueuePFN)).toBe(DESC / 4096);
    w(REG.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.DRIVER_OK);
    // Legacy layout: avail right after 8 descriptors, used at the next 4096-byte boundary.
    const avail = DESC + 16 * QSIZE, used = DESC + 4096;
    const hdr = BUF, dat = BUF + 0x100, st = BUF + 0x80;
    ram.setU32(hdr, T_IN); ram.setU32(hdr + 4, 0); ram.setU64(hdr + 8, 2);
    const descs = [{ addr: hdr, len: 16, flags: F_NEXT, next: 1 }, { addr: dat, len: 512, flags: F_WRITE | F_NEXT, next: 2 }, { addr: st, len: 1, flags: F_WRITE, next: 0 }];
    descs.forEach((x, i) => { ram.setU64(DESC + 16 * i, x.addr); ram.setU32(DESC + 16 * i + 8, x.len); ram.setU16(DESC + 16 * i + 12, x.flags); ram.setU16(DESC + 16 * i + 14, x.next); });
    ram.setU16(avail + 4, 0); ram.setU16(avail + 2, 1);
    w(REG.QueueNotify, 0);
    expect(ram.u16(used + 2)).toBe(1);
    expect(ram.bytes[st - RAM]).toBe(0);
    expect(Buffer.from(ram.bytes.slice(dat - RAM, dat - RAM + 512)).equals(Buffer.from(disk.bytes.subarray(1024, 1536)))).toBe(true);
    expect(irq.level).toBe(true);
    // QueuePFN 0 resets the device (QEMU).
    w(LEGACY_REG.QueuePFN, 0);
    expect(r(REG.Status)).toBe(0);
    expect(new EmptyVirtioSlot(0x10002000, true).read(REG.Version, 4)).toBe(1);
  });

  test('writing status 0 resets the device: queues, features, interrupt status', () => {
    const d = new Driver(new MemDisk(new Uint8Array(4096)));
    d.start();
    d.request(T_FLUSH, 0, null);
    expect(d.r(REG.InterruptStatus)).toBe(1);
    d.w(REG.Status, 0);
    expect(d.r(REG.Status)).toBe(0);
    expect(d.r(REG.InterruptStatus)).toBe(0);
    expect(d.r(REG.QueueReady)).toBe(0);
    expect(d.irq.level).toBe(false);
  });

  test('config space: capacity in sectors, seg_max, blk_size; any access width', () => {
    const d = new Driver(new MemDisk(new Uint8Array(3 * 512 + 100)));
    expect(d.dev.read(0x100, 4)).toBe(3);
    expect(d.dev.read(0x104, 4)).toBe(0);
    expect(d.dev.read(0x100, 1)).toBe(3);
    expect(d.dev.read(0x10c, 4)).toBe(254);
    expect(d.dev.read(0x114, 4)).toBe(512);
    expect(d.dev.read(0x114, 2)).toBe(512);
    expect(d.r(REG.ConfigGeneration)).toBe(0);
  });
});

describe('virtio-blk requests', () => {
  test('OUT writes sectors, IN reads them back; used ring, lengths and interrupt', () => {
    const disk = new MemDisk(new Uint8Array(8 * 512));
    const d = new Driver(disk);
    d.start();
    const data = pattern(1024, 3);
    d.ram.bytes.set(data, BUF + 0x100 - RAM);
    expect(d.request(T_OUT, 2, { len: 1024, write: false })).toBe(0);
    expect(disk.bytes.slice(1024, 2048)).toEqual(data);
    expect(d.usedIdx()).toBe(1);
    expect(d.used(0)).toEqual({ id: 0, len: 1 }); // only the status byte was written
    expect(d.r(REG.InterruptStatus)).toBe(1);
    expect(d.irq.level).toBe(true);
    d.w(REG.InterruptACK, 1);
    expect(d.irq.level).toBe(false);

    d.ram.bytes.fill(0, BUF + 0x100 - RAM, BUF + 0x100 - RAM + 1024);
    expect(d.request(T_IN, 2, { len: 1024, write: true })).toBe(0);
    expect(d.data(1024)).toEqual(data);
    expect(d.used(1)).toEqual({ id: 0, len: 1025 });
    expect(d.irq.level).toBe(true);
  });

  test('a transfer past the end of the disk or not in whole sectors is an I/O error', () => {
    const disk = new MemDisk(new Uint8Array(4 * 512));
    const d = new Driver(disk);
    d.start();
    expect(d.request(T_IN, 3, { len: 1024, write: true })).toBe(1);
    expect(d.request(T_OUT, 4, { len: 512, write: false })).toBe(1);
    expect(d.request(T_OUT, 0, { len: 100, write: false })).toBe(1);
    expect(d.request(T_IN, 3, { len: 512, write: true })).toBe(0);
  });

  test('FLUSH reaches the backend; GET_ID returns the (empty) serial; unknown types are UNSUPP', () => {
    const disk = new MemDisk(new Uint8Array(512));
    const d = new Driver(disk);
    d.start();
    expect(d.request(T_FLUSH, 0, null)).toBe(0);
    expect(disk.flushes).toBe(1);
    d.ram.bytes.fill(0xee, BUF + 0x100 - RAM, BUF + 0x100 - RAM + 20);
    expect(d.request(T_GET_ID, 0, { len: 20, write: true })).toBe(0);
    expect(d.data(1)[0]).toBe(0);
    expect(d.request(11, 0, null)).toBe(2);
  });

  test('a read-only disk offers VIRTIO_BLK_F_RO and fails writes', () => {
    const disk = new MemDisk(new Uint8Array(512), true);
    const d = new Driver(disk);
    expect((d.features() >> 5n) & 1n).toBe(1n);
    d.start();
    expect(d.request(T_OUT, 0, { len: 512, write: false })).toBe(1);
  });

  test('indirect descriptors and data split across several buffers', () => {
    const disk = new MemDisk(pattern(4 * 512, 9));
    const d = new Driver(disk);
    d.start();
    const table = BUF + 0x2000, hdr = BUF, st = BUF + 0x80;
    d.header(hdr, T_IN, 1);
    d.writeDescs(table, [
      { addr: hdr, len: 8, flags: 0, next: 1 }, // the header itself split in two
      { addr: hdr + 8, len: 8, flags: 0, next: 2 },
      { addr: BUF + 0x1000, len: 512, flags: F_WRITE, next: 3 },
      { addr: BUF + 0x3000, len: 512, flags: F_WRITE, next: 4 },
      { addr: st, len: 1, flags: F_WRITE },
    ]);
    d.writeDescs(DESC, [{ addr: table, len: 5 * 16, flags: F_INDIRECT }]);
    d.offer(0);
    expect(d.ram.bytes[st - RAM]).toBe(0);
    expect(d.ram.bytes.slice(BUF + 0x1000 - RAM, BUF + 0x1200 - RAM)).toEqual(disk.bytes.slice(512, 1024));
    expect(d.ram.bytes.slice(BUF + 0x3000 - RAM, BUF + 0x3200 - RAM)).toEqual(disk.bytes.slice(1024, 1536));
    expect(d.used(0)).toEqual({ id: 0, len: 1025 });
  });

  test('several chains offered at once complete in order with one interrupt', () => {
    const disk = new MemDisk(new Uint8Array(4 * 512));
    const d = new Driver(disk);
    d.start();
    const chains = [0, 3];
    for (const [k, head] of chains.entries()) {
      const hdr = BUF + 0x400 * k, dat = hdr + 0x100, st = hdr + 0x80;
      d.header(hdr, T_OUT, k);
      d.ram.bytes.fill(0x10 + k, dat - RAM, dat - RAM + 512);
      d.writeDescs(DESC + 16 * head, [
        { addr: hdr, len: 16, flags: 0, next: head + 1 }, { addr: dat, len: 512, flags: 0, next: head + 2 }, { addr: st, len: 1, flags: F_WRITE },
      ]);
    }
    d.ram.setU16(AVAIL + 4, 0); d.ram.setU16(AVAIL + 6, 3); d.ram.setU16(AVAIL + 2, 2);
    d.w(REG.QueueNotify, 0);
    expect(d.usedIdx()).toBe(2);
    expect([d.used(0).id, d.used(1).id]).toEqual([0, 3]);
    expect(disk.bytes[0]).toBe(0x10);
    expect(disk.bytes[512]).toBe(0x11);
  });

  test('VIRTQ_AVAIL_F_NO_INTERRUPT suppresses the interrupt, not the work', () => {
    const d = new Driver(new MemDisk(new Uint8Array(512)));
    d.start();
    d.ram.setU16(AVAIL, 1);
    expect(d.request(T_FLUSH, 0, null)).toBe(0);
    expect(d.usedIdx()).toBe(1);
    expect(d.irq.level).toBe(false);
  });

  test('a queue the driver did not size has QEMU\'s virtio-blk queue size, 256', () => {
    const d = new Driver(new MemDisk(new Uint8Array(512)));
    d.negotiate(d.features());
    d.w(REG.QueueDescLow, DESC); d.w(REG.QueueDriverLow, AVAIL); d.w(REG.QueueDeviceLow, USED);
    d.w(REG.QueueReady, 1);
    expect(d.r(REG.QueueReady)).toBe(1);
    expect(d.dev.queues[0].num).toBe(256);
    d.w(REG.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK | STATUS.DRIVER_OK);
    expect(d.request(T_FLUSH, 0, null)).toBe(0);
  });

  test('nothing is consumed before DRIVER_OK', () => {
    const d = new Driver(new MemDisk(new Uint8Array(512)));
    d.negotiate(d.features());
    d.w(REG.QueueNum, QSIZE);
    d.w(REG.QueueDescLow, DESC); d.w(REG.QueueDriverLow, AVAIL); d.w(REG.QueueDeviceLow, USED);
    d.w(REG.QueueReady, 1);
    d.request(T_FLUSH, 0, null);
    expect(d.usedIdx()).toBe(0);
  });

  test('a descriptor loop or a buffer outside RAM sets DEVICE_NEEDS_RESET instead of hanging or crashing', () => {
    const d = new Driver(new MemDisk(new Uint8Array(512)));
    d.start();
    d.header(BUF, T_IN, 0);
    d.writeDescs(DESC, [
      { addr: BUF, len: 16, flags: 0, next: 1 }, { addr: BUF + 0x100, len: 512, flags: F_WRITE, next: 2 }, { addr: BUF + 0x400, len: 1, flags: F_WRITE, next: 1 },
    ]);
    d.offer(0);
    expect(d.r(REG.Status) & STATUS.DEVICE_NEEDS_RESET).toBe(STATUS.DEVICE_NEEDS_RESET);
    expect(d.r(REG.InterruptStatus) & 2).toBe(2);
    expect(d.dev.lastError).toMatch(/loop/);

    const e = new Driver(new MemDisk(new Uint8Array(512)));
    e.start();
    e.writeDescs(DESC, [{ addr: 0x1000, len: 16, flags: 0, next: 1 }, { addr: BUF, len: 1, flags: F_WRITE }]);
    e.offer(0);
    expect(e.r(REG.Status) & STATUS.DEVICE_NEEDS_RESET).toBe(STATUS.DEVICE_NEEDS_RESET);
  });
});

describe('virtio-blk on the machine', () => {
  test('the drive fills slot 7 (0x10008000, IRQ 8); the other slots are empty', () => {
    const m = new Machine({ ramSize: 1 << 20, deviceTree: false, drive: new MemDisk(new Uint8Array(512)) });
    expect(m.bus.read(virtioSlotBase(7) + 8, 4)).toBe(2);
    for (let s = 0; s < 7; s++) expect(m.bus.read(virtioSlotBase(s) + 8, 4)).toBe(0);
  });

  test('DMA into code the hart already ran replaces it (decode cache kept honest), interrupt through the PLIC', () => {
    const disk = new MemDisk(new Uint8Array(512));
    // Sector 0 holds "addi a0, zero, 42" where the guest first had "addi a0, zero, 1".
    new DataView(disk.bytes.buffer).setUint32(0, 0x02a00513, true);
    const m = new Machine({ ramSize: 1 << 20, deviceTree: false, drive: disk });
    const code = 0x80000000;
    m.loadBytes(BigInt(code), Uint8Array.of(0x13, 0x05, 0x10, 0x00, 0x73, 0x00, 0x10, 0x00)); // li a0, 1; ebreak
    m.hart.setPc(BigInt(code));
    m.run({ maxInsns: 1, stopOnTrap: true });
    expect(m.hart.getX(10)).toBe(1n);
    // A driver in TypeScript, over the machine's bus and RAM.
    const base = virtioSlotBase(7);
    const w = (o: number, v: number) => m.bus.write(base + o, 4, v);
    const put32 = (pa: number, v: number) => m.loadBytes(BigInt(pa), Uint8Array.from(Buffer.from(new Uint32Array([v]).buffer)));
    w(REG.Status, 1); w(REG.Status, 3);
    w(REG.DriverFeaturesSel, 1); w(REG.DriverFeatures, 1);
    w(REG.Status, 11); w(REG.QueueNum, 4);
    w(REG.QueueDescLow, 0x80001000); w(REG.QueueDriverLow, 0x80002000); w(REG.QueueDeviceLow, 0x80003000);
    w(REG.QueueReady, 1); w(REG.Status, 15);
    m.bus.write(PLIC_BASE + 4 * 8, 4, 1);
    m.bus.write(PLIC_BASE + 0x2000, 4, 1 << 8);
    const desc = (i: number, addr: number, len: number, flags: number, next: number) => {
      put32(0x80001000 + 16 * i, addr); put32(0x80001004 + 16 * i, 0); put32(0x80001008 + 16 * i, len);
      put32(0x8000100c + 16 * i, flags | (next << 16));
    };
    put32(0x80004000, 0); put32(0x80004004, 0); put32(0x80004008, 0); put32(0x8000400c, 0); // IN, sector 0
    desc(0, 0x80004000, 16, F_NEXT, 1);
    desc(1, code, 512, F_WRITE | F_NEXT, 2);
    desc(2, 0x80004100, 1, F_WRITE, 0);
    put32(0x80002004, 0); put32(0x80002000, 1 << 16); // ring[0] = 0, idx = 1
    w(REG.QueueNotify, 0);
    expect(m.readBytes(0x80004100n, 1)[0]).toBe(0);
    expect((m.hart.mip() >>> 11) & 1).toBe(1); // MEIP through PLIC source 8
    m.hart.setPc(BigInt(code));
    m.run({ maxInsns: 1, stopOnTrap: true });
    expect(m.hart.getX(10)).toBe(42n);
  });

  test('a file-backed disk keeps every write once closed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-blk-'));
    const file = path.join(dir, 'disk.img');
    fs.writeFileSync(file, Buffer.alloc(2048));
    const backend = new FileBlockBackend(file);
    const d = new Driver(backend);
    d.start();
    const data = pattern(512, 77);
    d.ram.bytes.set(data, BUF + 0x100 - RAM);
    expect(d.request(T_OUT, 3, { len: 512, write: false })).toBe(0);
    backend.close();
    expect(new Uint8Array(fs.readFileSync(file)).slice(1536)).toEqual(data);
    fs.rmSync(dir, { recursive: true });
  });
});
