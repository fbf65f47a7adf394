// The "state" form of a vector: an initial hart and memory, run until a stop, and the
// observation of the final state. Pure data helpers, shared by the reference runner, the
// generators and the QEMU oracle (which must not load the reference machine).

export interface StateMemoryRegion { base: string; words?: string[]; bytes?: string }
export interface StateInputs {
  kind: 'state';
  ramSize?: number;
  memory: StateMemoryRegion[];
  hart: { pc: string; priv?: 'M' | 'S' | 'U'; x?: Record<string, string>; csrs?: Record<string, string> };
  stop: { maxInsns: number; onTrap: boolean };
}
export interface StateObservation {
  x: Record<string, string>;
  pc: string;
  priv: 'M' | 'S' | 'U';
  csrs: Record<string, string>;
  memory: { base: string; bytes: string }[];
  console: string;
  exit: { kind: 'finisher' | 'tohost' | 'trap' | 'limit' | 'idle'; code?: number; cause?: string; tval?: string; epc?: string };
  instret: number;
  cycles: number;
}

export const hex64 = (v: bigint) => '0x' + BigInt.asUintN(64, v).toString(16).padStart(16, '0');

export function regionBytes(r: StateMemoryRegion): Uint8Array {
  if (r.words) {
    const out = new Uint8Array(r.words.length * 4);
    const dv = new DataView(out.buffer);
    r.words.forEach((w, i) => dv.setUint32(i * 4, Number(BigInt(w)), true));
    return out;
  }
  return Uint8Array.from(Buffer.from(r.bytes ?? '', 'hex'));
}


/** An event the harness injects at an instruction count (transparency and maintenance schedules). */
export interface ScheduleEvent {
  at: number;
  /**
   * A doorbell cause of conformance/maintenance-sbi.md: create places the vector's `maintenance`
   * image in the partition and rings cause 3 with it; start and retire name `instance` (default 1).
   */
  action: 'virtualize' | 'devirtualize' | 'doorbell' | 'create' | 'start' | 'retire' | 'rollback';
  cause?: number;
  instance?: number;
}

/** The "image" form of a vector: whole programs booted as on QEMU virt. */
export interface ImageInputs {
  kind: 'image';
  /** sha256 of the kernel image, stored as vectors/images/<sha256>.elf */
  kernel: string;
  /** 'none' or the sha256 of a firmware image. */
  bios: string;
  /** sha256 of the M-mode firmware for a kernel that owns M-mode (then bios is 'none'). */
  mmodeFirmware?: string;
  drive?: string;
  ramSize?: number;
  maxInsns: number;
  schedule?: ScheduleEvent[];
  /** The kernel command line (QEMU -append): /chosen/bootargs of the device tree it boots with. */
  bootargs?: string;
  /** The maintenance instance the schedule's `create` places in the partition (out of band), and its command line. */
  maintenance?: { kernel: string; bootargs?: string };
}

export interface ImageObservation {
  console: string;
  /** What the maintenance instance (instance 1) wrote to its console (the doorbell's CONSOLE1). */
  console1?: string;
  exit: { kind: 'finisher' | 'tohost' | 'trap' | 'limit' | 'idle'; code?: number };
  instret: number;
  cycles: number;
  /** Events that were delivered, with the instruction count at which each was. */
  delivered: { at: number; action: string }[];
  /** Each console line with the cycle and instruction counts when its newline was written. */
  lines?: { text: string; cycles: number; instret: number }[];
}
