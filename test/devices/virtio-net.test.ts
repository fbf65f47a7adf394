// virtio-net (virtio 1.x section 5.1) over virtio-mmio, the machine's Ethernet switch and the host
// endpoint, driven from TypeScript the way a driver and a harness would. Expectations cite the
// virtio specification's clauses; the switch's from IEEE 802.1D's learning/forwarding rules.
import { REG, STATUS, VirtioMmio } from '../../reference/machine/devices/virtio-mmio';
import { NET_HDR_LEGACY, NET_HDR_V1, RX_BACKLOG, VirtioNet, defaultMac, parseMac } from '../../reference/machine/devices/virtio-net';
import { EthernetSwitch, SwitchPort } from '../../reference/machine/devices/ethernet-switch';
import { HostEndpoint } from '../../reference/machine/devices/host-endpoint';
import { DeviceTimerQueue } from '../../reference/machine/device-timers';
import { Machine } from '../../reference/machine/machine';
import { PLIC_BASE, virtioSlotBase } from '../../reference/machine/devices/memory-map';
import { BROADCAST_MAC, decode, ethernet, ip, udpFrame } from '../../reference/tools/net-frames';
import { Line, Ram } from './helpers';
import { Prng } from '../../vectors/generators/prng';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { InternalError } from '../../reference/machine/machine';
import * as P from '../../reference/machine/devices/memory-map';
import { IOPMP_CFG, IOPMP_ETYPE, IOPMP_REG } from '../../reference/machine/devices/iopmp';
import { INT_CONFIG_CHANGE } from '../../reference/machine/devices/virtio-mmio';

const RAM = 0x80000000;
const QSIZE = 8;
// Per queue: descriptors, available ring, used ring; then buffers.
const Q = [{ desc: RAM + 0x1000, avail: RAM + 0x2000, used: RAM + 0x3000 }, { desc: RAM + 0x4000, avail: RAM + 0x5000, used: RAM + 0x6000 }];
const RXBUF = RAM + 0x10000, TXBUF = RAM + 0x40000;
const F_NEXT = 1, F_WRITE = 2;
const MAC_A = parseMac('52:54:00:12:34:56')!, MAC_B = parseMac('52:54:00:00:00:0b')!;
const V1 = 1n << 32n, F_MAC = 1n << 5n, F_STATUS = 1n << 16n;

class Recorder implements SwitchPort {
  readonly frames: Uint8Array[] = [];
  constructor(readonly name: string) {}
  deliver(f: Uint8Array): void { this.frames.push(f.slice()); }
}

