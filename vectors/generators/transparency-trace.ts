// The tricky points of a probe, found by running it on the reference with a tracer rather than
// picked by hand: for every retired instruction we know whether the guest was inside its trap
// handler, between an LR and its SC, in U-mode, with an interrupt pending but not yet taken,
// around a satp write or an sfence.vma, at a wfi, or inside the firmware (an SBI call). A
// maintenance event scheduled at such an instruction count arrives exactly there. With a second
// instance running, `onlyPc` keeps the points of the traced instance's own code.

import { Machine } from '../../reference/machine/machine';

export const POINT_KINDS = ['trap-handler', 'lr-sc', 'u-mode', 'irq-pending', 'satp-write', 'sfence', 'wfi', 'in-firmware', 'ecall'] as const;
export type PointKind = typeof POINT_KINDS[number];

export interface ProbeTrace {
  /** Instruction counts (machine-wide instret before the instruction) of each kind of point. */
  points: Record<PointKind, number[]>;
  /** Instruction counts of the guest's own calls to the maintenance extension (which report instance state). */
  maintenanceCalls: number[];
  /** instret at the kernel's first instruction, and at the end of the run. */
  kernelEntry: number;
  total: number;
}

const SRET = 0x10200073, WFI = 0x10500073;
const isLr = (b: number) => (b & 0x7f) === 0x2f && (b >>> 27) === 0b00010;
const isSc = (b: number) => (b & 0x7f) === 0x2f && (b >>> 27) === 0b00011;
const isSfence = (b: number) => (b & 0xfe007fff) === 0x12000073;
const isCsrOn = (b: number, csr: number) => (b & 0x7f) === 0x73 && ((b >>> 12) & 7) !== 0 && ((b >>> 12) & 7) !== 4 && (b >>> 20) === csr;
const isEcall = (b: number) => b === 0x00000073;
/** The maintenance extension (conformance/maintenance-sbi.md). */
const MAINTENANCE_EID = 0x0a004456n;

/** A doorbell ring at an instruction count, with the arguments (or the host's work that makes them) of a maintenance cause. */
export interface TraceEvent { at: number; cause: number; args?: bigint[]; prepare?: (m: Machine) => bigint[] }

/**
 * Trace one run of kernel over bios (optionally with maintenance events already scheduled, so
 * that the counts are those of that timeline) and classify every instruction.
 */
export function traceProbe(kernel: Uint8Array, bios: Uint8Array, ramSize: number, maxInsns: number,
  schedule: TraceEvent[] = [], onlyPc: (pc: number) => boolean = () => true): ProbeTrace {
  const m = new Machine({ ramSize, kernel, bios });
  const points = Object.fromEntries(POINT_KINDS.map((k) => [k, [] as number[]])) as Record<PointKind, number[]>;
  const trapVector = m.symbols.find((s) => s.name === 'trap_vector')?.value ?? -1;
  const maintenanceCalls: number[] = [];
  let inHandler = false, inLr = false, kernelEntry = -1, afterSatp = false;
  m.hart.tracer = (h, pc, bits) => {
    const n = h.instret;
    if (!onlyPc(pc) && h.priv !== 3) return;
    if (kernelEntry < 0 && pc === 0x80200000) kernelEntry = n;
    if (h.priv === 3) { if (kernelEntry >= 0) points['in-firmware'].push(n); return; }
    if (pc === trapVector) inHandler = true;
    if (inHandler) points['trap-handler'].push(n);
    if (bits === SRET) inHandler = false;
    if (isLr(bits)) inLr = true;
    else if (inLr) points['lr-sc'].push(n);
    if (isSc(bits)) inLr = false;
    if (h.priv === 0) points['u-mode'].push(n);
    if ((h.mip() & h.mie & h.mideleg) !== 0) points['irq-pending'].push(n);
    if (afterSatp) { points['satp-write'].push(n); afterSatp = false; }
    if (isCsrOn(bits, 0x180)) { points['satp-write'].push(n); afterSatp = true; }
    if (isSfence(bits)) points.sfence.push(n, n + 1);
    if (bits === WFI) points.wfi.push(n, n + 1);
    if (isEcall(bits)) {
      points.ecall.push(n);
      if (h.getX(17) === MAINTENANCE_EID) maintenanceCalls.push(n);
    }
  };
  const events = [...schedule].sort((a, b) => a.at - b.at);
  for (const e of events) {
    const r = m.run({ maxInsns: Math.max(0, e.at - m.hart.instret) });
    if (r.reason !== 'limit' && r.reason !== 'idle') break;
    m.doorbell.ring(e.cause, e.prepare ? e.prepare(m) : e.args);
  }
  m.run({ maxInsns: Math.max(0, maxInsns - m.hart.instret) });
  return { points, maintenanceCalls, kernelEntry, total: m.hart.instret };
}
