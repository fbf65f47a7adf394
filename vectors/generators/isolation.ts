// The isolation suite (conformance/isolation.md): an adversary instance tries every way out of
// its own memory and devices, once per vector, while a victim instance keeps a signature.
// Three placements: the adversary alone (instance 0: the firmware and the reserved regions are
// its victims), the victim as instance 0 with the adversary as instance 1, and the adversary as
// instance 0 with the victim as instance 1. Instance 0 starts instance 1 in band (create, start),
// so the attack plan travels on the kernel command line. Expected: each attempt's line as the
// specification allows it (isolation-model.ts), the victim's console exactly as in its run alone,
// and the exit. Deterministic: the plan is a fixed list, addresses come from the images' symbols.

import * as fs from 'fs';
import * as path from 'path';
import type { ImageDraft, ImageGroup } from '../build';
import { imageHashOfFile, IMAGES_DIR } from '../format';
import type { ImageInputs } from '../../reference/state';
import { runImage } from '../../reference/run-image';
import { parseElf } from '../../reference/tools/elf';
import type { ExpectedLine, IsolationExpectation } from '../../conformance/isolation-check';
import { CLINT_BASE, DOORBELL_BASE, RAM_BASE, RTC_BASE, UART0_BASE, VIRTIO_BASE } from '../../reference/machine/devices/memory-map';
import {
  CLAUSE, deniedAccess, FW_BASE, FW_SIZE, invisibleRegister, IOPMP_BASE, IOPMP_SIZE, MEMORY_OPS, MemoryOp, partitionOf,
  PLIC_M_CONTEXT, PLIC_M_ENABLE, PLIC_PENDING, PLIC_PRIORITY, PLIC_S_ENABLE, SBI, sbiLine, sbiRefused, straddlingFetch,
} from './isolation-model';

const ROOT = path.resolve(__dirname, '../../..');
export const FIRMWARE = 'reference/firmware/build/microvisor.elf';
export const ADVERSARY = 'reference/guests/isolation/build/adversary.elf';
export const VICTIM = 'reference/guests/isolation/build/victim.elf';
/** The partition builds each instance-0 image carries (their symbols place the targets). */
const ADVERSARY_P = 'reference/guests/isolation/build/adversary-p.elf';
const VICTIM_P = 'reference/guests/isolation/build/victim-p.elf';
export const ISOLATION_RAM = 16 * 1024 * 1024;
const ALONE_MAX_INSNS = 400_000;
/** A crashed adversary alone loops on traps until the limit: enough to have printed its lines. */
const CRASH_ALONE_MAX_INSNS = 60_000;
const PAIR_MAX_INSNS = 4_000_000;
const PASS = { kind: 'finisher' as const, code: 0 };

const PART = partitionOf(ISOLATION_RAM);
const PART_END = PART.base + PART.size;
const RAM_END = RAM_BASE + ISOLATION_RAM;
const FIRMWARE_LINE = 'firmware 0x2000000 0x4456';

type Role = 'alone' | 'victim0' | 'victim1';
interface Attack { token: string; line: ExpectedLine; tags: string[]; ends?: 'srst' | 'crash' | 'hog'; dma?: boolean }

/** The adversary's own disk (virtio-blk in the highest slot, 7: device 9) for the DMA attacks. */
export const DISK = 'reference/guests/isolation/disk.img';
const DISK_DEVICE = 9;

const symbol = (file: string, name: string): number => {
  const s = parseElf(new Uint8Array(fs.readFileSync(path.join(ROOT, file))), file).symbols.find((x) => x.name === name);
  if (!s) throw new Error(`${file}: no symbol ${name}`);
  return s.value;
};

// ---- attacks -------------------------------------------------------------------------------
const ALL_OPS = Object.keys(MEMORY_OPS) as MemoryOp[];
const RAM_OPS: MemoryOp[] = ['lb', 'ld', 'sb', 'sd', 'x', 'amoswapw', 'amoaddd', 'lrd', 'scd'];
const MMIO_OPS: MemoryOp[] = ['lb', 'lw', 'ld', 'sb', 'sw', 'sd', 'amoswapw', 'lrd', 'x'];
const alignDown = (a: number, n: number) => a - (a % n);

