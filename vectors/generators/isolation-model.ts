// What the specification says each attack of the isolation suite must give: the one place where
// the suite's expectations are written down, each with its clause. Nothing here runs the reference:
// the adversary's lines are derived from the memory map, the PMP layout and the SBI, as
// conformance/isolation.md explains. The generator (isolation.ts) plans the attacks.

import { CLINT_BASE, CLINT_SIZE, DOORBELL_BASE, DOORBELL_SIZE, RAM_BASE, RTC_BASE, UART0_BASE, VIRTIO_BASE, VIRTIO_STRIDE } from '../../reference/machine/devices/memory-map';
import type { ExpectedLine } from '../../conformance/isolation-check';

export const FW_BASE = RAM_BASE, FW_SIZE = 0x80000;
/** The IOPMP's registers (conformance/platform.md "IOPMP"). */
export const IOPMP_BASE = 0x104000, IOPMP_SIZE = 0x4000;
export const PLIC_M_ENABLE = 0x0c002000, PLIC_M_ENABLE_SIZE = 0x80, PLIC_M_CONTEXT = 0x0c200000, PLIC_M_CONTEXT_SIZE = 0x1000;
/** PLIC registers of hart 0's S-mode context (context 1) and the global ones (QEMU virt's PLIC). */
export const PLIC_PRIORITY = 0x0c000000, PLIC_PENDING = 0x0c001000, PLIC_S_ENABLE = 0x0c002080, PLIC_S_THRESHOLD = 0x0c201000;

const MiB = 1024 * 1024;
/** The maintenance partition of a RAM size (conformance/maintenance-sbi.md "Instances"; microvisor.md "Memory and PMP layout"). */
export function partitionOf(ramSize: number): { base: number; size: number } {
  const twoMiB = 2 * MiB;
  return { base: RAM_BASE + Math.ceil(ramSize / 2 / twoMiB) * twoMiB, size: Math.floor(ramSize / 4 / twoMiB) * twoMiB };
}

/** Device ids of the maintenance extension and their MMIO windows and PLIC sources (maintenance-sbi.md "Devices and handoff"). */
export const DEVICES: { id: number; name: string; base: number; size: number; irq: number }[] = [
  { id: 0, name: 'uart', base: UART0_BASE, size: 0x100, irq: 10 },
  { id: 1, name: 'rtc', base: RTC_BASE, size: 0x1000, irq: 11 },
  ...Array.from({ length: 8 }, (_, n) => ({ id: 2 + n, name: `virtio${n}`, base: VIRTIO_BASE + n * VIRTIO_STRIDE, size: VIRTIO_STRIDE, irq: 1 + n })),
];

/** Regions PMP denies to S and U in every state (microvisor.md "Memory and PMP layout"; platform.md for the IOPMP). */
export const ALWAYS_DENIED = [
  { name: 'firmware', base: FW_BASE, size: FW_SIZE },
  { name: 'clint', base: CLINT_BASE, size: CLINT_SIZE },
  { name: 'plic-m-enable', base: PLIC_M_ENABLE, size: PLIC_M_ENABLE_SIZE },
  { name: 'plic-m-context', base: PLIC_M_CONTEXT, size: PLIC_M_CONTEXT_SIZE },
  { name: 'doorbell', base: DOORBELL_BASE, size: DOORBELL_SIZE },
  { name: 'iopmp', base: IOPMP_BASE, size: IOPMP_SIZE },
];

// ---- clauses ---------------------------------------------------------------------------------
export const CLAUSE = {
  pmp: 'riscv-privileged 20211203 3.7.1 PMP, 3.1.16 mtval (platform: fault-tval)',
  pmpPartial: 'riscv-privileged 20211203 3.7.1 PMP (partial match fails), 3.1.16 mtval (portion that faulted); choices misaligned-address-trap, atomic-misaligned-access-fault',
  fetchPartial: 'riscv-privileged 20211203 3.1.16 mtval (portion of the instruction that faulted)',
  scStore: 'riscv-unprivileged 20191213 8.2 (failed SC treated as a store for protection)',
  plic: 'maintenance-sbi.md "Devices and handoff" (another instance\'s source reads 0, ignores writes)',
  dbcn: 'SBI 2.0 DBCN console_write/console_read (INVALID_PARAM)',
  hsmStart: 'SBI 2.0 HSM hart_start (INVALID_ADDRESS, INVALID_PARAM, ALREADY_AVAILABLE)',
  hsmSuspend: 'SBI 2.0 HSM hart_suspend (INVALID_ADDRESS)',
  buffer: 'maintenance-sbi.md "Validation" (INVALID_ADDRESS) and "Instances" (DENIED)',
  dormant: 'maintenance-sbi.md "Instances" (DENIED while dormant) and "Validation"',
  who: 'maintenance-sbi.md "Instances" (who may call what: DENIED)',
  hartMask: 'SBI 2.0 IPI send_ipi, RFENCE (INVALID_PARAM); maintenance-sbi.md "Shared SBI, scoped"',
  timer: 'maintenance-sbi.md "Shared SBI, scoped" (set_timer per instance)',
  srst: 'SBI 2.0 SRST system_reset (INVALID_PARAM); maintenance-sbi.md "Shared SBI, scoped"',
  dma: 'platform.md "IOPMP" (a refused DMA is a bus error: DEVICE_NEEDS_RESET, no buffer used; virtio 1.2 2.1.2); maintenance-sbi.md "Devices and handoff" (DMA confined to the owner\'s memory)',
  storm: 'riscv-privileged 20211203 3.1.8 medeleg (delegated traps go to the instance\'s own handler)',
  returned: 'maintenance-sbi.md "Retire, roll back, devirtualize to the survivor" (rollback gives every device back to instance 0) and "Devices and handoff" (the receiver\'s SSIP is set)',
  survivor: 'maintenance-sbi.md "Shared SBI, scoped" (SRST ends that instance, its devices going to the survivor) and "Devices and handoff" (the receiver\'s SSIP is set)',
};

