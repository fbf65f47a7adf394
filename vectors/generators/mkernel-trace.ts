// Reference traces of a kernel that owns M-mode, classified into the instruction boundaries
// where a virtualize or devirtualize point is hardest to get right. The generator picks its
// schedule points from these, so the tricky points are found, not hand-picked.

import { FW_RAM_BASE, FW_RAM_SIZE } from '../../reference/machine/firmware-ram';
import { BootSession, doorbellEvent } from '../../reference/session';
import type { ScheduleEvent } from '../../reference/state';

/** Where the kernel is at a boundary, and what is pending there. */
export type PointKind =
  | 'm-boot'          // its M-mode boot prologue
  | 'm-handler'       // its M-mode trap handler (real M dormant, virtual M virtualized)
  | 'after-mret'      // right after one of its MRETs, before the next instruction
  | 'm-irq-pending'   // in M-mode with a machine timer or software interrupt pending
  | 's-irq-pending'   // in M- or S-mode with a supervisor software interrupt pending
  | 's-mode'          // its S-mode code
  | 'u-mode'          // one of its U-mode processes
  | 'firmware';       // inside the firmware's own trap path (virtualized runs only)

export const POINT_KINDS: readonly PointKind[] = ['m-boot', 'm-handler', 'after-mret', 'm-irq-pending', 's-irq-pending', 's-mode', 'u-mode', 'firmware'];

export interface Trace {
  /** Instruction counts (the schedule's `at`) of each kind of boundary, ascending. */
  points: Record<PointKind, number[]>;
  instret: number;
}

const MRET = 0x30200073;
const MIP_M = (1 << 3) | (1 << 7);
const MIP_SSIP = 1 << 1;

/**
 * Run `kernel` under the M-mode firmware with `schedule` delivered by the boot session, as image
 * vectors are (the doorbell rings when the instruction count reaches `at`), recording every boundary.
 */
export function traceKernel(kernel: Uint8Array, firmware: Uint8Array, schedule: ScheduleEvent[], maxInsns: number, ramSize?: number): Trace {
  const session = new BootSession({ kernel, bios: null, mmodeFirmware: firmware, captureConsole: false, ramSize, schedule: schedule.map((e) => doorbellEvent(e)), maxInsns, onReset: 'stop' });
  const m = session.machine;
  const points = Object.fromEntries(POINT_KINDS.map((k) => [k, [] as number[]])) as Record<PointKind, number[]>;
  let sawS = false;
  let mretPending = false;
  let last = -1;
  m.hart.tracer = (h, pc, bits) => {
    const at = h.instret;
    if (at === last) return; // an instruction that trapped: its boundary is already recorded
    last = at;
    if (pc >= FW_RAM_BASE && pc < FW_RAM_BASE + FW_RAM_SIZE) { if (h.priv === 3) points.firmware.push(at); return; }
    const inM = h.priv === 3 || (h.priv === 0 && pc >= 0x80000000);
    const inS = h.priv === 1;
    if (mretPending) { points['after-mret'].push(at); mretPending = false; }
    const mip = h.mipSw | h.mipHw;
    if (inS) { sawS = true; points['s-mode'].push(at); }
    else if (!inM) points['u-mode'].push(at);
    else if (!sawS) points['m-boot'].push(at);
    else points['m-handler'].push(at);
    if (inM && (mip & MIP_M)) points['m-irq-pending'].push(at);
    if ((inM || inS) && (mip & MIP_SSIP)) points['s-irq-pending'].push(at);
    if (inM && bits === MRET) mretPending = true;
  };
  session.run();
  return { points, instret: m.hart.instret };
}
