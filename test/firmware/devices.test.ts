// The Microvisor's device side (conformance/maintenance-sbi.md "Devices and handoff",
// conformance/microvisor.md): the IOPMP it programs at boot keeps every device's DMA out of the
// firmware and confined to its owner's memory, PMP keeps the IOPMP from S and U, and hand_over
// validates its arguments as the specification's table says.
import * as fs from 'fs';
import * as path from 'path';
import { Machine } from '../../reference/machine/machine';
import { encode } from '../../reference/tools/disasm';
import { BlockBackend } from '../../reference/machine/devices/virtio-blk';
import { REG, STATUS } from '../../reference/machine/devices/virtio-mmio';
import { IOPMP_REG as R, IOPMP_ETYPE as ET } from '../../reference/machine/devices/iopmp';
import { IOPMP_BASE } from '../../reference/machine/devices/memory-map';
import { DOORBELL_CAUSE } from '../../reference/session';
import { placeMaintenance } from '../../reference/maintenance-image';
import { RTC_ALARM_HIGH, RTC_ALARM_LOW, RTC_ALARM_STATUS, RTC_IRQ_ENABLED } from '../../reference/machine/devices/goldfish-rtc';
import { IER_DLM, LCR } from '../../reference/machine/devices/uart16550';
import { HAVE_QEMU, ROOT, runQemu } from './helpers';
import * as os from 'os';

const FW_DIR = path.join(ROOT, 'reference/firmware/build');
const BASIC = path.join(ROOT, 'reference/guests/sbi/build/basic.elf');
const KERNEL_ENTRY = 0x80200000;
const MiB = 1024 * 1024;
const RAM = 0x80000000;
const EID = 0x0a004456n;
const SBI = { SUCCESS: 0n, INVALID_PARAM: -3n, DENIED: -4n };

class MemDisk implements BlockBackend {
  readonly bytes = new Uint8Array(16 * 512).map((_, i) => 0x40 + (i & 0x3f));
  get size(): number { return this.bytes.length; }
  read(off: number, len: number): Uint8Array { return this.bytes.slice(off, off + len); }
  write(off: number, data: Uint8Array): void { this.bytes.set(data, off); }
  flush(): void { /* in memory */ }
}

function boot(firmware = 'microvisor.elf'): Machine {
  const m = new Machine({
    ramSize: 16 * MiB, drive: new MemDisk(),
    kernel: new Uint8Array(fs.readFileSync(BASIC)), bios: new Uint8Array(fs.readFileSync(path.join(FW_DIR, firmware))),
  });
  let hit = false;
  m.hart.tracer = (h, at) => { if (!hit && h.priv === 1 && at === KERNEL_ENTRY) { hit = true; h.stopReason = 'break'; } };
  m.run({ maxInsns: 200000 });
  m.hart.tracer = null;
  if (!hit) throw new Error('kernel entry not reached');
  return m;
}

const le = (v: number, n: number) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(v), true); return b.subarray(0, n); };
const put = (m: Machine, pa: number, v: number, n: number) => m.loadBytes(BigInt(pa), le(v, n));

/** Drive virtio-blk slot 7 as a driver would (from outside the hart): read sector 0 into `buf`. */
function dmaRead(m: Machine, buf: number): number {
  const dev = m.virtio[7], w = (o: number, v: number) => dev.write(o, 4, v);
  const DESC = RAM + 0x400000, AVAIL = DESC + 0x1000, USED = DESC + 0x2000, HDR = DESC + 0x3000;
  w(REG.Status, 0);
  w(REG.Status, 3); w(REG.DriverFeaturesSel, 1); w(REG.DriverFeatures, 1); w(REG.Status, 11);
  w(REG.QueueSel, 0); w(REG.QueueNum, 4); w(REG.QueueDescLow, DESC); w(REG.QueueDriverLow, AVAIL); w(REG.QueueDeviceLow, USED);
  w(REG.QueueReady, 1); w(REG.Status, 15);
  put(m, HDR, 0, 8); put(m, HDR + 8, 0, 8);
  const d = (i: number, addr: number, len: number, flags: number, next: number) => {
    put(m, DESC + 16 * i, addr, 8); put(m, DESC + 16 * i + 8, len, 4); put(m, DESC + 16 * i + 12, flags, 2); put(m, DESC + 16 * i + 14, next, 2);
  };
  d(0, HDR, 16, 1, 1); d(1, buf, 512, 3, 2); d(2, HDR + 16, 1, 2, 0);
  put(m, AVAIL + 4, 0, 2); put(m, AVAIL + 2, 1, 2);
  w(REG.QueueNotify, 0);
  return dev.read(REG.Status, 4);
}

