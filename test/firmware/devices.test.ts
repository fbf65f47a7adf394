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
import { ROOT } from './helpers';

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
