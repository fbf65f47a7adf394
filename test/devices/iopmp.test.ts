// The platform's IOPMP (reference/machine/devices/iopmp.ts), written from the RISC-V IOPMP
// specification (riscv-non-isa/iopmp-spec): the registers of chapter "Registers", the checking
// order of "Priority and Matching Logic", the locks of "Configuration Protection", and the device
// side: a virtio device whose DMA the IOPMP refuses reports the error as virtio 1.x 2.1.2 says
// (DEVICE_NEEDS_RESET and a configuration-change interrupt) and the memory is untouched.
import { Iopmp, IOPMP_CFG as CFG, IOPMP_ETYPE as ET, IOPMP_REG as R, IOPMP_ENTRIES, IOPMP_PRIO_ENTRIES, IOPMP_RRIDS, IOPMP_MDS } from '../../reference/machine/devices/iopmp';
import { Machine } from '../../reference/machine/machine';
import { BlockBackend } from '../../reference/machine/devices/virtio-blk';
import { REG, STATUS, INT_CONFIG_CHANGE } from '../../reference/machine/devices/virtio-mmio';
import { IOPMP_BASE, IOPMP_SIZE, virtioSlotBase } from '../../reference/machine/devices/memory-map';
import { OWNED_DEVICES } from '../../reference/machine/devices/device-ids';
import { buildDeviceTree } from '../../reference/machine/devices/device-tree';
import { readDtb } from '../../reference/tools/fdt';

const entry = (i: number) => R.ENTRY_ADDR0 + R.ENTRY_STRIDE * i;
const srcmd = (s: number) => R.SRCMD_EN0 + R.SRCMD_STRIDE * s;
const mdcfg = (m: number) => R.MDCFG0 + 4 * m;
const napot = (base: number, size: number) => (base + size / 2 - 1) / 4;

function iopmp(): Iopmp {
  const d = new Iopmp();
  d.reset();
  return d;
}
const w = (d: Iopmp, off: number, v: number) => d.write(off, 4, v);
/** Entry i: address register and configuration. */
function setEntry(d: Iopmp, i: number, addr: number, cfg: number): void { w(d, entry(i), addr); w(d, entry(i) + R.ENTRY_CFG, cfg); }