describe('the IOPMP the firmware programs at boot', () => {
  test('checks are on, and a device cannot write into the firmware: DEVICE_NEEDS_RESET, firmware bytes unchanged', () => {
    const m = boot();
    expect(m.iopmp.read(R.HWCFG0) >>> 31).toBe(1);
    const target = RAM + 0x1000;
    const before = m.readBytes(BigInt(target), 512);
    expect(dmaRead(m, target) & STATUS.DEVICE_NEEDS_RESET).toBe(STATUS.DEVICE_NEEDS_RESET);
    expect(m.readBytes(BigInt(target), 512)).toEqual(before);
    // Refused by entry 0, the firmware guard (a priority entry with no permission).
    expect((m.iopmp.read(R.ERR_INFO) >> 4) & 0xf).toBe(ET.ILLEGAL_WRITE);
    expect(m.iopmp.read(R.ERR_REQID)).toBe((0 << 16) | 7);
  });

  test('the guard is locked: entry 0, MDCFG(0) and MD 0 of every requestor cannot be changed again', () => {
    const m = boot();
    expect(m.iopmp.read(R.ENTRYLCK) >> 1).toBeGreaterThanOrEqual(1);
    expect(m.iopmp.read(R.MDCFGLCK) >> 1).toBeGreaterThanOrEqual(1);
    expect(m.iopmp.read(R.MDLCK) & 2).toBe(2);
    const cfg0 = m.iopmp.read(R.ENTRY_ADDR0 + R.ENTRY_CFG);
    m.iopmp.write(R.ENTRY_ADDR0 + R.ENTRY_CFG, 4, 3 | 0x18);
    expect(m.iopmp.read(R.ENTRY_ADDR0 + R.ENTRY_CFG)).toBe(cfg0);
    m.iopmp.write(R.SRCMD_EN0 + 7 * R.SRCMD_STRIDE, 4, 0);
    expect(m.iopmp.read(R.SRCMD_EN0 + 7 * R.SRCMD_STRIDE) & 2).toBe(2);
  });

  test('the owner\'s memory is reachable; the maintenance partition (not the owner\'s) is not', () => {
    const m = boot();
    expect(dmaRead(m, RAM + 0x600000) & STATUS.DEVICE_NEEDS_RESET).toBe(0);
    expect(m.readBytes(BigInt(RAM + 0x600000), 4)).toEqual(Uint8Array.of(0x40, 0x41, 0x42, 0x43));
    // 16 MiB: the partition is 0x80800000 + 4 MiB (status(6), status(7)).
    const before = m.readBytes(BigInt(0x80800000), 512);
    expect(dmaRead(m, 0x80800000) & STATUS.DEVICE_NEEDS_RESET).toBe(STATUS.DEVICE_NEEDS_RESET);
    expect(m.readBytes(BigInt(0x80800000), 512)).toEqual(before);
  });

  test('bug-iopmp-open (the negative control): the same write lands in the firmware', () => {
    const m = boot('bug-iopmp-open.elf');
    const target = RAM + 0x1000;
    expect(dmaRead(m, target) & STATUS.DEVICE_NEEDS_RESET).toBe(0);
    expect(m.readBytes(BigInt(target), 4)).toEqual(Uint8Array.of(0x40, 0x41, 0x42, 0x43));
  });
});

/**
 * Run `code` (32-bit instructions) in S-mode at a scratch address with the given registers, until
 * the instruction after it or the first trap that reaches S-mode (returned).
 */
