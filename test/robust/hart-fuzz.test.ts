// A guest can never crash the host: random instruction words run on the whole machine (devices
// included) from random-but-plausible privileged states, in M, S and U mode. Anything the hart
// throws other than an architectural stop is a bug in the emulator. Deterministic (seeded PRNG,
// no clock); DEVIRT_FUZZ_SEEDS=N runs more seeds locally.

import { InternalError, Machine } from '../../reference/machine/machine';
import type { BlockBackend } from '../../reference/machine/machine';
import * as P from '../../reference/machine/devices/memory-map';
import { REG } from '../../reference/machine/devices/virtio-mmio';
import { Prng } from '../../vectors/generators/prng';

const SEEDS = Number(process.env.DEVIRT_FUZZ_SEEDS ?? 150);
const INSNS_PER_SEED = 20_000;
const RAM_SIZE = 1 << 20;

class MemDisk implements BlockBackend {
  readonly bytes = new Uint8Array(64 * 1024);
  /** Requests that reached the disk: the fuzzing got past the queue checks. */
  ops = 0;
  get size(): number { return this.bytes.length; }
  read(offset: number, length: number): Uint8Array { this.ops++; return this.bytes.slice(offset, offset + length); }
  write(offset: number, data: Uint8Array): void { this.ops++; this.bytes.set(data, offset); }
  flush(): void { /* in memory */ }
}

/** Addresses a guest is likely to use: RAM, every device window, the boot ROM, and nonsense. */
function plausibleAddress(r: Prng): bigint {
  const bases = [P.RAM_BASE, P.RAM_BASE + RAM_SIZE - 4096, P.MROM_BASE, P.TEST_BASE, P.RTC_BASE, P.DOORBELL_BASE,
    P.CLINT_BASE, P.CLINT_BASE + 0x4000, P.CLINT_BASE + 0xbff8, P.PLIC_BASE, P.PLIC_BASE + 0x200000, P.UART0_BASE,
    P.VIRTIO_BASE + 7 * P.VIRTIO_STRIDE, P.VIRTIO_BASE];
  const k = r.below(8);
  if (k < 5) return BigInt(r.pick(bases) + r.below(4096));
  if (k === 5) return BigInt(P.RAM_BASE + r.below(RAM_SIZE));
  if (k === 6) return r.interesting64();
  return r.next64();
}

function randomWords(r: Prng, n: number): Uint8Array {
  const out = new Uint8Array(n * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    let w = Number(r.next64() & 0xffffffffn);
    // Mostly well-formed 32-bit encodings on the major opcodes that do the most (loads, stores,
    // AMOs, SYSTEM); the rest raw, which covers compressed and illegal words.
    if (r.below(4) !== 0) w = (w & ~0x7f) | r.pick([0x03, 0x23, 0x2f, 0x73, 0x73, 0x0f, 0x33, 0x3b, 0x13, 0x1b, 0x63, 0x67, 0x6f, 0x37, 0x17]);
    dv.setUint32(i * 4, w >>> 0, true);
  }
  return out;
}

/** Random Sv39 page-table entries pointing into RAM (valid ones mostly), for satp to walk. */
function randomPageTable(r: Prng): Uint8Array {
  const out = new Uint8Array(4096);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 512; i++) {
    const ppn = BigInt((P.RAM_BASE + r.below(RAM_SIZE)) >>> 12) & ~(r.below(3) === 0 ? 0x1ffn : 0n);
    const flags = BigInt(r.below(256)) | (r.below(4) === 0 ? 0n : 1n);
    const pte = r.below(10) === 0 ? r.next64() : (ppn << 10n) | flags;
    dv.setBigUint64(i * 8, pte, true);
  }
  return out;
}

/** Pages holding random code (set per seed): trap vectors mostly land there, so handlers run. */
let codePages: number[] = [];
function trapVector(r: Prng): bigint {
  const base = r.below(8) !== 0 ? BigInt(r.pick(codePages) + r.below(1024) * 4) : plausibleAddress(r);
  return (base & ~3n) | BigInt(r.below(2)); // direct or vectored
}

const CSRS: [number, (r: Prng) => bigint][] = [
  [0x300, (r) => r.next64()], // mstatus (MPRV, MPP, SUM, MXR, TVM, TW, TSR, SIE/MIE...)
  [0x302, (r) => r.next64()], // medeleg
  [0x303, (r) => r.next64()], // mideleg
  [0x304, (r) => r.next64()], // mie
  [0x305, (r) => trapVector(r)], // mtvec
  [0x105, (r) => trapVector(r)], // stvec
  [0x306, (r) => r.next64()], [0x106, (r) => r.next64()], // counter enables
  [0x30a, (r) => r.next64()], // menvcfg (STCE)
  [0x14d, (r) => BigInt(r.below(100_000))], // stimecmp
  [0x344, (r) => r.next64()], // mip
  [0x341, (r) => plausibleAddress(r)], [0x141, (r) => plausibleAddress(r)], // mepc, sepc
  [0x744, (r) => r.next64()], // mnstatus
  [0x741, (r) => plausibleAddress(r)], // mnepc
];

