// One boot of the reference machine: the machine, the schedule of management-doorbell events at
// instruction counts, the instruction budget and guest-requested reboots. `devirt boot`, image
// vectors and the schedule-point tracer all run through it, so the schedule has one definition.
// It is built to be driven in pieces: run N instructions, run to a breakpoint, single step, pause
// from a callback or between calls (what a GDB stub needs), and its configuration is plain data
// that a QEMU-style command line maps onto (-kernel, -bios, -m, -drive, -append, -no-reboot).

import { BlockBackend, JitOptions, Machine, MachineError, NicConfig } from './machine/machine';
import type { PlicGateway } from './machine/devices/plic';
import type { ScheduleEvent } from './state';
import { MaintenanceImage, placeMaintenance } from './maintenance-image';

/** Doorbell causes understood by the Microvisor (conformance/maintenance-sbi.md). */
export const DOORBELL_CAUSE = { virtualize: 1, devirtualize: 2, create: 3, start: 4, handOver: 5, retire: 6, rollback: 7 } as const;

/** A doorbell ring due when the instruction count (instret of the current boot) reaches `at`. */
export interface DoorbellEvent {
  at: number;
  cause: number;
  /** What the event is called in `delivered` (a vector's schedule action). */
  label: string;
  /** ARG0..ARG2, written before the ring (maintenance causes 3-7). */
  args?: bigint[];
  /**
   * Work the host does just before the ring, returning ARG0..ARG2: placing a maintenance image in
   * the partition (reference/maintenance-image.ts), which exists only once the firmware has booted.
   */
  prepare?: (m: Machine) => bigint[];
}

/**
 * The doorbell cause an image vector's schedule event rings, with its arguments: `create` first
 * places `maintenance` (the vector's instance 1) in the partition, as the host does out of band.
 */
export function doorbellEvent(e: ScheduleEvent, maintenance?: MaintenanceImage): DoorbellEvent {
  const cause = e.action === 'doorbell' ? (e.cause ?? 0) : DOORBELL_CAUSE[e.action];
  const out: DoorbellEvent = { at: e.at, cause, label: e.action };
  if (e.action === 'start' || e.action === 'retire') out.args = [BigInt(e.instance ?? 1)];
  if (e.action === 'create') {
    if (!maintenance) throw new MachineError(`a create event at ${e.at} needs a maintenance image`);
    out.prepare = (m) => placeMaintenance(m, maintenance);
  }
  return out;
}

/** Everything a boot needs, as plain data: the options a QEMU-style command line builds. */
export interface BootConfig {
  /** RAM size in bytes (QEMU -m; default 128 MiB). */
  ramSize?: number;
  /** Kernel image (ELF or raw binary; QEMU -kernel). */
  kernel: Uint8Array;
  kernelName?: string;
  /** Firmware image, or null for `-bios none`. */
  bios: Uint8Array | null;
  biosName?: string;
  /** The Microvisor's M-mode firmware, for a kernel that owns M-mode (then bios is null). */
  mmodeFirmware?: Uint8Array | null;
  mmodeFirmwareName?: string;
  /** Backing store of a virtio-blk disk (QEMU -drive), in the highest virtio slot. */
  drive?: BlockBackend | null;
  /** virtio-blk disks in the slots QEMU gives them (-drive/-device; reference/machine/devices/virtio-placement.ts). */
  drives?: { backend: BlockBackend; slot: number }[];
  /** virtio-net cards on the machine's switch (QEMU -device virtio-net-device), in their slots. */
  nics?: NicConfig[];
  /** The legacy virtio-mmio transport (QEMU's -global virtio-mmio.force-legacy=true). */
  virtioLegacy?: boolean;
  /** How the PLIC pends level-triggered sources (QEMU's model by default). */
  plicGateway?: PlicGateway;
  /** An initial RAM disk (QEMU -initrd). */
  initrd?: Uint8Array | null;
  initrdName?: string;
  /** A device tree instead of the generated one (QEMU -dtb). */
  dtb?: Uint8Array | null;
  dtbName?: string;
  /** Kernel command line (QEMU -append). */
  bootargs?: string;
  /** Where the guest's console bytes go as they are written. */
  onConsole?: (byte: number) => void;
  /** Where instance 1's console bytes (the doorbell's CONSOLE1) go as they are written. */
  onConsole1?: (byte: number) => void;
  /** Keep the console text in the machine (default true). */
  captureConsole?: boolean;
  /** Doorbell events, in any order (delivered in order of `at`, ties in the order given). */
  schedule?: DoorbellEvent[];
  /** Instructions the whole session may run, across reboots (default: no limit). */
  maxInsns?: number;
  /**
   * A guest-requested reset (finisher 0x7777): 'reboot' starts the machine again from the reset
   * vector, as QEMU does by default; 'stop' ends the run there, as QEMU -no-reboot does.
   */
  onReset?: 'reboot' | 'stop';
  /** Translate hot code (reference/machine/jit; default: the machine's JIT_DEFAULT). */
  jit?: boolean | JitOptions;
  /** RISC-V semihosting, as QEMU -semihosting (reference/machine/semihosting.ts). */
  semihosting?: { cmdline: string } | null;
}