/** `op` at position `pos` (rounded down to the op's width) inside a region the attacker may not touch. */
function memoryAttack(op: MemoryOp, pos: number, tags: string[]): Attack {
  const addr = alignDown(pos, MEMORY_OPS[op].size);
  return { token: `${op}:${addr.toString(16)}`, line: deniedAccess(op, addr, addr, addr + MEMORY_OPS[op].size), tags: [...tags, op] };
}

function regionAttacks(name: string, positions: number[], ops: MemoryOp[], tags: string[]): Attack[] {
  return positions.flatMap((p) => ops.map((op) => memoryAttack(op, p, [...tags, name])));
}

/**
 * Accesses across `boundary`: misaligned widths that start below it. `deniedAbove` says which side
 * the attacker may not touch.
 */
function straddles(boundary: number, deniedAbove: boolean, name: string): Attack[] {
  const cases: [MemoryOp, number][] = [['ld', 4], ['sd', 4], ['lw', 2], ['sw', 2], ['lh', 1], ['sh', 1], ['amoaddd', 4]];
  const out = cases.map(([op, below]): Attack => {
    const addr = boundary - below, end = addr + MEMORY_OPS[op].size;
    const [from, to] = deniedAbove ? [boundary, end] : [addr, boundary];
    return { token: `${op}:${addr.toString(16)}`, line: deniedAccess(op, addr, from, to), tags: ['straddle', name, op] };
  });
  if (deniedAbove) out.push({ token: `xs:${(boundary - 2).toString(16)}`, line: straddlingFetch(boundary - 2), tags: ['straddle', name, 'fetch'] });
  return out;
}

const sbi = (token: string, errors: number[], spec: string, tags: string[]): Attack => ({ token, line: sbiRefused(token, errors, spec), tags: ['sbi', ...tags] });
const sbiOk = (token: string, spec: string, tags: string[]): Attack => ({ token, line: { anyOf: [`${token}: ${sbiLine(SBI.ok)}`], spec }, tags: ['sbi', ...tags] });

/** SBI calls handed an address of memory the caller does not own (each `[address, length]`). */
function sbiAddressAttacks(role: Role, buffers: [number, number, string][], code: number[]): Attack[] {
  const out: Attack[] = [];
  // create: refused for its buffer; from instance 1 also DENIED; with instance 1 present also ALREADY_AVAILABLE.
  const createErrors = role === 'alone' ? [SBI.invalidAddress] : role === 'victim0' ? [SBI.denied, SBI.invalidAddress] : [SBI.alreadyAvailable, SBI.invalidAddress];
  for (const [addr, len, what] of buffers) {
    const a = addr.toString(16), l = len.toString(16);
    out.push(sbi(`dw:${a}:${l}`, [SBI.invalidParam], CLAUSE.dbcn, ['dbcn', what]));
    out.push(sbi(`dr:${a}:${l}`, [SBI.invalidParam], CLAUSE.dbcn, ['dbcn', what]));
    out.push(sbi(`cr:${a}:${l}`, createErrors, CLAUSE.buffer, ['create', what]));
  }
  for (const [addr, , what] of buffers.slice(0, 3)) {
    const a = addr.toString(16);
    out.push(sbi(`ba:${a}:10`, [SBI.denied, SBI.invalidAddress], CLAUSE.buffer, ['bootargs', what]));
    out.push(sbi(`ir:${a}:10`, [SBI.denied, SBI.invalidAddress], CLAUSE.buffer, ['initrd', what]));
  }
  for (const target of code) {
    const a = target.toString(16);
    out.push(sbi(`hs:${a}`, [SBI.invalidAddress], CLAUSE.hsmSuspend, ['hsm']));
    out.push(sbi(`hst:${a}:0`, [SBI.alreadyAvailable, SBI.invalidAddress], CLAUSE.hsmStart, ['hsm']));
    out.push(sbi(`hst:${a}:1`, [SBI.invalidParam, SBI.invalidAddress], CLAUSE.hsmStart, ['hsm']));
  }
  return out;
}