function runS(m: Machine, code: number[], regs: Record<number, bigint>): { cause: bigint; tval: bigint } | null {
  const at = RAM + 0x700000;
  const bytes = new Uint8Array(4 * code.length);
  code.forEach((w, i) => new DataView(bytes.buffer).setUint32(4 * i, w >>> 0, true));
  m.loadBytes(BigInt(at), bytes);
  for (const [r, v] of Object.entries(regs)) m.hart.setX(Number(r), v);
  m.hart.setPc(BigInt(at));
  const end = at + bytes.length;
  let hit = false, trap: { cause: bigint; tval: bigint } | null = null;
  m.hart.tracer = (h, pc) => { if (!hit && h.priv === 1 && pc === end) { hit = true; h.stopReason = 'break'; } };
  m.hart.onTrap = (h, cause, tval) => {
    const toS = cause < 32n && ((h.medeleg >>> Number(cause)) & 1) === 1; // delegated: the guest's own handler
    if (!trap && toS) { trap = { cause, tval }; h.stopReason = 'break'; }
  };
  m.run({ maxInsns: 100000 });
  m.hart.tracer = null; m.hart.onTrap = null;
  return trap;
}

const A0 = 10, A1 = 11, A6 = 16, A7 = 17;
const ecall = encode('ecall');
function sbi(m: Machine, fid: number, a0: bigint, a1 = 0n): bigint {
  runS(m, [ecall], { [A7]: EID, [A6]: BigInt(fid), [A0]: a0, [A1]: a1 });
  return BigInt.asIntN(64, m.hart.getX(A0));
}

test('PMP keeps the IOPMP from S-mode: a load faults (load access fault, tval = the address)', () => {
  const m = boot();
  const trap = runS(m, [encode('lw', { rd: A0, rs1: A1, imm: 0 })], { [A1]: BigInt(IOPMP_BASE + R.HWCFG0) });
  expect(trap).toEqual({ cause: 5n, tval: BigInt(IOPMP_BASE + R.HWCFG0) });
});

test('hand_over validates as the specification says: DENIED dormant, INVALID_PARAM for an unknown device or an absent instance, 0 to oneself', () => {
  const m = boot();
  expect(sbi(m, 7, 2n, 0n)).toBe(SBI.DENIED); // dormant
  expect(sbi(m, 1, 0n)).toBe(SBI.SUCCESS); // virtualize
  expect(sbi(m, 7, 10n, 0n)).toBe(SBI.INVALID_PARAM); // device ids are 0..9
  expect(sbi(m, 7, 2n, 1n)).toBe(SBI.INVALID_PARAM); // instance 1 does not exist
  expect(sbi(m, 7, 2n, 2n)).toBe(SBI.INVALID_PARAM);
  expect(sbi(m, 7, 2n, 0n)).toBe(SBI.SUCCESS); // instance 0 owns it already
});

// ---- Two instances: reference/guests/devices (dev0 is instance 0, dev1 instance 1) -----------
const DEV_GUESTS = path.join(ROOT, 'reference/guests/devices/build');

class PatternDisk implements BlockBackend {
  readonly bytes = new Uint8Array(8 * 512).map((_, i) => (i * 13 + 7) & 0xff);
  get size(): number { return this.bytes.length; }
  read(off: number, len: number): Uint8Array { return this.bytes.slice(off, off + len); }
  write(off: number, data: Uint8Array): void { this.bytes.set(data, off); }
  flush(): void { /* in memory */ }
}

interface Scenario { exit: unknown; console0: string; console1: string; measures: Map<string, number>; machineExternal: number }
function scenario(firmware = 'microvisor.elf'): Scenario {
  const m = new Machine({
    ramSize: 64 * MiB, drives: [{ backend: new PatternDisk(), slot: 0 }],
    bios: new Uint8Array(fs.readFileSync(path.join(FW_DIR, firmware))),
    kernel: new Uint8Array(fs.readFileSync(path.join(DEV_GUESTS, 'dev0.elf'))),
  });
  let machineExternal = 0;   // machine external interrupts: a device interrupt routed to context 0
  m.hart.onTrap = (_h, cause) => { if (cause === ((1n << 63n) | 11n)) machineExternal++; };
  const exit = m.run({ maxInsns: 30e6 });
  const measures = new Map<string, number>();
  const strip = (text: string) => text.split('\n').filter((l) => {
    const mm = /^measure: (.*) (\d+)$/.exec(l);
    if (mm) measures.set(mm[1], Number(mm[2]));
    return !mm;
  }).join('\n');
  return { exit, console0: strip(m.console), console1: strip(m.console1), measures, machineExternal };
}