/** A driver for both queues of one card. */
class NetDriver {
  readonly ram = new Ram(RAM, 1 << 20);
  readonly irq = new Line();
  readonly nic: VirtioNet;
  readonly dev: VirtioMmio;
  private availIdx = [0, 0];
  constructor(mac = MAC_A, legacy = false) {
    this.nic = new VirtioNet(mac);
    this.dev = new VirtioMmio(0x10008000, this.nic, this.irq, this.ram, legacy);
  }
  r(off: number): number { return this.dev.read(off, 4); }
  w(off: number, v: number): void { this.dev.write(off, 4, v); }
  features(): bigint {
    this.w(REG.DeviceFeaturesSel, 0); const lo = this.r(REG.DeviceFeatures);
    this.w(REG.DeviceFeaturesSel, 1); const hi = this.r(REG.DeviceFeatures);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
  /** The driver's side of a reset: its rings and indices start again from zero. */
  forget(): void {
    this.availIdx = [0, 0];
    this.ram.bytes.fill(0, Q[0].desc - RAM, Q[1].used + 0x1000 - RAM);
  }
  /** `beforeOk` runs with the queues set up, just before DRIVER_OK. */
  start(accept: bigint, beforeOk?: () => void): void {
    this.w(REG.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
    this.w(REG.DriverFeaturesSel, 0); this.w(REG.DriverFeatures, Number(accept & 0xffffffffn));
    this.w(REG.DriverFeaturesSel, 1); this.w(REG.DriverFeatures, Number(accept >> 32n));
    this.w(REG.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK);
    expect(this.r(REG.Status) & STATUS.FEATURES_OK).toBeTruthy();
    for (const i of [0, 1]) {
      this.w(REG.QueueSel, i); this.w(REG.QueueNum, QSIZE);
      this.w(REG.QueueDescLow, Q[i].desc); this.w(REG.QueueDriverLow, Q[i].avail); this.w(REG.QueueDeviceLow, Q[i].used);
      this.w(REG.QueueReady, 1);
    }
    beforeOk?.();
    this.w(REG.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK | STATUS.DRIVER_OK);
  }
  desc(q: number, i: number, addr: number, len: number, flags: number, next = 0): void {
    const a = Q[q].desc + 16 * i;
    this.ram.setU64(a, addr); this.ram.setU32(a + 8, len); this.ram.setU16(a + 12, flags); this.ram.setU16(a + 14, next);
  }
  offer(q: number, head: number, notify = true): void {
    this.ram.setU16(Q[q].avail + 4 + 2 * (this.availIdx[q] % QSIZE), head);
    this.availIdx[q] = (this.availIdx[q] + 1) & 0xffff;
    this.ram.setU16(Q[q].avail + 2, this.availIdx[q]);
    if (notify) this.w(REG.QueueNotify, q);
  }
  /** Post receive buffer `i` of `len` bytes (descriptor i of queue 0). */
  postRx(i: number, len = 1526, notify = true): void { this.desc(0, i, RXBUF + 0x800 * i, len, F_WRITE); this.offer(0, i, notify); }
  usedIdx(q: number): number { return this.ram.u16(Q[q].used + 2); }
  used(q: number, n: number): { id: number; len: number } { return { id: this.ram.u32(Q[q].used + 4 + 8 * n), len: this.ram.u32(Q[q].used + 8 + 8 * n) }; }
  rxBytes(i: number, len: number): Uint8Array { return this.ram.bytes.slice(RXBUF + 0x800 * i - RAM, RXBUF + 0x800 * i - RAM + len); }
  /** Transmit `frame` behind a header of `hdr` bytes, split over two descriptors as Linux does. */
  send(frame: Uint8Array, hdr = NET_HDR_V1, slot = 0): void {
    const at = TXBUF + 0x800 * slot;
    this.ram.bytes.fill(0, at - RAM, at - RAM + hdr);
    this.ram.bytes.set(frame, at - RAM + 64);
    this.desc(1, 2 * slot, at, hdr, F_NEXT, 2 * slot + 1);
    this.desc(1, 2 * slot + 1, at + 64, frame.length, 0);
    this.offer(1, 2 * slot);
  }
}

const frame = (dst: Uint8Array, src: Uint8Array, n: number) => ethernet(dst, src, 0x88b5, Uint8Array.from({ length: n }, (_, i) => i & 0xff));

/** A card on a switch with a recorder port standing for the rest of the network. */
function wired(legacy = false) {
  const d = new NetDriver(MAC_A, legacy);
  const sw = new EthernetSwitch();
  const other = new Recorder('other');
  d.nic.transmit = sw.attach(d.nic);
  const toSwitch = sw.attach(other);
  return { d, sw, other, toSwitch };
}

describe('virtio-net device', () => {
  test('identity, features and configuration space (5.1.1-5.1.4)', () => {
    const d = new NetDriver(parseMac('02:00:00:aa:bb:cc')!);
    expect(d.r(REG.DeviceID)).toBe(1); // 5.1.1: device ID 1
    const f = d.features();
    // 5.1.3: MAC (5) and STATUS (16); VERSION_1 (32) is what a modern device offers (6.1).
    for (const b of [F_MAC, F_STATUS, V1]) expect(f & b).toBe(b);
    expect(f & (1n << 15n)).toBe(0n); // MRG_RXBUF is not offered: one buffer per frame
    expect(f & (1n << 17n)).toBe(0n); // no control queue
    // 5.1.4: mac[6] then status (VIRTIO_NET_S_LINK_UP = 1), any width.
    expect([0, 1, 2, 3, 4, 5].map((i) => d.dev.read(0x100 + i, 1))).toEqual([2, 0, 0, 0xaa, 0xbb, 0xcc]);
    expect(d.dev.read(0x104, 2)).toBe(0xccbb);
    expect(d.dev.read(0x106, 2)).toBe(1);
    d.dev.write(0x100, 1, 0x77); // read-only
    expect(d.dev.read(0x100, 1)).toBe(2);
    // 5.1.2: receiveq1 = 0, transmitq1 = 1, and nothing more without CTRL_VQ / MQ.
    for (const q of [0, 1]) { d.w(REG.QueueSel, q); expect(d.r(REG.QueueNumMax)).toBeGreaterThanOrEqual(256); }
    d.w(REG.QueueSel, 2); expect(d.r(REG.QueueNumMax)).toBe(0);
    expect(defaultMac(1)).toEqual(parseMac('52:54:00:12:34:57'));
  });

  test('transmit: the 12-byte header is stripped, the frame goes to the switch, the buffer is used with length 0 (5.1.6.2)', () => {
    const { d, other } = wired();
    d.start(V1 | F_MAC | F_STATUS);
    const f = frame(BROADCAST_MAC, MAC_A, 100);
    d.send(f);
    expect(other.frames).toEqual([f]);
    expect(d.usedIdx(1)).toBe(1);
    expect(d.used(1, 0)).toEqual({ id: 0, len: 0 });
    expect(d.irq.level).toBe(true);
    expect(d.nic.stats.txFrames).toBe(1);
  });

  test('receive: header with num_buffers 1 then the frame, used length header + frame (5.1.6.3, 5.1.6.4)', () => {
    const { d, toSwitch } = wired();
    d.start(V1 | F_MAC);
    d.postRx(0); d.postRx(1);
    expect(d.usedIdx(0)).toBe(0);
    const f = frame(MAC_A, MAC_B, 200);
    toSwitch(f);
    expect(d.usedIdx(0)).toBe(1);
    expect(d.used(0, 0)).toEqual({ id: 0, len: NET_HDR_V1 + f.length });
    const got = d.rxBytes(0, NET_HDR_V1 + f.length);
    // flags 0, gso_type NONE, ... num_buffers (bytes 10-11) = 1: "If VIRTIO_NET_F_MRG_RXBUF is not
    // negotiated, the device MUST set num_buffers to 1" (5.1.6.4.1).
    expect([...got.subarray(0, NET_HDR_V1)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(got.subarray(NET_HDR_V1)).toEqual(f);
    expect(d.irq.level).toBe(true);
  });

  test('a legacy driver (no VERSION_1) gets the 10-byte header both ways (5.1.6, legacy interface)', () => {
    const { d, other, toSwitch } = wired(true);
    // Legacy transport: features take effect at once; queues by PFN.
    d.w(REG.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER);
    d.w(REG.DriverFeatures, Number(F_MAC));
    d.w(0x028, 4096);
    const PFN = [RAM + 0x20000, RAM + 0x28000];
    for (const i of [0, 1]) { d.w(REG.QueueSel, i); d.w(REG.QueueNum, QSIZE); d.w(0x040, PFN[i] / 4096); }
    d.w(REG.Status, STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.DRIVER_OK);
    // Put the legacy layout into the driver's notion of the queues.
    Q.splice(0, 2, { desc: PFN[0], avail: PFN[0] + 16 * QSIZE, used: PFN[0] + 4096 }, { desc: PFN[1], avail: PFN[1] + 16 * QSIZE, used: PFN[1] + 4096 });
    try {
      const out = frame(MAC_B, MAC_A, 60);
      d.send(out, NET_HDR_LEGACY);
      expect(other.frames).toEqual([out]);
      d.postRx(0);
      const f = frame(MAC_A, MAC_B, 70);
      toSwitch(f);
      expect(d.used(0, 0).len).toBe(NET_HDR_LEGACY + f.length);
      expect(d.rxBytes(0, NET_HDR_LEGACY + f.length).subarray(NET_HDR_LEGACY)).toEqual(f);
    } finally {
      Q.splice(0, 2, { desc: RAM + 0x1000, avail: RAM + 0x2000, used: RAM + 0x3000 }, { desc: RAM + 0x4000, avail: RAM + 0x5000, used: RAM + 0x6000 });
    }
  });

  test('frames wait for receive buffers in order; a frame too big for the buffer is dropped and the buffer kept', () => {
    const { d, toSwitch } = wired();
    d.start(V1);
    const f1 = frame(MAC_A, MAC_B, 50), f2 = frame(MAC_A, MAC_B, 51), big = frame(MAC_A, MAC_B, 500);
    toSwitch(f1); toSwitch(f2);
    expect(d.nic.pending).toBe(2);
    d.postRx(0); // the driver's notify delivers what waited
    expect(d.usedIdx(0)).toBe(1);
    expect(d.rxBytes(0, NET_HDR_V1 + f1.length).subarray(NET_HDR_V1)).toEqual(f1);
    toSwitch(big);
    d.postRx(1, 200);
    // f2 fits the 200-byte buffer; the big one does not and is dropped (5.1.6.3.1's sizes are the driver's duty).
    expect(d.usedIdx(0)).toBe(2);
    expect(d.used(0, 1)).toEqual({ id: 1, len: NET_HDR_V1 + f2.length });
    expect(d.nic.pending).toBe(1);
    d.postRx(2, 200);
    expect(d.usedIdx(0)).toBe(2);
    expect(d.nic.stats.rxDropped).toBe(1);
    const f3 = frame(MAC_A, MAC_B, 10);
    toSwitch(f3); // the kept buffer takes the next frame
    expect(d.usedIdx(0)).toBe(3);
    expect(d.used(0, 2).id).toBe(2);
  });

  test('frames wait for the driver (before DRIVER_OK, across its reset of the card), up to a bound', () => {
    const { d, toSwitch } = wired();
    const early = frame(MAC_A, MAC_B, 20);
    toSwitch(early); // no driver yet
    d.start(V1); // up, with no receive buffer
    d.w(REG.Status, 0); // the driver resets the card (as a handover does): the frame still waits
    d.forget();
    expect(d.nic.pending).toBe(1);
    // The next driver offers a buffer before DRIVER_OK and does not notify: DRIVER_OK starts the card.
    d.start(V1, () => d.postRx(0, 1526, false));
    expect(d.usedIdx(0)).toBe(1);
    expect(d.rxBytes(0, NET_HDR_V1 + early.length).subarray(NET_HDR_V1)).toEqual(early);
    for (let i = 0; i < RX_BACKLOG + 3; i++) toSwitch(frame(MAC_A, MAC_B, 20));
    expect(d.nic.pending).toBe(RX_BACKLOG);
    expect(d.nic.stats.rxDropped).toBe(3);
    d.nic.powerOn(); // a machine reset: nothing waits
    expect(d.nic.pending).toBe(0);
  });

  test('a transmit chain without its header puts the device in DEVICE_NEEDS_RESET (2.1.2), never throws', () => {
    const { d, other } = wired();
    d.start(V1);
    d.desc(1, 0, TXBUF, 4, 0);
    d.offer(1, 0);
    expect(d.r(REG.Status) & STATUS.DEVICE_NEEDS_RESET).toBeTruthy();
    expect(d.r(REG.InterruptStatus) & 2).toBe(2);
    expect(other.frames).toEqual([]);
  });

  test('NO_INTERRUPT in avail.flags suppresses the used-buffer interrupt for received frames too', () => {
    const { d, toSwitch } = wired();
    d.start(V1);
    d.ram.setU16(Q[0].avail, 1);
    d.postRx(0);
    toSwitch(frame(MAC_A, MAC_B, 20));
    expect(d.usedIdx(0)).toBe(1);
    expect(d.irq.level).toBe(false);
  });
});

describe('Ethernet switch', () => {
  test('learns source addresses, forwards known unicast to one port, floods the rest, drops back to sender', () => {
    const sw = new EthernetSwitch();
    const [a, b, c] = ['a', 'b', 'c'].map((n) => new Recorder(n));
    const [ta, tb] = [sw.attach(a), sw.attach(b)];
    sw.attach(c);
    const macC = parseMac('02:00:00:00:00:0c')!;
    const unknown = frame(macC, MAC_A, 30);
    ta(unknown); // c not learned yet: flood to b and c, never back to a
    expect([a.frames.length, b.frames.length, c.frames.length]).toEqual([0, 1, 1]);
    const reply = frame(MAC_A, MAC_B, 30);
    tb(reply); // MAC_A was learned on port a
    expect(a.frames).toEqual([reply]);
    expect(c.frames.length).toBe(1);
    ta(frame(MAC_B, MAC_A, 30)); // MAC_B learned on b
    expect(b.frames.length).toBe(2);
    expect(c.frames.length).toBe(1);
    // Broadcast always floods, and a group source address is never learned.
    tb(frame(BROADCAST_MAC, MAC_B, 30));
    expect([a.frames.length, c.frames.length]).toEqual([2, 2]);
    // MAC_A moves to port b (a service that changed hands announces itself): frames follow.
    tb(frame(BROADCAST_MAC, MAC_A, 30));
    expect(sw.lookup(MAC_A)).toBe('b');
    tb(frame(MAC_A, MAC_B, 30)); // destination on the sender's own port: dropped
    expect(sw.stats.dropped).toBe(1);
    ta(new Uint8Array(10)); // runt
    expect(sw.stats.dropped).toBe(2);
    sw.reset();
    expect(sw.lookup(MAC_A)).toBeUndefined();
  });
});

describe('host endpoint and the device-timer queue', () => {
  function clock() {
    const sink = { deviceDeadline: Infinity, onDeviceDeadline: null as (() => void) | null, now: 0, mtime() { return this.now; }, kick() {} };
    const q = new DeviceTimerQueue(sink);
    /** Advance guest time to `t`, firing what the hart would fire at the boundary. */
    const advance = (t: number) => { sink.now = t; if (sink.now >= sink.deviceDeadline) sink.onDeviceDeadline!(); };
    return { sink, q, advance };
  }

  test('frames enter at their guest time, ties in the order sent; delivered frames are stamped', () => {
    const { sink, q, advance } = clock();
    const host = new HostEndpoint({ mtime: () => sink.now }, q);
    const sw = new EthernetSwitch();
    host.connect(sw.attach(host));
    const nic = new Recorder('nic');
    const nicTx = sw.attach(nic);
    const f = (n: number) => frame(BROADCAST_MAC, MAC_B, n);
    host.send(f(3), 300); host.send(f(1), 100); host.send(f(2), 100);
    expect(sink.deviceDeadline).toBe(100);
    advance(99);
    expect(nic.frames).toEqual([]);
    advance(150);
    expect(nic.frames.map((x) => x.length - 14)).toEqual([1, 2]);
    expect(sink.deviceDeadline).toBe(300);
    advance(300);
    expect(nic.frames.length).toBe(3);
    expect(sink.deviceDeadline).toBe(Infinity);
    nicTx(frame(MAC_B, MAC_A, 5));
    expect(host.collected).toEqual([{ at: 300, frame: frame(MAC_B, MAC_A, 5) }]);
    expect(() => host.send(f(4), 299)).toThrow(/before now/);
  });

  test('several timers share the one deadline: earliest first, ties in creation order', () => {
    const { sink, q, advance } = clock();
    const log: string[] = [];
    const t1 = q.create(() => log.push('t1'));
    const t2 = q.create(() => log.push('t2'));
    const t3 = q.create(() => { log.push('t3'); if (log.length < 5) t3.set(sink.now); });
    t2.set(50); t1.set(50); t3.set(40);
    expect(sink.deviceDeadline).toBe(40);
    t3.cancel();
    expect(sink.deviceDeadline).toBe(50);
    t3.set(45);
    advance(60);
    // t3 (45) first, then the tie at 50 in creation order; t3, re-armed for "now" (60), runs again
    // in the same call after them, and again until it stops re-arming.
    expect(log).toEqual(['t3', 't1', 't2', 't3', 't3']);
    expect(sink.deviceDeadline).toBe(Infinity);
  });
});

describe('on the machine', () => {
  test('a card in its slot raises its PLIC source when a scripted frame arrives, at the scripted guest time', () => {
    const m = new Machine({ nics: [{ slot: 7 }], deviceTree: false });
    const net = m.network!;
    expect(net.nics[0].mac).toEqual(parseMac('52:54:00:12:34:56'));
    expect(m.virtio[7].read(REG.DeviceID, 4)).toBe(1);
    expect(() => new Machine({ nics: [{ slot: 7 }], drives: [{ slot: 7, backend: { size: 512, read: () => new Uint8Array(0), write: () => undefined, flush: () => undefined } }] })).toThrow(/two devices/);
    // Drive it as a guest would, from outside: the virtio rings in guest RAM.
    const dev = m.virtio[7] as VirtioMmio;
    const w = (o: number, v: number) => dev.write(o, 4, v);
    w(REG.Status, 3); w(REG.DriverFeaturesSel, 1); w(REG.DriverFeatures, 1); w(REG.Status, 11);
    const desc = RAM + 0x1000, avail = RAM + 0x2000, used = RAM + 0x3000, buf = RAM + 0x4000;
    w(REG.QueueSel, 0); w(REG.QueueNum, 8); w(REG.QueueDescLow, desc); w(REG.QueueDriverLow, avail); w(REG.QueueDeviceLow, used); w(REG.QueueReady, 1);
    w(REG.Status, 15);
    const d = new Uint8Array(16); const dv = new DataView(d.buffer);
    dv.setBigUint64(0, BigInt(buf), true); dv.setUint32(8, 2048, true); dv.setUint16(12, 2, true);
    m.loadBytes(BigInt(desc), d);
    m.loadBytes(BigInt(avail), Uint8Array.of(0, 0, 1, 0, 0, 0));
    w(REG.QueueNotify, 0);
    // PLIC: source 8 enabled for context 1 (S) with priority 1.
    m.bus.write(PLIC_BASE + 4 * 8, 4, 1);
    m.bus.write(PLIC_BASE + 0x2080, 4, 1 << 8);
    const payload = udpFrame({ srcMac: MAC_B, dstMac: net.nics[0].mac, srcIp: ip('10.0.2.2'), dstIp: ip('10.0.2.15'), srcPort: 5555, dstPort: 7, payload: new Uint8Array(Buffer.from('hi')) });
    net.host.send(payload, 1000);
    // An idle loop: the hart runs (the machine's own reset code then RAM zeros = illegal; use wfi-free budget).
    m.loadBytes(BigInt(RAM), Uint8Array.of(0x6f, 0x00, 0x00, 0x00)); // j . at the start of RAM
    m.run({ maxInsns: 500 });
    expect(m.hart.mtime()).toBeLessThan(1000);
    expect(m.readBytes(BigInt(used + 2), 1)[0]).toBe(0);
    m.run({ maxInsns: 20000 });
    expect(m.hart.mtime()).toBeGreaterThanOrEqual(1000);
    expect(m.readBytes(BigInt(used + 2), 1)[0]).toBe(1);
    expect(decode(m.readBytes(BigInt(buf + NET_HDR_V1), payload.length)).kind).toBe('udp');
    expect(m.plic.read(0x1000, 4) & (1 << 8)).toBe(1 << 8);
    expect(virtioSlotBase(7)).toBe(dev.base);
  });
});

test('random rings, descriptors, register writes and frames both ways never crash the host', () => {
  // A driver that sets both queues up over RAM of random content (descriptors that are nearly
  // right: buffers in RAM or not, lengths from 0 to huge, chains, indirect tables), frames from the
  // host at random sizes, and random register traffic: the card may stop (DEVICE_NEEDS_RESET), the
  // host process never throws.
  const m = new Machine({ ramSize: 1 << 20, deviceTree: false, captureConsole: false, nics: [{ slot: 3 }] });
  const base = P.virtioSlotBase(3);
  const net = m.network!;
  const failures: string[] = [];
  let sent = 0;
  for (let seed = 0; seed < 80 && failures.length < 3; seed++) {
    const r = new Prng(0x6e65_7400 + seed);
    m.resetEmpty();
    try {
      const addr = () => P.RAM_BASE + 0x10000 + r.below(0x4000) * 16 + (r.below(8) === 0 ? r.below(16) : 0);
      const num = 1 + r.below(16);
      const q = [0, 1].map(() => ({ desc: addr(), avail: addr(), used: addr() }));
      q.forEach((x, qi) => {
        const d = new DataView(new ArrayBuffer(16 * num));
        for (let i = 0; i < num; i++) {
          // Most descriptors are what a driver writes (one buffer: writable for receive, a frame
          // with its header for transmit); the others are random.
          const good = r.below(4) !== 0;
          d.setBigUint64(16 * i, BigInt(good || r.below(2) ? addr() : Number(r.next64() & 0xffffffffn)), true);
          d.setUint32(16 * i + 8, good ? (qi === 0 ? 1526 : 12 + 60) : r.pick([0, 1, 10, 12, 13, 60, 1526, 4096, 0xffffffff]), true);
          d.setUint16(16 * i + 12, good ? (qi === 0 ? 2 : 0) : r.below(8), true);
          d.setUint16(16 * i + 14, r.below(num + 2), true);
        }
        m.loadBytes(BigInt(x.desc), new Uint8Array(d.buffer));
        const a = new DataView(new ArrayBuffer(4 + 2 * num));
        a.setUint16(0, r.below(2), true);
        a.setUint16(2, r.below(8) === 0 ? r.below(1 << 16) : r.below(num + 1), true);
        for (let i = 0; i < num; i++) a.setUint16(4 + 2 * i, r.below(8) === 0 ? r.below(num + 1) : i, true);
        m.loadBytes(BigInt(x.avail), new Uint8Array(a.buffer));
      });
      const w = (off: number, v: number) => m.bus.write(base + off, 4, v);
      w(REG.Status, 3); w(REG.DriverFeaturesSel, 1); w(REG.DriverFeatures, r.below(2)); w(REG.DriverFeaturesSel, 0); w(REG.DriverFeatures, 32);
      w(REG.Status, 11);
      q.forEach((x, i) => { w(REG.QueueSel, i); w(REG.QueueNum, num); w(REG.QueueDescLow, x.desc); w(REG.QueueDriverLow, x.avail); w(REG.QueueDeviceLow, x.used); w(REG.QueueReady, 1); });
      w(REG.Status, 15);
      for (let k = 0; k < 60; k++) {
        const what = r.below(4);
        if (what === 0) { net.host.send(new Uint8Array(r.pick([0, 5, 14, 60, 1514, 3000])).fill(k), m.hart.mtime() + r.below(3)); sent++; }
        else if (what === 1) w(REG.QueueNotify, r.below(3));
        else if (what === 2 && r.below(4) === 0) m.bus.write(base + (r.below(0x110) & ~3), 4, Number(r.next64() & 0xffffffffn));
        else m.run({ maxInsns: 50 });
      }
    } catch (e) { failures.push(`seed ${seed}: ${e instanceof InternalError ? e.message : (e as Error).stack}`); }
  }
  expect(failures).toEqual([]);
  expect(sent).toBeGreaterThan(100);
  // The random rings were good enough, often enough, for frames to pass both ways.
  const st = net.nics[0].stats;
  expect([st.rxFrames > 0, st.txFrames > 0, st.rxDropped > 0]).toEqual([true, true, true]);
});

test('the card\'s DMA goes through the IOPMP as its slot\'s requestor: a receive buffer outside its memory stops the card, memory untouched', () => {
  const SLOT = 6, MiB = 1 << 20;
  const m = new Machine({ ramSize: 4 * MiB, deviceTree: false, nics: [{ slot: SLOT }] });
  // IOPMP: memory domain 0 = entries 0-1, TOR [RAM, RAM + 1 MiB) read/write, for RRID 6 (the slot) only.
  const io = (off: number, v: number) => m.iopmp.write(off, 4, v);
  io(IOPMP_REG.MDCFG0, 2);
  io(IOPMP_REG.ENTRY_ADDR0, RAM / 4);
  io(IOPMP_REG.ENTRY_ADDR0 + IOPMP_REG.ENTRY_STRIDE, (RAM + MiB) / 4);
  io(IOPMP_REG.ENTRY_ADDR0 + IOPMP_REG.ENTRY_STRIDE + IOPMP_REG.ENTRY_CFG, IOPMP_CFG.R | IOPMP_CFG.W | IOPMP_CFG.TOR);
  io(IOPMP_REG.SRCMD_EN0 + IOPMP_REG.SRCMD_STRIDE * SLOT, 1 << 1);
  io(IOPMP_REG.HWCFG0, 0x80000000);
  const dev = m.virtio[SLOT] as VirtioMmio;
  const w = (o: number, v: number) => dev.write(o, 4, v);
  const le = (pa: number, v: number, n: number) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(v), true); m.loadBytes(BigInt(pa), b.subarray(0, n)); };
  w(REG.Status, 3); w(REG.DriverFeaturesSel, 1); w(REG.DriverFeatures, 1); w(REG.Status, 11);
  Q.forEach((x, i) => { w(REG.QueueSel, i); w(REG.QueueNum, QSIZE); w(REG.QueueDescLow, x.desc); w(REG.QueueDriverLow, x.avail); w(REG.QueueDeviceLow, x.used); w(REG.QueueReady, 1); });
  w(REG.Status, 15);
  // Transmit from inside: it passes.
  const out = frame(BROADCAST_MAC, MAC_A, 60);
  m.loadBytes(BigInt(TXBUF + NET_HDR_V1), out);
  le(Q[1].desc, TXBUF, 8); le(Q[1].desc + 8, NET_HDR_V1 + out.length, 4);
  le(Q[1].avail + 4, 0, 2); le(Q[1].avail + 2, 1, 2);
  w(REG.QueueNotify, 1);
  expect(m.network!.nics[0].stats.txFrames).toBe(1);
  // Receive into a buffer at RAM + 2 MiB, outside what the IOPMP gives the slot.
  const victim = RAM + 2 * MiB;
  m.loadBytes(BigInt(victim), new Uint8Array(256).fill(0xaa));
  le(Q[0].desc, victim, 8); le(Q[0].desc + 8, 1526, 4); le(Q[0].desc + 12, F_WRITE, 2);
  le(Q[0].avail + 4, 0, 2); le(Q[0].avail + 2, 1, 2);
  w(REG.QueueNotify, 0);
  m.network!.host.send(frame(MAC_A, MAC_B, 100));
  m.run({ maxInsns: 10 });
  expect(dev.read(REG.Status, 4) & STATUS.DEVICE_NEEDS_RESET).toBe(STATUS.DEVICE_NEEDS_RESET);
  expect(dev.read(REG.InterruptStatus, 4) & INT_CONFIG_CHANGE).toBe(INT_CONFIG_CHANGE);
  expect([...m.readBytes(BigInt(victim), 256)].every((b) => b === 0xaa)).toBe(true);
  expect(m.readBytes(BigInt(Q[0].used + 2), 2)).toEqual(Uint8Array.of(0, 0));
  expect((m.iopmp.read(IOPMP_REG.ERR_INFO) >> 4) & 0xf).toBe(IOPMP_ETYPE.NO_HIT);
  expect(m.iopmp.read(IOPMP_REG.ERR_REQID) & 0xffff).toBe(SLOT);
});

// What QEMU 7.2's card offers (its monitor's `info virtio-status`, modern transport) against what
// devirt's offers: devirt's are a subset, and every one it leaves out is named in platform.md.
const HAVE_QEMU = spawnSync('qemu-system-riscv64', ['--version']).status === 0;
(HAVE_QEMU ? test : test.skip)(`the features devirt leaves out of QEMU's virtio-net-device are the ones platform.md lists${HAVE_QEMU ? '' : ' (skipped: no QEMU)'}`, () => {
  const p = spawnSync('qemu-system-riscv64', ['-M', 'virt', '-bios', 'none', '-nographic', '-S', '-monitor', 'stdio', '-serial', 'none',
    '-global', 'virtio-mmio.force-legacy=false', '-netdev', 'socket,id=n0,udp=127.0.0.1:9,localaddr=127.0.0.1:0', '-device', 'virtio-net-device,netdev=n0'],
  { input: 'info virtio-status /machine/peripheral-anon/device[0]\nquit\n', encoding: 'latin1', timeout: 30_000 });
  const text = p.stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  const host = text.slice(text.indexOf('Host features:'), text.indexOf('Backend features:'));
  const names = new Set([...host.matchAll(/VIRTIO_(?:NET_|RING_)?F_([A-Z0-9_]+):/g)].map((m) => m[1]));
  if (/unknown-features\(0x0000010000000000\)/.test(host)) names.add('RING_RESET'); // bit 40, unnamed by QEMU 7.2
  const BITS: Record<string, bigint> = { MAC: 5n, STATUS: 16n, INDIRECT_DESC: 28n, VERSION_1: 32n };
  const ours = new VirtioNet().features;
  const offered = Object.entries(BITS).filter(([, b]) => (ours >> b) & 1n).map(([n]) => n);
  expect(offered).toHaveLength(4); // and nothing else:
  expect(ours).toBe(Object.values(BITS).reduce((a, b) => a | (1n << b), 0n));
  for (const n of offered) expect(names.has(n)).toBe(true);
  const missing = [...names].filter((n) => !offered.includes(n)).sort();
  expect(missing).toEqual(['ANY_LAYOUT', 'CTRL_GUEST_OFFLOADS', 'CTRL_MAC_ADDR', 'CTRL_RX', 'CTRL_RX_EXTRA', 'CTRL_VLAN', 'CTRL_VQ', 'EVENT_IDX',
    'GSO', 'GUEST_ANNOUNCE', 'MRG_RXBUF', 'NOTIFY_ON_EMPTY', 'RING_RESET']);
  const doc = fs.readFileSync(path.resolve(__dirname, '../../../conformance/platform.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## virtio-net'), doc.indexOf('## The Ethernet switch'));
  for (const n of missing) expect(section).toContain(n);
});