/** Hart masks naming harts that are not the caller's, and the calls that are the caller's own. */
function maskAttacks(): Attack[] {
  const out: Attack[] = [];
  for (const [mask, base] of [[2, 0], [3, 0], [1, 1], [0xffff, 0]]) {
    out.push(sbi(`ipi:${mask.toString(16)}:${base.toString(16)}`, [SBI.invalidParam], CLAUSE.hartMask, ['ipi']));
    out.push(sbi(`rfi:${mask.toString(16)}:${base.toString(16)}`, [SBI.invalidParam], CLAUSE.hartMask, ['rfence']));
    out.push(sbi(`rsv:${mask.toString(16)}:${base.toString(16)}`, [SBI.invalidParam], CLAUSE.hartMask, ['rfence']));
  }
  // Legal calls whose effect must stay with the caller: the victim's sip shows any leak.
  out.push(sbiOk('ipi:1:0', CLAUSE.hartMask, ['ipi', 'own']));
  out.push(sbiOk('ipi:0:ffffffffffffffff', CLAUSE.hartMask, ['ipi', 'own']));
  out.push(sbiOk('rfi:1:0', CLAUSE.hartMask, ['rfence', 'own']));
  out.push(sbiOk('rsv:1:0', CLAUSE.hartMask, ['rfence', 'own']));
  out.push(sbiOk('tm:0', CLAUSE.timer, ['timer', 'own']));
  return out;
}

function endings(role: Role): Attack[] {
  const me = role === 'victim0' ? 1 : 0;
  const out: Attack[] = [
    sbi('srst:5:0', [SBI.invalidParam], CLAUSE.srst, ['srst']),
    sbi('srst:0:7', [SBI.invalidParam], CLAUSE.srst, ['srst']),
    { token: 'storm:400', line: { anyOf: ['storm:400: = 1024'], spec: CLAUSE.storm }, tags: ['storm'] },
  ];
  if (role !== 'alone') {
    // The adversary ends: its own SRST, a crash in its own trap handling, or a loop that never yields.
    out.push({ token: 'srst:0:0', line: { anyOf: ['srst:0:0: '], spec: CLAUSE.srst }, tags: ['srst', 'end'], ends: 'srst' });
    if (me === 1) out.push({ token: 'srst:1:0', line: { anyOf: ['srst:1:0: '], spec: CLAUSE.srst }, tags: ['srst', 'end'], ends: 'srst' });
    out.push({ token: 'hog', line: 'hog: hogging', tags: ['hog'], ends: 'hog' });
  }
  // A crash is an endless loop of traps, the slowest thing to emulate: instance 0's is run once.
  for (const stvec of role === 'victim1' ? [0] : [0, FW_BASE]) out.push({ token: `crash:${stvec.toString(16)}`, line: `crash:${stvec.toString(16)}: crashing`, tags: ['crash'], ends: 'crash' });
  return out;
}

/** Registers every instance is denied (microvisor.md "Memory and PMP layout"; the IOPMP: platform.md). */
function reservedRegisterAttacks(ops: MemoryOp[]): Attack[] {
  return [
    ...regionAttacks('clint', [CLINT_BASE, CLINT_BASE + 0x4000, CLINT_BASE + 0xbff8, CLINT_BASE + 0xffff], ops, ['reserved']),
    ...regionAttacks('plic-m', [PLIC_M_ENABLE, PLIC_M_ENABLE + 0x7f, PLIC_M_CONTEXT, PLIC_M_CONTEXT + 4], ops, ['reserved']),
    ...regionAttacks('doorbell', [DOORBELL_BASE, DOORBELL_BASE + 4, DOORBELL_BASE + 8, DOORBELL_BASE + 0xc, DOORBELL_BASE + 0x28, DOORBELL_BASE + 0x30, DOORBELL_BASE + 0xfff], ops, ['reserved']),
    ...regionAttacks('iopmp', [IOPMP_BASE, IOPMP_BASE + IOPMP_SIZE - 4, IOPMP_BASE + IOPMP_SIZE - 1], ops, ['reserved']),
  ];
}