describe('registers', () => {
  test('HWCFG0/1/2 and ENTRYOFFSET describe the documented subset (full model, TOR, 8 RRIDs, 8 MDs, 16 entries, 8 priority)', () => {
    const d = iopmp();
    const h0 = d.read(R.HWCFG0);
    expect(h0 & 3).toBe(0); // mdcfg_fmt 0: MDCFG table
    expect((h0 >> 2) & 3).toBe(0); // srcmd_fmt 0: SRCMD_EN
    expect((h0 >> 4) & 1).toBe(1); // tor_en
    expect((h0 >>> 24) & 0x3f).toBe(IOPMP_MDS);
    expect(h0 >>> 31).toBe(0); // enable resets to 0
    expect(d.read(R.HWCFG1)).toBe((IOPMP_ENTRIES << 16) | IOPMP_RRIDS);
    expect(d.read(R.HWCFG2) & 0xffff).toBe(IOPMP_PRIO_ENTRIES);
    expect(d.read(R.ENTRYOFFSET)).toBe(R.ENTRY_ADDR0);
  });

  test('HWCFG0.enable is W1SS: set by writing 1, never cleared until reset', () => {
    const d = iopmp();
    w(d, R.HWCFG0, 0x80000000);
    expect(d.read(R.HWCFG0) >>> 31).toBe(1);
    w(d, R.HWCFG0, 0);
    expect(d.read(R.HWCFG0) >>> 31).toBe(1);
    d.reset();
    expect(d.read(R.HWCFG0) >>> 31).toBe(0);
  });

  test('ENTRY_CFG keeps r, w and a; x reads as r (chk_x = 0); ENTRY_ADDRH is not implemented (addrh_en = 0)', () => {
    const d = iopmp();
    w(d, entry(3) + R.ENTRY_CFG, 0xffffffff);
    expect(d.read(entry(3) + R.ENTRY_CFG)).toBe(CFG.R | CFG.W | CFG.X | CFG.NAPOT);
    w(d, entry(3) + R.ENTRY_CFG, CFG.W | CFG.TOR);
    expect(d.read(entry(3) + R.ENTRY_CFG)).toBe(CFG.W | CFG.TOR);
    w(d, entry(3) + 4, 0x1234);
    expect(d.read(entry(3) + 4)).toBe(0);
  });

  test('ENTRYLCK.f locks entries below it, only grows, and ENTRYLCK.l freezes it', () => {
    const d = iopmp();
    w(d, R.ENTRYLCK, 2 << 1);
    setEntry(d, 1, 0x1111, CFG.R | CFG.NA4);
    setEntry(d, 2, 0x2222, CFG.R | CFG.NA4);
    expect(d.read(entry(1))).toBe(0);
    expect(d.read(entry(2))).toBe(0x2222);
    w(d, R.ENTRYLCK, 1 << 1); // smaller: no effect
    expect(d.read(R.ENTRYLCK)).toBe(2 << 1);
    w(d, R.ENTRYLCK, (3 << 1) | 1);
    w(d, R.ENTRYLCK, 8 << 1);
    expect(d.read(R.ENTRYLCK)).toBe((3 << 1) | 1);
    setEntry(d, 2, 0x3333, 0);
    expect(d.read(entry(2))).toBe(0x2222);
  });

  test('SRCMD_EN(s).l locks the row; MDLCK.md[m] locks column m for every RRID', () => {
    const d = iopmp();
    w(d, srcmd(0), (0b11 << 1) | 1);
    w(d, srcmd(0), 0);
    expect(d.read(srcmd(0))).toBe((0b11 << 1) | 1);
    w(d, srcmd(1), 0b101 << 1);
    w(d, R.MDLCK, (1 << 1) | 1); // lock MD 0, and MDLCK itself
    w(d, srcmd(1), 0b010 << 1); // MD 0 stays as it was (1), MD 1 and 2 change
    expect(d.read(srcmd(1))).toBe(0b011 << 1);
    w(d, R.MDLCK, 0xff << 1);
    expect(d.read(R.MDLCK)).toBe((1 << 1) | 1);
    expect(d.read(srcmd(1) + 4)).toBe(0); // SRCMD_ENH: md_num <= 31
  });

  test('MDCFGLCK.f locks MDCFG(m) for m < f; MDCFG.t is WARL up to the number of entries', () => {
    const d = iopmp();
    w(d, mdcfg(0), 2);
    w(d, mdcfg(1), 999);
    expect(d.read(mdcfg(1))).toBe(IOPMP_ENTRIES);
    w(d, R.MDCFGLCK, 1 << 1);
    w(d, mdcfg(0), 5);
    expect(d.read(mdcfg(0))).toBe(2);
    w(d, mdcfg(1), 6);
    expect(d.read(mdcfg(1))).toBe(6);
  });

  test('ERR_CFG: only the lock is implemented (no interrupt, no MSI, always an error response)', () => {
    const d = iopmp();
    w(d, R.ERR_CFG, 0xe);
    expect(d.read(R.ERR_CFG)).toBe(0);
    w(d, R.ERR_CFG, 1);
    expect(d.read(R.ERR_CFG)).toBe(1);
  });
});