describe('two instances: the emulated PLIC, the handoff and DMA confinement', () => {
  let s: Scenario;
  beforeAll(() => { s = scenario(); });

  test('the scenario runs to its end (dev0 rolls back and powers off)', () => {
    expect(s.exit).toEqual({ reason: 'finisher', code: 0 });
    expect(s.console1).toMatch(/dev1: done\n$/);
  });

  test('instance 0 sees the PLIC exactly as it programmed it, alone and shared (the emulation is transparent)', () => {
    const view = 'prio uart 0x3 prio virtio0 0x2 prio rtc 0x1 enable 0xc02 threshold 0x1';
    for (const when of ['dev0 native', 'dev0 one instance', 'dev0 shared']) expect(s.console0).toContain(`${when}: ${view}\n`);
  });

  test('instance 1 owning nothing: another instance\'s sources read 0, its writes to them are ignored, its own context works', () => {
    expect(s.console1).toContain('dev1 prio uart 0x0\ndev1 prio virtio0 0x0\n');
    expect(s.console1).toContain('dev1 enable after writing all ones 0x0\n');
    expect(s.console1).toContain('dev1 threshold 0x2\n');
    expect(s.console1).toContain('dev1 claim 0x0\n');
    // With its own translation (the PLIC mapped again at 4 GiB), the faulting address is virtual:
    // the firmware finds the register through the instance's page tables.
    expect(s.console1).toContain('dev1 threshold through a mapping 0x2\ndev1 threshold written through it 0x3\n');
    // dev1 wrote 7 to the UART's priority: instance 0 still reads its 3 (after handback too).
    expect(s.console0).toContain('dev0 after handback: prio uart 0x3 ');
    // The machine context, the IOPMP and a device it does not own fault (load access fault, 5).
    expect(s.console1).toContain('dev1 plic context 0 ld 0xc200000 trap 5 tval 0xc200000\n');
    expect(s.console1).toContain('dev1 iopmp ld 0x104000 trap 5 tval 0x104000\n');
    expect(s.console1).toContain('dev1 virtio 0 before handoff ld 0x10001000 trap 5 tval 0x10001000\n');
  });

  test('hand_over: the giver loses the source (reads 0, writes ignored, enable bit gone), the receiver gets SSIP, the window and the source, cleared', () => {
    expect(s.console0).toContain('hand over virtio 0 0\n');
    expect(s.console0).toContain('dev0 after handoff: prio uart 0x3 prio virtio0 0x0 prio rtc 0x1 enable 0xc00 threshold 0x1\n');
    // Instance 0's writes: the priority of a source it gave away is ignored; ~0 to its enables
    // sets every source but that one (sources no device raises stay instance 0's).
    expect(s.console0).toContain('dev0 after writes: prio uart 0x3 prio virtio0 0x0 prio rtc 0x1 enable 0xfffffffd threshold 0x1\n');
    expect(s.console1).toContain('dev1 devices 0x4\n');                    // bit 2: virtio slot 0
    expect(s.console1).toContain('dev1 prio virtio0 after handoff 0x0\n');  // handed over at priority 0
    expect(s.console1).toContain('dev1 prio virtio0 0x4\ndev1 enable 0x2\n');
  });

  test('the receiver drives the device: DMA into its memory completes and interrupts through the emulated PLIC', () => {
    expect(s.console1).toContain('dev1 own read status reg 0xf\ndev1 own read status byte 0x0\ndev1 own read used idx 0x1\n');
    expect(s.console1).toContain('dev1 own read data 0x2e211407\n');      // the disk's first four bytes
    expect(s.console1).toContain('dev1 pending 0x2\ndev1 claim 0x1\ndev1 claim after complete 0x0\n');
  });

  test('DMA aimed at the other instance: DEVICE_NEEDS_RESET and a configuration-change interrupt, no buffer used, its memory untouched', () => {
    expect(s.console1).toContain('dev1 foreign read status reg 0x40\ndev1 foreign read interrupt status 0x2\ndev1 foreign read used idx 0x1\n');
    expect(s.console0).toContain('dev0 memory intact 0x1\n');
  });

  test('handing back, then rollback: the giver loses the window; dormant again, the PLIC is passed through with instance 0\'s state', () => {
    expect(s.console1).toContain('dev1 status after reset 0x0\nhand virtio 0 back 0 0x0\n');
    expect(s.console1).toContain('dev1 virtio 0 after handback ld 0x10001000 trap 5 tval 0x10001000\n');
    expect(s.console0).toContain('query 0 devices 0 0x3ff\n');
    expect(s.console0).toContain('rollback 0 0x0\nstatus state 0 0x0\n');
    // Both sources it gave away (virtio slot 0, then the RTC) came back idle: priority 0, disabled.
    expect(s.console0).toContain('dev0 dormant: prio uart 0x3 prio virtio0 0x0 prio rtc 0x0 enable 0x400 threshold 0x1\n');
  });

  test('a device interrupt of the instance that is not running reaches it: routed to context 0, its owner woken and switched in, where it is claimed', () => {
    expect(s.console0).toContain('hand over rtc 0 0x0\n');
    expect(s.console1).toContain('dev1 devices after second handoff 0x2\n');   // bit 1: the RTC
    expect(s.console1).toContain('dev1 rtc interrupt source 0xb\n');           // source 11
    expect(s.console1).toContain('dev1 rtc interrupt not before its time 0x1\ndev1 rtc interrupt within 2 ms of it 0x1\n');
    expect(s.console1).toContain('dev1 claim after rtc 0x0\nhand rtc back 0 0x0\n');
    expect(s.console0).toContain('dev0 owns the rtc again 0x1\ndev0 worked 0x1\n');
    expect(s.machineExternal).toBeGreaterThan(0);
  });

  test('cost (reported): emulated PLIC accesses and a handoff, in cycles, against an SBI call', () => {
    for (const k of ['emulated plic read', 'emulated plic write', 'emulated plic claim', 'sbi self', 'hand_over']) expect(s.measures.get(k)).toBeGreaterThan(0);
    console.log(`two instances: ${[...s.measures].map(([k, v]) => `${k} ${v} cycles`).join('; ')}`);
  });
});