function aloneAttacks(): Attack[] {
  const fwLast = FW_BASE + FW_SIZE - 1;
  return [
    ...regionAttacks('firmware', [FW_BASE, FW_BASE + FW_SIZE / 2, fwLast], ALL_OPS, ['memory']),
    ...regionAttacks('partition', [PART.base, PART.base + PART.size / 2, PART_END - 1], ALL_OPS, ['memory']),
    ...reservedRegisterAttacks(MMIO_OPS),
    ...straddles(FW_BASE + FW_SIZE, false, 'firmware-top'),
    ...straddles(PART.base, true, 'partition-bottom'),
    ...straddles(PART_END, false, 'partition-top'),
    ...sbiAddressAttacks('alone', [
      [FW_BASE, 16, 'firmware'], [PART.base, 16, 'partition'], [PART_END - 16, 16, 'partition'], [PART.base - 16, 32, 'straddle'],
      [FW_BASE + FW_SIZE - 16, 32, 'straddle'], [2 ** 64 - 16, 32, 'wrap'], [DOORBELL_BASE, 8, 'mmio'], [RAM_END, 16, 'beyond-ram'],
    ], [FW_BASE, PART.base, PART_END - 4]),
    ...maskAttacks(),
    ...dmaAttacks([[FW_BASE + 0x1000, 'firmware'], [PART.base + 0x1000, 'partition']]),
    ...endings('alone'),
  ];
}

/** The same attacks while the machine is dormant: PMP denies the same things in every state (microvisor.md "Transparent"). */
function dormantAttacks(): Attack[] {
  return [
    ...regionAttacks('firmware', [FW_BASE, FW_BASE + FW_SIZE - 1], ['ld', 'sd', 'x', 'amoaddd'], ['memory']),
    ...regionAttacks('partition', [PART.base, PART_END - 1], ['ld', 'sd', 'x', 'amoaddd'], ['memory']),
    ...reservedRegisterAttacks(['lw', 'sw']),
    ...straddles(PART.base, true, 'partition-bottom'),
    sbi(`dw:${FW_BASE.toString(16)}:10`, [SBI.invalidParam], CLAUSE.dbcn, ['dbcn']),
    sbi(`dr:${PART.base.toString(16)}:10`, [SBI.invalidParam], CLAUSE.dbcn, ['dbcn']),
    sbi(`hs:${PART.base.toString(16)}`, [SBI.invalidAddress], CLAUSE.hsmSuspend, ['hsm']),
    sbi(`cr:${PART.base.toString(16)}:10`, [SBI.denied, SBI.invalidAddress], CLAUSE.dormant, ['create']),
  ];
}