/** Why `run` returned. */
export type SessionStop =
  /** The guest ended the run (finisher pass/fail/reset-with-'stop', or HTIF tohost). */
  | { kind: 'exit'; by: 'finisher' | 'tohost'; code: number }
  /** The session's instruction budget is used up. */
  | { kind: 'limit' }
  /** This call's instruction count is done; the run can go on. */
  | { kind: 'slice' }
  /** The hart waits (wfi) for an interrupt no timer or event will raise: only input can wake it. */
  | { kind: 'idle' }
  /** `pause()` was called. */
  | { kind: 'paused' }
  /** The breakpoint predicate held at `pc`, before the instruction there ran. */
  | { kind: 'breakpoint'; pc: number };

export interface RunRequest {
  /** Instructions this call may run (default: until a stop). */
  insns?: number;
  /**
   * Stop before an instruction whose pc satisfies this (checked from the second instruction of
   * the call on, so a run resumed at a breakpoint moves past it). With a predicate the session
   * runs one instruction at a time. A single run step that enters a trap also runs the handler's
   * first instruction, so a breakpoint there is seen one instruction late.
   */
  breakAt?: (pc: number) => boolean;
}

export class BootSession {
  readonly machine: Machine;
  /** Events delivered so far, with the instruction count at which each was. */
  readonly delivered: { at: number; action: string }[] = [];
  /** Instructions used from the budget, across reboots (a run stopped at its limit used all of it). */
  executed = 0;
  /** Guest-requested reboots so far. */
  reboots = 0;
  readonly maxInsns: number;
  private readonly schedule: DoorbellEvent[];
  private nextEvent = 0;
  private readonly onReset: 'reboot' | 'stop';
  private pauseRequested = false;
  private running = false;

  constructor(config: BootConfig) {
    this.machine = new Machine({
      ramSize: config.ramSize, kernel: config.kernel, kernelName: config.kernelName,
      bios: config.bios, biosName: config.biosName,
      mmodeFirmware: config.mmodeFirmware, mmodeFirmwareName: config.mmodeFirmwareName,
      drive: config.drive, drives: config.drives, nics: config.nics, bootargs: config.bootargs,
      virtioLegacy: config.virtioLegacy, plicGateway: config.plicGateway,
      initrd: config.initrd, initrdName: config.initrdName, dtb: config.dtb, dtbName: config.dtbName,
      onConsole: config.onConsole, onConsole1: config.onConsole1, captureConsole: config.captureConsole, jit: config.jit,
      semihosting: config.semihosting,
    });
    // A stable sort: events at the same count ring in the order given.
    this.schedule = [...(config.schedule ?? [])].sort((a, b) => a.at - b.at);
    this.maxInsns = config.maxInsns ?? Infinity;
    this.onReset = config.onReset ?? 'reboot';
  }

  /** Events not delivered yet. */
  get pending(): readonly DoorbellEvent[] { return this.schedule.slice(this.nextEvent); }

  /**
   * Ask the run to stop: a `run` in progress (this was called from a console or trace callback)
   * returns `paused` after the current instruction; otherwise the next `run` returns at once.
   */
  pause(): void {
    this.pauseRequested = true;
    if (this.running) { this.machine.hart.stopReason = 'break'; this.machine.hart.kick(); }
  }

  /** Run one instruction (or stop for a reason that comes first). */
  step(): SessionStop { return this.run({ insns: 1 }); }

  /** Run until the guest stops, the budget or this call's count is used, a breakpoint or a pause. */
  run(request: RunRequest = {}): SessionStop {
    const m = this.machine;
    const callInsns = request.insns ?? Infinity;
    const breakAt = request.breakAt;
    let used = 0;
    this.running = true;
    try {
      for (;;) {
        if (this.pauseRequested) { this.pauseRequested = false; return { kind: 'paused' }; }
        if (this.executed >= this.maxInsns) return { kind: 'limit' };
        let next = this.schedule[this.nextEvent];
        while (next && next.at <= m.hart.instret) { this.deliver(); next = this.schedule[this.nextEvent]; }
        if (used >= callInsns) return { kind: 'slice' };
        if (breakAt && used > 0 && breakAt(m.hart.pc)) return { kind: 'breakpoint', pc: m.hart.pc };
        const budget = Math.min(callInsns - used, this.maxInsns - this.executed, next ? next.at - m.hart.instret : Infinity, breakAt ? 1 : Infinity);
        const before = m.hart.instret;
        const r = m.run({ maxInsns: budget });
        const ran = r.reason === 'limit' ? budget : m.hart.instret - before;
        this.executed += ran;
        used += ran;
        switch (r.reason) {
          case 'limit': continue;
          case 'break': this.pauseRequested = false; return { kind: 'paused' };
          case 'idle':
            // A hart idle in wfi can still be woken by the next scheduled doorbell: ring it now.
            if (next) { this.deliver(); continue; }
            return { kind: 'idle' };
          case 'finisher':
            if (m.finisherState?.kind === 'reset' && this.onReset === 'reboot') { m.reboot(); this.reboots++; continue; }
            return { kind: 'exit', by: 'finisher', code: r.code ?? 0 };
          case 'tohost':
            return { kind: 'exit', by: 'tohost', code: r.code ?? 0 };
          case 'trap':
            // Only runs with stopOnTrap stop at traps; the session never asks for it.
            throw new Error('boot session: unexpected trap stop');
        }
      }
    } finally {
      this.running = false;
    }
  }

  private deliver(): void {
    const e = this.schedule[this.nextEvent++];
    this.machine.doorbell.ring(e.cause, e.prepare ? e.prepare(this.machine) : e.args);
    this.delivered.push({ at: this.machine.hart.instret, action: e.label });
  }
}