describe('the isolation bug variants fail the same scenario', () => {
  test('bug-plic-other-visible: instance 1 reads and changes the UART\'s priority', () => {
    const s = scenario('bug-plic-other-visible.elf');
    expect(s.console1).toContain('dev1 prio uart 0x3\n');
    expect(s.console0).toContain('dev0 after handback: prio uart 0x7 ');
  });
  test('bug-iopmp-open: instance 1\'s device writes into instance 0\'s memory', () => {
    const s = scenario('bug-iopmp-open.elf');
    expect(s.console0).toContain('dev0 memory intact 0x0\n');
    expect(s.console1).toContain('dev1 foreign read status reg 0x0\n');
  });
});

// QEMU has no doorbell and no IOPMP: the same firmware runs the device scenario there through the
// in-band SBI path (instance 1's console shares the UART). Everything but the DMA aimed at instance
// 0's memory gives the same lines; that DMA goes through on QEMU (nothing checks device DMA there).
const maybeQemu = HAVE_QEMU ? test : test.skip;
maybeQemu('QEMU: the device scenario gives the same lines but for the DMA the IOPMP stops on the reference', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-dev-'));
  const disk = path.join(dir, 'disk.img');
  fs.writeFileSync(disk, new PatternDisk().bytes);
  const q = runQemu(path.join(FW_DIR, 'microvisor.elf'), path.join(DEV_GUESTS, 'dev0.elf'), 64, 60000, [
    '-global', 'virtio-mmio.force-legacy=false', '-drive', `file=${disk},format=raw,if=none,id=d0`,
    '-device', 'virtio-blk-device,drive=d0,bus=virtio-mmio-bus.0']);
  fs.rmSync(dir, { recursive: true, force: true });
  const ref = scenario();
  expect(q.status).toBe(0);
  // QEMU's clock is the host's: how soon the alarm arrives there depends on the host's load.
  const iopmpLines = /^(dev1 foreign read|dev0 memory intact|dev1 rtc interrupt within)/;
  const lines = (t: string) => t.split('\n').filter((l) => l && !l.startsWith('measure:') && !iopmpLines.test(l)).sort();
  expect(lines(q.console)).toEqual(lines(ref.console0 + '\n' + ref.console1));
  expect(q.console).toContain('dev0 memory intact 0x0\n');
  expect(q.console).toContain('dev1 foreign read status reg 0x0\n');
});