/** Victim as instance 0, the adversary as instance 1 in the partition. */
function instance1Attacks(): Attack[] {
  const vault = symbol(VICTIM, 'vault'), start = symbol(VICTIM, '_start');
  const instance0 = [vault, vault + 4096, vault + 8 * 1024 - 1, start, FW_BASE + FW_SIZE, PART.base - 1, PART_END, RAM_END - 1];
  const deviceOps: MemoryOp[] = ['lw', 'sw', 'x'];
  const others = [2, 3, 4, 6, 7, 8, 10, 11];
  const otherMask = others.reduce((m, s) => m | (1 << s), 0) >>> 0;
  return [
    ...regionAttacks('instance0', instance0, RAM_OPS, ['memory']),
    ...regionAttacks('firmware', [FW_BASE, FW_BASE + FW_SIZE - 1], RAM_OPS, ['memory']),
    ...reservedRegisterAttacks(['lw', 'sw']),
    ...regionAttacks('device', [UART0_BASE, RTC_BASE, VIRTIO_BASE, VIRTIO_BASE + 0x70, VIRTIO_BASE + 7 * 0x1000], deviceOps, ['device']),
    ...straddles(PART.base, false, 'own-bottom'),
    ...straddles(PART_END, true, 'own-top'),
    ...[1, 10, 11].map((src): Attack => { const t = `pw:${(PLIC_PRIORITY + 4 * src).toString(16)}:7`; return { token: t, line: invisibleRegister(t), tags: ['plic', 'priority'] }; }),
    { token: `lw:${PLIC_PENDING.toString(16)}`, line: { anyOf: [`lw:${PLIC_PENDING.toString(16)}: = 0x0`], spec: CLAUSE.plic }, tags: ['plic', 'pending'] },
    ((): Attack => { const t = `pw:${PLIC_S_ENABLE.toString(16)}:ffffffff:${otherMask.toString(16)}`; return { token: t, line: invisibleRegister(t), tags: ['plic', 'enable'] }; })(),
    ...sbiAddressAttacks('victim0', [
      [vault, 16, 'instance0'], [start, 16, 'instance0'], [FW_BASE, 16, 'firmware'], [PART.base - 16, 32, 'straddle'], [PART_END - 16, 32, 'straddle'], [PART_END, 16, 'instance0'],
    ], [start, FW_BASE, vault]),
    sbi('st:0', [SBI.denied, SBI.alreadyStarted], CLAUSE.who, ['who']),
    sbi('st:1', [SBI.denied, SBI.alreadyStarted], CLAUSE.who, ['who']),
    sbi('share:1:63', [SBI.denied], CLAUSE.who, ['who']),
    sbi('wd:1:1', [SBI.denied], CLAUSE.who, ['who']),
    sbi('ho:0:1', [SBI.denied], CLAUSE.who, ['who']),
    sbi('ho:2:1', [SBI.denied], CLAUSE.who, ['who']),
    ...maskAttacks(),
    ...dmaAttacks([[vault, 'instance0'], [FW_BASE + 0x1000, 'firmware']]),
    ...endings('victim0'),
  ];
}

/** The adversary as instance 0 (it hands the RTC and virtio slot 7 to the victim), the victim in the partition. */
export const GIVEN = [1, 9];
function instance0Attacks(): Attack[] {
  const vault = symbol(VICTIM_P, 'vault'), start = symbol(VICTIM_P, '_start');
  const otherMask = ((1 << 11) | (1 << 8)) >>> 0;
  return [
    ...regionAttacks('instance1', [vault, vault + 4096, vault + 8 * 1024 - 1, start, PART.base + PART.size / 2, PART_END - 1], RAM_OPS, ['memory']),
    ...regionAttacks('firmware', [FW_BASE, FW_BASE + FW_SIZE - 1], RAM_OPS, ['memory']),
    ...reservedRegisterAttacks(['lw', 'sw']),
    ...regionAttacks('device', [RTC_BASE, VIRTIO_BASE + 7 * 0x1000, VIRTIO_BASE + 7 * 0x1000 + 0x70], ['lw', 'sw', 'x'], ['device']),
    ...straddles(PART.base, true, 'partition-bottom'),
    ...straddles(PART_END, false, 'partition-top'),
    ...[8, 11].map((src): Attack => { const t = `pw:${(PLIC_PRIORITY + 4 * src).toString(16)}:7`; return { token: t, line: invisibleRegister(t), tags: ['plic', 'priority'] }; }),
    ((): Attack => { const t = `pw:${PLIC_S_ENABLE.toString(16)}:ffffffff:${otherMask.toString(16)}`; return { token: t, line: invisibleRegister(t), tags: ['plic', 'enable'] }; })(),
    ...sbiAddressAttacks('victim1', [
      [vault, 16, 'instance1'], [start, 16, 'instance1'], [FW_BASE, 16, 'firmware'], [PART.base - 16, 32, 'straddle'], [PART_END - 16, 32, 'straddle'],
    ], [start, vault, FW_BASE]),
    sbi('ho:1:0', [SBI.denied], CLAUSE.who, ['who']),
    sbi('ho:9:0', [SBI.denied], CLAUSE.who, ['who']),
    ...maskAttacks(),
    ...dmaAttacks([[vault, 'instance1'], [FW_BASE + 0x1000, 'firmware']]),
    ...endings('victim1'),
  ];
}