describe('checking (Priority and Matching Logic)', () => {
  // MD 0 = entries 0..1 (priority), MD 1 = entries 2..3 (priority), MD 2 = entries 8..9 (non-priority).
  function layout(): Iopmp {
    const d = iopmp();
    w(d, mdcfg(0), 2); w(d, mdcfg(1), 4); w(d, mdcfg(2), 10);
    setEntry(d, 0, napot(0x80000000, 0x80000), CFG.NAPOT); // the firmware: no permission
    setEntry(d, 2, 0x80000000 / 4, 0); // lower bound for the TOR below
    setEntry(d, 3, 0x84000000 / 4, CFG.R | CFG.W | CFG.TOR);
    setEntry(d, 8, napot(0x86000000, 0x1000), CFG.R | CFG.NAPOT); // read-only page
    setEntry(d, 9, 0x86000800 / 4, CFG.R | CFG.W | CFG.NA4);
    w(d, srcmd(0), 0b011 << 1); // RRID 0: MDs 0 and 1
    w(d, srcmd(1), 0b100 << 1); // RRID 1: MD 2 only
    w(d, R.HWCFG0, 0x80000000);
    return d;
  }

  test('with HWCFG0.enable clear, nothing is checked', () => {
    const d = iopmp();
    expect(d.check(5, 0, 8, true)).toBeNull();
  });

  test('an RRID beyond HWCFG1.rrid_num is "unknown RRID" (6)', () => {
    expect(layout().check(IOPMP_RRIDS, 0x80100000, 4, false)?.etype).toBe(ET.UNKNOWN_RRID);
  });

  test('a priority entry that covers all bytes decides by its permission; the first one wins', () => {
    const d = layout();
    expect(d.check(0, 0x80100000, 16, true)).toBeNull();
    // Entry 0 (no permission) comes before entry 3, which also covers the firmware.
    expect(d.check(0, 0x80001000, 16, false)).toMatchObject({ etype: ET.ILLEGAL_READ, eid: 0 });
    expect(d.check(0, 0x80001000, 16, true)).toMatchObject({ etype: ET.ILLEGAL_WRITE, eid: 0 });
  });

  test('a transaction partly inside a priority entry is a partial hit (4), whatever the entry permits', () => {
    const d = iopmp();
    w(d, mdcfg(0), 1);
    setEntry(d, 0, 0x80000ffc / 4, CFG.R | CFG.W | CFG.TOR); // [0, 0x80000ffc): not burst-aligned
    w(d, srcmd(0), 1 << 1);
    w(d, R.HWCFG0, 0x80000000);
    expect(d.check(0, 0x80000ff0, 16, false)).toMatchObject({ etype: ET.PARTIAL_HIT, eid: 0, addr: 0x80000ff0 });
    expect(d.check(0, 0x80000ff0, 12, true)).toBeNull();
  });

  test('a buffer that runs into a denied priority entry is denied at the first burst inside it', () => {
    const d = layout();
    expect(d.check(0, 0x80080000 - 0x48, 0x50, true)).toMatchObject({ etype: ET.ILLEGAL_WRITE, eid: 0, addr: 0x8007ffb8 });
    expect(d.check(0, 0x84000000 - 4, 8, true)).toMatchObject({ etype: ET.NO_HIT, addr: 0x84000000 });
  });

  test('TOR covers [ENTRY_ADDR(i-1), ENTRY_ADDR(i)): the first and last byte in, the byte after out', () => {
    const d = layout();
    expect(d.check(0, 0x80080000, 1, true)).toBeNull();
    expect(d.check(0, 0x83ffffff, 1, true)).toBeNull();
    expect(d.check(0, 0x84000000, 1, true)).toMatchObject({ etype: ET.NO_HIT, eid: 0xffff });
  });

  test('an entry of a memory domain the RRID is not associated with does not match', () => {
    const d = layout();
    expect(d.check(1, 0x80100000, 4, false)).toMatchObject({ etype: ET.NO_HIT });
    expect(d.check(0, 0x86000000, 4, false)).toMatchObject({ etype: ET.NO_HIT });
  });

  test('non-priority entries must cover all bytes; any one permitting grants; none permitting is illegal', () => {
    const d = layout();
    expect(d.check(1, 0x86000100, 8, false)).toBeNull(); // entry 8 grants the read
    expect(d.check(1, 0x86000100, 8, true)).toMatchObject({ etype: ET.ILLEGAL_WRITE, eid: 8 });
    expect(d.check(1, 0x86000800, 4, true)).toBeNull(); // entry 9 (NA4) grants the write
    expect(d.check(1, 0x86000800, 8, true)).toMatchObject({ etype: ET.ILLEGAL_WRITE }); // NA4 covers 4 bytes only
    expect(d.check(1, 0x86000ffc, 8, false)).toMatchObject({ etype: ET.NO_HIT }); // no entry covers all of it
  });

  test('a long access is checked burst by burst: adjacent priority entries that both permit pass it', () => {
    const setUp = (boundary: number) => {
      const d = iopmp();
      w(d, mdcfg(0), 3);
      setEntry(d, 0, 0x80000000 / 4, 0);
      setEntry(d, 1, boundary / 4, CFG.R | CFG.TOR);
      setEntry(d, 2, 0x80002000 / 4, CFG.R | CFG.TOR);
      w(d, srcmd(2), 1 << 1);
      w(d, R.HWCFG0, 0x80000000);
      return d;
    };
    expect(setUp(0x80001000).check(2, 0x80000800, 0x1000, false)).toBeNull();
    // A boundary inside a 64-byte burst: that burst partially hits entry 1.
    expect(setUp(0x80000ff8).check(2, 0x80000800, 0x1000, false)).toMatchObject({ etype: ET.PARTIAL_HIT, eid: 1, addr: 0x80000fc0 });
  });

  test('NAPOT with all address bits set covers everything below 2^35', () => {
    const d = iopmp();
    w(d, mdcfg(0), 1);
    setEntry(d, 0, 0xffffffff, CFG.R | CFG.W | CFG.NAPOT);
    w(d, srcmd(0), 1 << 1);
    w(d, R.HWCFG0, 0x80000000);
    expect(d.check(0, 0, 64, true)).toBeNull();
    expect(d.check(0, 2 ** 35, 4, true)).toMatchObject({ etype: ET.NO_HIT });
  });

  test('the first violation is captured (ERR_INFO, ERR_REQADDR/H, ERR_REQID) until ERR_INFO.v is cleared', () => {
    const d = layout();
    d.check(0, 0x80001008, 4, true);
    d.check(1, 0x90000000, 4, false); // a second violation does not overwrite the record
    const info = d.read(R.ERR_INFO);
    expect(info & 1).toBe(1);
    expect((info >> 1) & 3).toBe(2); // ttype: write
    expect((info >> 4) & 0xf).toBe(ET.ILLEGAL_WRITE);
    expect(d.read(R.ERR_REQADDR)).toBe(0x80001008 / 4);
    expect(d.read(R.ERR_REQADDRH)).toBe(0);
    expect(d.read(R.ERR_REQID)).toBe((0 << 16) | 0);
    w(d, R.ERR_INFO, 1);
    expect(d.read(R.ERR_INFO)).toBe(0);
    d.check(1, 0xc_0000_0010, 4, false);
    expect((d.read(R.ERR_INFO) >> 4) & 0xf).toBe(ET.NO_HIT);
    expect(d.read(R.ERR_REQADDRH)).toBe(3);
    expect(d.read(R.ERR_REQADDR)).toBe(4);
    expect(d.read(R.ERR_REQID)).toBe(0xffff0001);
  });
});