// ---- Out of band (doorbell cause 5, on the owner's behalf): quiescing each kind of device ------
describe('hand_over through the doorbell quiesces each kind of device, and refuses one that will not quiesce', () => {
  const INSTANCES = path.join(ROOT, 'reference/guests/instances/build');
  let m: Machine;
  /** Ring and run until the firmware has answered in RESULT (it serves the ring when it next
      returns to a guest: instance 1's console calls may keep it busy for a while). */
  const ring = (cause: number, args: bigint[] = []) => {
    const unanswered = 0x5a5a5a5an;
    m.doorbell.result = unanswered;
    m.doorbell.ring(cause, args);
    for (let i = 0; i < 100 && m.doorbell.result === unanswered; i++) m.run({ maxInsns: 2000 });
    return BigInt.asIntN(64, m.doorbell.result);
  };
  beforeAll(() => {
    // A ticker as instance 0 and, out of band, a second instance that never says ready.
    m = new Machine({ ramSize: 64 * MiB, bios: new Uint8Array(fs.readFileSync(path.join(FW_DIR, 'microvisor.elf'))), kernel: new Uint8Array(fs.readFileSync(path.join(INSTANCES, 'ticker.elf'))) });
    for (let i = 0; i < 200 && !m.console.includes('ticker: start'); i++) m.run({ maxInsns: 500 });
    expect(ring(DOORBELL_CAUSE.virtualize)).toBe(0n);
    expect(ring(DOORBELL_CAUSE.create, placeMaintenance(m, { image: new Uint8Array(fs.readFileSync(path.join(INSTANCES, 'second.elf'))), bootargs: 'hang' }))).toBe(0n);
    expect(ring(DOORBELL_CAUSE.start, [1n])).toBe(0n);
  });

  test('the UART: its interrupt enables are cleared (with DLAB set by the giver, IER is still reached)', () => {
    m.uart.write(LCR, 1, 0x03); m.uart.write(IER_DLM, 1, 0x03); m.uart.write(LCR, 1, 0x83); // RX and THRE on, then DLAB
    expect(ring(DOORBELL_CAUSE.handOver, [0n, 1n])).toBe(0n);
    expect(m.uart.read(LCR, 1)).toBe(0x83);            // the giver's line settings are left as they were
    m.uart.write(LCR, 1, 0x03);
    expect(m.uart.read(IER_DLM, 1)).toBe(0);
    expect(ring(DOORBELL_CAUSE.handOver, [0n, 0n])).toBe(0n); // back, on instance 1's behalf
  });

  test('the RTC: its interrupt is disabled and its alarm disarmed', () => {
    m.rtc.write(RTC_ALARM_HIGH, 4, 0x10); m.rtc.write(RTC_ALARM_LOW, 4, 0); m.rtc.write(RTC_IRQ_ENABLED, 4, 1);
    expect(m.rtc.read(RTC_ALARM_STATUS, 4)).toBe(1);
    expect(ring(DOORBELL_CAUSE.handOver, [1n, 1n])).toBe(0n);
    expect(m.rtc.read(RTC_IRQ_ENABLED, 4)).toBe(0);
    expect(m.rtc.read(RTC_ALARM_STATUS, 4)).toBe(0);
  });

  test('a virtio device whose reset does not read back complete is not handed over (FAILED), and nothing changes', () => {
    const slot = m.virtio[3];
    const read = slot.read.bind(slot);
    slot.read = (off: number, w: 1 | 2 | 4) => (off === REG.Status ? 1 : read(off, w)); // never reads 0
    expect(ring(DOORBELL_CAUSE.handOver, [5n, 1n])).toBe(-1n);
    // Still instance 0's: handing it to 0 (on its owner's behalf) is then a no-op, which succeeds
    // without a quiesce (had it moved to instance 1, handing it back would quiesce it and fail).
    expect(ring(DOORBELL_CAUSE.handOver, [5n, 0n])).toBe(0n);
    // With the device well again it goes to instance 1.
    slot.read = read;
    expect(ring(DOORBELL_CAUSE.handOver, [5n, 1n])).toBe(0n);
  });

  test('arguments are checked: an unknown device or instance is INVALID_PARAM', () => {
    expect(ring(DOORBELL_CAUSE.handOver, [10n, 1n])).toBe(-3n);
    expect(ring(DOORBELL_CAUSE.handOver, [2n, 2n])).toBe(-3n);
  });
});