/**
 * DMA through the adversary's own virtio-blk device with one part of a request in memory it does
 * not own (1: the buffer the device writes, 2: the buffer it reads, 3: the descriptor table, 4: the
 * available ring, 5: the used ring). The IOPMP refuses the device's access and the device, as the
 * platform says (platform.md "IOPMP": a bus error; virtio 1.2 2.1.2), sets DEVICE_NEEDS_RESET (0x40
 * in its status) and uses no buffer: the used index stays 0. Nothing is written into the other's
 * memory (the victim's signature).
 */
function dmaAttacks(targets: [number, string][]): Attack[] {
  const out: Attack[] = [];
  for (const [addr, what] of targets) {
    for (const kind of [1, 2, 3, 4, 5]) {
      const token = `dma:${kind}:${addr.toString(16)}`;
      // The whole access is refused before a byte moves; only the used ring comes after the
      // request's own status byte (in the adversary's memory) was written.
      const results = kind === 5 ? ['0x4f 0x0 0x0'] : ['0x4f 0x0 0xff'];
      out.push({ token, line: { anyOf: results.map((r) => `${token}: = ${r}`), spec: CLAUSE.dma }, tags: ['dma', what, `dma-${['', 'write', 'read', 'desc', 'avail', 'used'][kind]}`], dma: true });
    }
  }
  return out;
}

// ---- vectors -------------------------------------------------------------------------------
const victimAlone = new Map<string, { console: string; exit: { kind: string; code?: number } }>();
/** The victim's run alone: its signature, which it must print whatever the other instance does. */
function victimSignature(bios: string): { console: string; exit: { kind: string; code?: number } } {
  let r = victimAlone.get(bios);
  if (!r) {
    const obs = runImage({ kind: 'image', kernel: imageHashOfFile(VICTIM), bios, ramSize: ISOLATION_RAM, maxInsns: PAIR_MAX_INSNS }, IMAGES_DIR);
    r = { console: obs.console, exit: obs.exit };
    victimAlone.set(bios, r);
  }
  return r;
}

/** The victim's lines, where a handoff to it the specification makes may have left SSIP pending. */
const mayHaveSsip = (lines: string[], spec: string): ExpectedLine[] =>
  lines.map((l) => (l === 'victim sip 0x0' ? { anyOf: ['victim sip 0x0', 'victim sip 0x2'], spec } : l));

const disk = (a: Attack): { drive?: string } => (a.dma ? { drive: imageHashOfFile(DISK) } : {});

/** The adversary's console: who it is, one line per attempt, the firmware's answer, done. */
function adversaryLines(self: number, a: Attack): ExpectedLine[] {
  if (a.ends === 'srst') return [`adversary ${self}`, a.line];
  if (a.ends) return [`adversary ${self}`, a.line, ''];
  return [`adversary ${self}`, a.line, FIRMWARE_LINE, 'done', ''];
}