describe('on the platform', () => {
  const MiB = 1 << 20;
  const RAM = 0x80000000;
  const DESC = RAM + 0x100000, AVAIL = DESC + 0x1000, USED = DESC + 0x2000, HDR = DESC + 0x3000;
  const SLOT = 7;

  class MemDisk implements BlockBackend {
    readonly bytes = new Uint8Array(64 * 512).map((_, i) => (i * 7) & 0xff);
    get size(): number { return this.bytes.length; }
    read(off: number, len: number): Uint8Array { return this.bytes.slice(off, off + len); }
    write(off: number, data: Uint8Array): void { this.bytes.set(data, off); }
    flush(): void { /* in memory */ }
  }

  const u8 = (n: number) => new Uint8Array(n);
  function le(m: Machine, pa: number, v: number, bytes: number): void {
    const b = u8(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
    m.loadBytes(BigInt(pa), b.subarray(0, bytes));
  }

  /** A machine with one disk, its driver set up, and the IOPMP giving slot 7 [RAM, RAM + 4 MiB) only. */
  function setUp(): Machine {
    const m = new Machine({ ramSize: 16 * MiB, drive: new MemDisk(), deviceTree: false });
    const io = (off: number, v: number) => m.iopmp.write(off, 4, v);
    io(mdcfg(0), 2);
    io(entry(0), RAM / 4);
    io(entry(1), (RAM + 4 * MiB) / 4); io(entry(1) + R.ENTRY_CFG, CFG.R | CFG.W | CFG.TOR);
    io(srcmd(SLOT), 1 << 1);
    io(R.HWCFG0, 0x80000000);
    const dev = m.virtio[SLOT];
    const r = (off: number) => dev.read(off, 4), wr = (off: number, v: number) => dev.write(off, 4, v);
    wr(REG.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
    wr(REG.DriverFeaturesSel, 1); wr(REG.DriverFeatures, 1); // VERSION_1
    wr(REG.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK);
    expect(r(REG.Status) & STATUS.FEATURES_OK).toBeTruthy();
    wr(REG.QueueSel, 0); wr(REG.QueueNum, 8);
    wr(REG.QueueDescLow, DESC); wr(REG.QueueDriverLow, AVAIL); wr(REG.QueueDeviceLow, USED);
    wr(REG.QueueReady, 1);
    wr(REG.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK | STATUS.DRIVER_OK);
    return m;
  }

  /** One IN request of one sector into `buf`. */
  function readSector(m: Machine, buf: number, descTable = DESC): void {
    le(m, HDR, 0, 8); le(m, HDR + 8, 0, 8); // type IN, sector 0
    const d = (i: number, addr: number, len: number, flags: number, next: number) => {
      const a = descTable + 16 * i;
      le(m, a, addr, 8); le(m, a + 8, len, 4); le(m, a + 12, flags, 2); le(m, a + 14, next, 2);
    };
    d(0, HDR, 16, 1, 1); d(1, buf, 512, 2 | 1, 2); d(2, HDR + 16, 1, 2, 0);
    le(m, AVAIL + 4, 0, 2); le(m, AVAIL + 2, 1, 2);
    m.virtio[SLOT].write(REG.QueueNotify, 4, 0);
  }

  test('a request inside the allowed memory completes', () => {
    const m = setUp();
    readSector(m, RAM + 0x200000);
    expect(m.readBytes(BigInt(HDR + 16), 1)[0]).toBe(0); // VIRTIO_BLK_S_OK
    expect(m.readBytes(BigInt(RAM + 0x200000 + 1), 1)[0]).toBe(7);
    expect(m.virtio[SLOT].read(REG.Status, 4) & STATUS.DEVICE_NEEDS_RESET).toBe(0);
  });

  test('a data buffer outside it: DEVICE_NEEDS_RESET, configuration-change interrupt, memory untouched, error captured', () => {
    const m = setUp();
    const victim = RAM + 8 * MiB;
    m.loadBytes(BigInt(victim), u8(512).fill(0xaa));
    readSector(m, victim);
    const dev = m.virtio[SLOT];
    expect(dev.read(REG.Status, 4) & STATUS.DEVICE_NEEDS_RESET).toBe(STATUS.DEVICE_NEEDS_RESET);
    expect(dev.read(REG.InterruptStatus, 4) & INT_CONFIG_CHANGE).toBe(INT_CONFIG_CHANGE);
    expect([...m.readBytes(BigInt(victim), 512)].every((b) => b === 0xaa)).toBe(true);
    expect(m.readBytes(BigInt(USED + 2), 2)).toEqual(Uint8Array.of(0, 0)); // nothing was used
    expect((m.iopmp.read(R.ERR_INFO) >> 4) & 0xf).toBe(ET.NO_HIT);
    expect(m.iopmp.read(R.ERR_REQADDR)).toBe(victim / 4);
    expect(m.iopmp.read(R.ERR_REQID) & 0xffff).toBe(SLOT);
  });

  test('a descriptor table outside it stops the device before it reads any descriptor', () => {
    const m = setUp();
    const dev = m.virtio[SLOT];
    dev.write(REG.Status, 4, 0); // reset, and set the queue up again with its table outside
    for (const [o, v] of [[REG.Status, 3], [REG.DriverFeaturesSel, 1], [REG.DriverFeatures, 1], [REG.Status, 11],
      [REG.QueueSel, 0], [REG.QueueNum, 8], [REG.QueueDescLow, RAM + 12 * MiB], [REG.QueueDriverLow, AVAIL],
      [REG.QueueDeviceLow, USED], [REG.QueueReady, 1], [REG.Status, 15]] as const) dev.write(o, 4, v);
    readSector(m, RAM + 0x200000, RAM + 12 * MiB);
    expect(dev.read(REG.Status, 4) & STATUS.DEVICE_NEEDS_RESET).toBe(STATUS.DEVICE_NEEDS_RESET);
    expect(m.readBytes(BigInt(RAM + 0x200000), 4)).toEqual(u8(4));
  });

  test('the window is in the memory map, the device tree and the device-id table', () => {
    const m = new Machine({ ramSize: 16 * MiB });
    // The hart reaches it at its base (HWCFG1 through the bus); 1- and 2-byte accesses fault.
    expect(m.bus.read(IOPMP_BASE + R.HWCFG1, 4)).toBe((IOPMP_ENTRIES << 16) | IOPMP_RRIDS);
    expect(m.bus.read(IOPMP_BASE + R.HWCFG1, 1)).toBeNaN();
    expect(IOPMP_BASE % IOPMP_SIZE).toBe(0); // one NAPOT PMP entry covers it
    const tree = readDtb(buildDeviceTree({ ramSize: 16 * MiB }));
    const soc = tree.children.find((n) => n.name === 'soc')!;
    const node = soc.children.find((n) => n.name === `iopmp@${IOPMP_BASE.toString(16)}`);
    expect(node).toBeDefined();
    // Requestor id s is virtio slot s; UART and RTC do no DMA.
    expect(OWNED_DEVICES.filter((d) => d.rrid >= 0).map((d) => [d.rrid, d.base])).toEqual(
      Array.from({ length: 8 }, (_, s) => [s, virtioSlotBase(s)]));
  });
});
