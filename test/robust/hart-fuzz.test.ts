// A guest can never crash the host: random instruction words run on the whole machine (devices
// included) from random-but-plausible privileged states, in M, S and U mode. Anything the hart
// throws other than an architectural stop is a bug in the emulator. Deterministic (seeded PRNG,
// no clock); DEVIRT_FUZZ_SEEDS=N runs more seeds locally.

import { InternalError, Machine } from '../../reference/machine/machine';
import type { BlockBackend } from '../../reference/machine/machine';
import * as P from '../../reference/machine/devices/memory-map';
import { Prng } from '../../vectors/generators/prng';

const SEEDS = Number(process.env.DEVIRT_FUZZ_SEEDS ?? 150);
const INSNS_PER_SEED = 20_000;
const RAM_SIZE = 1 << 20;

class MemDisk implements BlockBackend {
  readonly bytes = new Uint8Array(64 * 1024);
  get size(): number { return this.bytes.length; }
  read(offset: number, length: number): Uint8Array { return this.bytes.slice(offset, offset + length); }
  write(offset: number, data: Uint8Array): void { this.bytes.set(data, offset); }
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