function draft(role: Role, a: Attack, bios: string, dormant = false): ImageDraft & { expected: IsolationExpectation } {
  const victim = role === 'alone' ? null : victimSignature(bios);
  const victimLines = victim ? victim.console.split('\n') : [''];
  let inputs: ImageInputs, expected: IsolationExpectation;
  if (role === 'alone') {
    inputs = { kind: 'image', kernel: imageHashOfFile(ADVERSARY), bios, ramSize: ISOLATION_RAM, maxInsns: a.ends === 'crash' ? CRASH_ALONE_MAX_INSNS : ALONE_MAX_INSNS, bootargs: dormant ? `dormant ${a.token}` : a.token, ...disk(a) };
    const exit = a.ends === 'crash' || a.ends === 'hog' ? { kind: 'limit' } : PASS;
    expected = { console: adversaryLines(0, a), console1: [''], exit };
  } else if (role === 'victim0') {
    inputs = { kind: 'image', kernel: imageHashOfFile(VICTIM), bios, ramSize: ISOLATION_RAM, maxInsns: PAIR_MAX_INSNS, bootargs: a.dma ? `spawn give:${DISK_DEVICE} ${a.token}` : `spawn ${a.token}`, ...disk(a) };
    // The device the victim lent comes back when the adversary ends (rollback gives every device
    // back to instance 0, a handoff: its SSIP is set).
    const lenderLines: ExpectedLine[] = a.dma ? mayHaveSsip(victimLines, CLAUSE.returned) : victimLines;
    expected = { console: lenderLines, console1: adversaryLines(1, a), exit: victim!.exit };
  } else {
    // The adversary keeps its disk for the DMA attacks (it gives the victim the RTC only).
    const given = a.dma ? GIVEN.filter((d) => d !== DISK_DEVICE) : GIVEN;
    inputs = { kind: 'image', kernel: imageHashOfFile(ADVERSARY), bios, ramSize: ISOLATION_RAM, maxInsns: PAIR_MAX_INSNS, bootargs: `spawn ${given.map((d) => `give:${d}`).join(' ')} ${a.token}`, ...disk(a) };
    // A crashed or hogging instance 0 is what is left when the victim ends: the run goes to its limit.
    const exit = a.ends === 'crash' || a.ends === 'hog' ? { kind: 'limit' } : PASS;
    // Instance 0's SRST gives its devices to the survivor as a handoff does, which pends the
    // survivor's SSIP (maintenance-sbi.md "Shared SBI, scoped", "Devices and handoff").
    const survivorLines: ExpectedLine[] = a.ends === 'srst' ? mayHaveSsip(victimLines, CLAUSE.survivor) : victimLines;
    expected = { console: adversaryLines(0, a), console1: survivorLines, exit };
  }
  const where = role === 'alone' ? (dormant ? 'alone, dormant' : 'alone') : role === 'victim0' ? 'victim as instance 0' : 'victim as instance 1';
  return {
    title: `${where}: ${a.token}`, tags: [role, ...(dormant ? ['dormant'] : []), ...a.tags], spec: `conformance/isolation.md#${a.tags[0]}`,
    inputs, expected, expectedFrom: 'spec',
  };
}

/** Attacks once each: positions rounded to an access's width can name the same attempt twice. */
function unique(attacks: Attack[]): Attack[] {
  const seen = new Set<string>();
  return attacks.filter((a) => (seen.has(a.token) ? false : (seen.add(a.token), true)));
}

export function isolationGroups(): ImageGroup[] {
  const images = [FIRMWARE, ADVERSARY, VICTIM, DISK];
  const group = (file: string, make: (bios: string) => Generator<ImageDraft>): ImageGroup => ({
    kind: 'image', suite: 'isolation', file: `isolation/${file}.json`, generator: `isolation/${file}`, images,
    drafts: () => make(imageHashOfFile(FIRMWARE)),
  });
  return [
    group('alone', function* (bios) {
      for (const a of unique(aloneAttacks())) yield draft('alone', a, bios);
      for (const a of unique(dormantAttacks())) yield draft('alone', a, bios, true);
    }),
    group('victim-instance0', function* (bios) { for (const a of unique(instance1Attacks())) yield draft('victim0', a, bios); }),
    group('victim-instance1', function* (bios) { for (const a of unique(instance0Attacks())) yield draft('victim1', a, bios); }),
  ];
}