function randomizeCsrs(m: Machine, r: Prng): void {
  const h = m.hart;
  for (const [n, value] of CSRS) if (r.below(3) !== 0) h.writeCsr(n, value(r));
  // PMP: some entries, any mode, any address, sometimes locked.
  for (let i = 0; i < 16; i++) if (r.below(2) === 0) h.writeCsr(0x3b0 + i, r.below(2) ? plausibleAddress(r) >> 2n : r.next64());
  if (r.below(2) === 0) h.writeCsr(0x3a0, r.next64());
  if (r.below(2) === 0) h.writeCsr(0x3a2, r.next64());
  // satp: Sv39 with a random root, filled with random entries, or Bare.
  if (r.below(3) !== 0) {
    const root = P.RAM_BASE + r.below(RAM_SIZE >> 12) * 4096;
    m.loadBytes(BigInt(root), randomPageTable(r));
    h.writeCsr(0x180, (8n << 60n) | BigInt(root >>> 12) | (BigInt(r.below(0x10000)) << 44n));
  }
  // The timer, so that interrupts arrive too.
  if (r.below(2) === 0) m.bus.write(P.CLINT_BASE + 0x4000, 4, r.below(50_000));
}

function fuzzOne(m: Machine, seed: number): void {
  const r = new Prng(0xf022_0000 + seed);
  m.resetEmpty();
  const h = m.hart;
  // Code at the start of RAM and scattered pages, so random jumps and trap vectors land on code.
  codePages = [P.RAM_BASE, P.RAM_BASE + 4096];
  for (let i = 0; i < 8; i++) codePages.push(P.RAM_BASE + r.below(RAM_SIZE >> 12) * 4096);
  m.loadBytes(BigInt(P.RAM_BASE), randomWords(r, 2048));
  for (const page of codePages.slice(2)) m.loadBytes(BigInt(page), randomWords(r, 1024));
  for (let i = 1; i < 32; i++) h.setX(i, plausibleAddress(r));
  randomizeCsrs(m, r);
  h.setPriv(r.pick([0, 1, 3]));
  h.setPc(r.below(8) === 0 ? plausibleAddress(r) : BigInt(P.RAM_BASE + r.below(RAM_SIZE >> 2) * 4));
  const stopOnTrap = r.below(4) === 0;
  let left = INSNS_PER_SEED;
  // Several runs, as the harness and `devirt boot` call it; a stop is architectural, not a failure.
  for (let k = 0; k < 4 && left > 0; k++) {
    const res = m.run({ maxInsns: left, stopOnTrap });
    if (res.reason !== 'limit' && res.reason !== 'idle' && res.reason !== 'trap' && res.reason !== 'finisher' && res.reason !== 'tohost') {
      throw new Error(`seed ${seed}: unknown stop reason ${res.reason}`);
    }
    if (res.reason === 'limit' || res.reason === 'finisher' || res.reason === 'tohost') break;
    left -= INSNS_PER_SEED / 4;
    if (res.reason === 'idle') m.bus.write(P.CLINT_BASE, 4, 1); // msip: something to wake for
  }
}

test(`${SEEDS} random guests in random privileged states never crash the host`, () => {
  const m = new Machine({ ramSize: RAM_SIZE, deviceTree: false, drive: new MemDisk(), captureConsole: false });
  const failures: string[] = [];
  for (let seed = 0; seed < SEEDS; seed++) {
    try { fuzzOne(m, seed); }
    catch (e) {
      failures.push(`seed ${seed}: ${e instanceof InternalError ? e.message : (e as Error).stack}`);
      if (failures.length >= 5) break;
    }
  }
  expect(failures).toEqual([]);
});

/**
 * Block requests that are nearly right: descriptor chains with random lengths, flags and links,
 * headers with random types and sectors, and an available ring that points at them (or not).
 */