// ---- lines -----------------------------------------------------------------------------------
export const hex = (v: number | bigint) => `0x${BigInt(v).toString(16)}`;
export const trapLine = (cause: number, tval: number) => `trap ${cause} ${hex(tval)}`;
export const sbiLine = (error: number, value = 0) => `sbi ${error} ${hex(value)}`;

export const SBI = { ok: 0, failed: -1, notSupported: -2, invalidParam: -3, denied: -4, invalidAddress: -5, alreadyAvailable: -6, alreadyStarted: -7 } as const;

/** Memory operations of the adversary: its mnemonic, width, and what kind of access it makes. */
export const MEMORY_OPS = {
  lb: { size: 1, kind: 'load' }, lh: { size: 2, kind: 'load' }, lw: { size: 4, kind: 'load' }, ld: { size: 8, kind: 'load' },
  sb: { size: 1, kind: 'store' }, sh: { size: 2, kind: 'store' }, sw: { size: 4, kind: 'store' }, sd: { size: 8, kind: 'store' },
  amoswapw: { size: 4, kind: 'amo' }, amoaddd: { size: 8, kind: 'amo' }, amoord: { size: 8, kind: 'amo' },
  lrd: { size: 8, kind: 'lr' }, scd: { size: 8, kind: 'sc' }, x: { size: 4, kind: 'fetch' },
} as const;
export type MemoryOp = keyof typeof MEMORY_OPS;

const faultCause = (kind: string) => (kind === 'fetch' ? 1 : kind === 'load' || kind === 'lr' ? 5 : 7);
const misalignedCause = (kind: string) => (kind === 'load' || kind === 'lr' ? 4 : 6);

/**
 * An access of `op` at `addr` whose bytes from `deniedFrom` to `deniedTo` (exclusive) the
 * attacker may not touch (the whole access, or the part beyond a boundary): the lines allowed.
 */
export function deniedAccess(op: MemoryOp, addr: number, deniedFrom: number, deniedTo: number): ExpectedLine {
  const { size, kind } = MEMORY_OPS[op];
  const end = addr + size;
  const partial = deniedFrom > addr || deniedTo < end;
  const misaligned = addr % size !== 0;
  const cause = faultCause(kind);
  const tvals = new Set([addr]);
  if (partial && deniedFrom > addr) tvals.add(deniedFrom);
  const lines = [...tvals].map((t) => trapLine(cause, t));
  if (misaligned && kind !== 'fetch') lines.push(trapLine(misalignedCause(kind), addr));
  const line = `${op}:${addr.toString(16)}: `;
  const spec = partial || misaligned ? CLAUSE.pmpPartial : kind === 'sc' ? `${CLAUSE.pmp}; ${CLAUSE.scStore}` : CLAUSE.pmp;
  return lines.length === 1 && !partial && !misaligned ? { anyOf: [line + lines[0]], spec } : { anyOf: lines.map((l) => line + l), spec };
}

/** A 32-bit instruction whose second half lies beyond the attacker's memory: the fetch of that half faults. */
export function straddlingFetch(addr: number): ExpectedLine {
  return { anyOf: [`xs:${addr.toString(16)}: ${trapLine(1, addr + 2)}`], spec: CLAUSE.fetchPartial };
}

/** A device register of the other instance that the firmware emulates: the write is ignored and the register reads 0. */
export function invisibleRegister(token: string): ExpectedLine {
  return { anyOf: [`${token}: = 0x0`], spec: CLAUSE.plic };
}

/** An SBI call whose outcome may be any of `errors` (value 0). */
export function sbiRefused(token: string, errors: number[], spec: string): ExpectedLine {
  return { anyOf: errors.map((e) => `${token}: ${sbiLine(e)}`), spec };
}