function writeRequests(m: Machine, r: Prng, num: number, desc: number, avail: number): void {
  const buf = (n: number) => new DataView(new ArrayBuffer(n));
  const d = buf(16 * num);
  const heads: number[] = [];
  // Chains of three, header / data / status, the shape a driver makes; then one field in two
  // chains broken at random.
  for (let i = 0; i < num; i += 3) {
    heads.push(i);
    const type = r.pick([0, 1, 4, 8, 11, r.below(1 << 16)]);
    const header = buf(16);
    header.setUint32(0, type, true);
    header.setBigUint64(8, BigInt(r.below(140)), true);
    const hdrAddr = P.RAM_BASE + 0x30000 + r.below(4096) * 16;
    m.loadBytes(BigInt(hdrAddr), new Uint8Array(header.buffer));
    const parts = [[hdrAddr, 16, 1], [P.RAM_BASE + 0x40000 + r.below(4096) * 16, 512 * (1 + r.below(3)), type === 1 ? 1 : 3], [P.RAM_BASE + 0x50000 + r.below(4096), 1, 2]];
    parts.forEach(([addr, len, flags], k) => {
      if (i + k >= num) return;
      d.setBigUint64(16 * (i + k), BigInt(addr), true);
      d.setUint32(16 * (i + k) + 8, len, true);
      d.setUint16(16 * (i + k) + 12, k === 2 || i + k + 1 >= num ? flags & ~1 : flags, true);
      d.setUint16(16 * (i + k) + 14, i + k + 1, true);
    });
  }
  if (r.below(2)) {
    const at = 16 * r.below(num) + r.pick([0, 4, 8, 12, 14]);
    if (at + 8 <= d.byteLength) d.setBigUint64(at, r.interesting64(), true); else d.setUint16(at, r.below(1 << 16), true);
  }
  m.loadBytes(BigInt(desc), new Uint8Array(d.buffer));
  const a = buf(4 + 2 * num);
  a.setUint16(2, r.below(4) === 0 ? r.below(1 << 16) : heads.length, true);
  for (let i = 0; i < num; i++) a.setUint16(4 + 2 * i, r.below(8) === 0 ? r.below(1 << 16) : heads[i % heads.length], true);
  m.loadBytes(BigInt(avail), new Uint8Array(a.buffer));
}

/** Device registers written directly with random values, RAM full of random descriptors and rings. */
test(`${SEEDS} random device register sequences (virtio-blk queues over random RAM, PLIC, UART, CLINT, RTC) never crash the host`, () => {
  const disk = new MemDisk();
  const m = new Machine({ ramSize: RAM_SIZE, deviceTree: false, drive: disk, captureConsole: false });
  const windows = [P.VIRTIO_BASE + 7 * P.VIRTIO_STRIDE, P.VIRTIO_BASE, P.UART0_BASE, P.RTC_BASE, P.DOORBELL_BASE, P.CLINT_BASE, P.PLIC_BASE, P.PLIC_BASE + 0x200000, P.TEST_BASE];
  const failures: string[] = [];
  for (let seed = 0; seed < SEEDS && failures.length < 5; seed++) {
    const r = new Prng(0xde71_0000 + seed);
    m.resetEmpty();
    for (let page = 0; page < 16; page++) m.loadBytes(BigInt(P.RAM_BASE + page * 4096), randomPageTable(r)); // random words that often look like RAM addresses
    try {
      // A driver that sets up the block queue properly, over rings and descriptors of random
      // content, then notifies: the device walks whatever the guest left there.
      const blk = P.VIRTIO_BASE + 7 * P.VIRTIO_STRIDE;
      const ramAddr = () => P.RAM_BASE + 0x20000 + r.below(2048) * (r.below(8) === 0 ? 1 : 16);
      const num = 1 + r.below(16), desc = ramAddr(), avail = ramAddr(), used = ramAddr();
      writeRequests(m, r, num, desc, avail);
      const setup: [number, number][] = [[REG.Status, 1], [REG.Status, 3], [REG.DriverFeaturesSel, 1], [REG.DriverFeatures, 1],
        [REG.Status, 11], [REG.QueueSel, 0], [REG.QueueNum, num], [REG.QueueDescLow, desc],
        [REG.QueueDriverLow, avail], [REG.QueueDeviceLow, used], [REG.QueueReady, 1], [REG.Status, 15]];
      for (const [off, v] of setup) m.bus.write(blk + off, 4, v);
      for (let k = 0; k < 20; k++) m.bus.write(blk + REG.QueueNotify, 4, r.below(8) === 0 ? r.below(4) : 0);
      for (let k = 0; k < 400; k++) {
        const base = r.pick(windows);
        const offset = r.below(8) === 0 ? r.below(0x1000) : r.below(0x100) & ~3;
        const width = r.pick([1, 2, 4] as const);
        const value = r.below(3) === 0 ? P.RAM_BASE + r.below(16) * 4096 + r.below(64) * 16 : Number(r.next64() & 0xffffffffn);
        if (r.below(4) === 0) m.bus.read(base + offset, width);
        else m.bus.write(base + offset, width, value);
        // Let the hart run a little so that device timers and interrupts fire.
        if (k % 50 === 0) m.run({ maxInsns: 100 });
      }
    } catch (e) { failures.push(`seed ${seed}: ${(e as Error).stack}`); }
  }
  expect(failures).toEqual([]);
  expect(disk.ops).toBeGreaterThan(0);
});
