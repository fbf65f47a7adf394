// Traps: which interrupt is taken, trap entry (M, S, and the Smrnmi exception vector), RNMI
// entry, the xRET instructions, and the choices the specification leaves about what a trap
// records (the tval of each cause). Privileged spec 1.12 3.1.6-3.1.9, 3.3.2, 4.1.1; Smrnmi.
//
// Everything here is rare next to the run loop: it is out of hart.ts so that the loop stays small.

import type { Hart } from './hart';
import { EVENT_COST } from './cycle-model';
import { Access, Exc, Irq } from './trap-causes';
import { MNS_MNPP, MNS_MNPP_SHIFT, MNS_NMIE, MS_MIE, MS_MPIE, MS_MPP, MS_MPP_SHIFT, MS_MPRV, MS_SIE, MS_SPIE, MS_SPP, MS_TSR } from './mstatus';

/** Thrown by Hart.raise after recording cause and tval; the run loop catches it and enters the trap. */
export const TRAP = { trap: true } as const;

// ---- what a trap records (tval) ------------------------------------------------------------------
// Each place the specification lets an implementation choose what xtval holds is a function here.

/** tval of an address fault or misaligned access: the faulting virtual address (3.1.16). */
export function addressTval(va: number): bigint {
  return BigInt.asUintN(64, BigInt(va));
}

/** tval of an illegal instruction: its bits, as QEMU 7.2 (3.1.16 allows 0 too: choices.illegalTval). */
export function illegalInsnTval(h: Hart, bits: number, len: number): bigint {
  if (h.choose('illegalTval') === 'zero') return 0n;
  return BigInt(len === 2 ? bits & 0xffff : bits >>> 0);
}

/** tval of ebreak: 0 by default, as on QEMU (3.1.16 allows 0 or the pc: choices.breakpointTval). */
export function breakpointTval(h: Hart, pc: number): bigint {
  return h.choose('breakpointTval') === 'pc' ? BigInt.asUintN(64, BigInt(pc)) : 0n;
}

/** The cause of a fault of each kind for an access kind (table 3.6). */
export function accessFaultCause(access: Access): Exc {
  return access === Access.Fetch ? Exc.InsnAccessFault : access === Access.Load ? Exc.LoadAccessFault : Exc.StoreAccessFault;
}
export function pageFaultCause(access: Access): Exc {
  return access === Access.Fetch ? Exc.InsnPageFault : access === Access.Load ? Exc.LoadPageFault : Exc.StorePageFault;
}
export function misalignedCause(access: Access): Exc {
  return access === Access.Fetch ? Exc.InsnMisaligned : access === Access.Load ? Exc.LoadMisaligned : Exc.StoreMisaligned;
}

// ---- interrupts ----------------------------------------------------------------------------------

/** Highest-priority interrupt that is pending, enabled and allowed at this privilege, or -1 (3.1.9). */
export function pendingInterrupt(h: Hart): number {
  const pending = (h.mipSw | h.mipHw) & h.mie;
  if (pending === 0) return -1;
  const mLevel = pending & ~h.mideleg;
  if (mLevel !== 0 && (h.priv < 3 || (h.mstatus & MS_MIE) !== 0)) {
    // Smrnmi: while NMIE is clear, M-mode takes no interrupts at all.
    if (h.priv < 3 || h.nmiEnabled()) return pickIrq(mLevel);
  }
  const sLevel = pending & h.mideleg;
  if (sLevel !== 0 && (h.priv < 1 || (h.priv === 1 && (h.mstatus & MS_SIE) !== 0))) return pickIrq(sLevel);
  return -1;
}

/** Priority among pending interrupts: platform causes (16 and up) first, then MEI, MSI, MTI, SEI, SSI, STI. */
function pickIrq(bitsSet: number): number {
  if (bitsSet & ~0xffff) return 31 - Math.clz32(bitsSet & ~0xffff);
  if (bitsSet & (1 << Irq.MEI)) return Irq.MEI;
  if (bitsSet & (1 << Irq.MSI)) return Irq.MSI;
  if (bitsSet & (1 << Irq.MTI)) return Irq.MTI;
  if (bitsSet & (1 << Irq.SEI)) return Irq.SEI;
  if (bitsSet & (1 << Irq.SSI)) return Irq.SSI;
  return Irq.STI;
}

function trapTarget(tvec: bigint, cause: number, interrupt: boolean): number {
  const base = Number(BigInt.asIntN(64, tvec & ~3n));
  return interrupt && (tvec & 3n) === 1n ? base + 4 * cause : base;
}

// ---- entry -----------------------------------------------------------------------------------------

/** Take a trap: to S when delegated from S or U, else to M (or the RNMI exception vector). */
export function enterTrap(h: Hart, cause: number, interrupt: boolean, tval: bigint): void {
  const epc = h.excEpc ?? BigInt.asUintN(64, BigInt(h.pc));
  h.excEpc = null;
  const causeBits = interrupt ? (1n << 63n) | BigInt(cause) : BigInt(cause);
  const delegated = cause < 32 && (((interrupt ? h.mideleg : h.medeleg) >>> cause) & 1) === 1;
  if (h.stopOnTrap && !(h.priv <= 1 && delegated)) {
    // Vectors observe the first trap that would reach M-mode, without entering it; traps
    // delegated to S still run the vector's own handler.
    h.lastTrap = { cause: causeBits, tval, epc };
    h.pcAtStop = epc;
    h.stopReason = 'trap';
    h.kick();
    return;
  }
  h.cycles += EVENT_COST.trapEntry;
  h.reservation = -1;
  h.waiting = false;
  if (h.onTrap !== null) h.onTrap(h, causeBits, tval, epc, h.priv, false);
  let ms = h.mstatus;
  if (h.priv <= 1 && delegated) {
    h.sepc = epc; h.scause = causeBits; h.stval = tval;
    ms = (ms & MS_SIE) ? ms | MS_SPIE : ms & ~MS_SPIE;
    ms &= ~MS_SIE;
    ms = h.priv === 1 ? ms | MS_SPP : ms & ~MS_SPP;
    h.mstatus = ms;
    h.priv = 1;
    h.pc = trapTarget(h.stvec, cause, interrupt);
  } else if (h.priv === 3 && !h.nmiEnabled() && !interrupt) {
    // Smrnmi: an exception in M-mode while NMIE is clear is taken like any M-mode trap (mepc,
    // mcause, mtval, mstatus), except that the pc goes to the RNMI exception vector.
    h.mepc = epc; h.mcause = causeBits; h.mtval = tval;
    ms = (ms & MS_MIE) ? ms | MS_MPIE : ms & ~MS_MPIE;
    ms &= ~MS_MIE;
    ms = (ms & ~MS_MPP) | (3 << MS_MPP_SHIFT);
    h.mstatus = ms;
    h.pc = h.rnmiExceptionVector;
  } else {
    h.mepc = epc; h.mcause = causeBits; h.mtval = tval;
    ms = (ms & MS_MIE) ? ms | MS_MPIE : ms & ~MS_MPIE;
    ms &= ~MS_MIE;
    ms = (ms & ~MS_MPP) | (h.priv << MS_MPP_SHIFT);
    h.mstatus = ms;
    h.priv = 3;
    h.pc = trapTarget(h.mtvec, cause, interrupt);
  }
  h.privChanged();
}

/** Take a pending resumable NMI (Smrnmi): mnepc, mncause, MNPP; NMIE cleared. */
export function takeRnmi(h: Hart): void {
  h.rnmiPending = 0n;
  h.cycles += EVENT_COST.trapEntry;
  h.waiting = false;
  if (h.onTrap !== null) h.onTrap(h, (1n << 63n) | h.rnmiCause, 0n, BigInt.asUintN(64, BigInt(h.pc)), h.priv, true);
  h.mnepc = BigInt.asUintN(64, BigInt(h.pc));
  h.mncause = (1n << 63n) | h.rnmiCause;
  h.mnstatus = (h.mnstatus & ~MNS_MNPP & ~MNS_NMIE) | (h.priv << MNS_MNPP_SHIFT);
  h.priv = 3;
  h.pc = h.rnmiVector;
  h.reservation = -1;
  h.privChanged();
}

// ---- return ------------------------------------------------------------------------------------------
// Each returns false when the instruction is illegal at the current privilege (the caller raises).

/** mret (3.3.2): MIE from MPIE, privilege from MPP; MPRV cleared when leaving M. */
export function mret(h: Hart): boolean {
  if (h.priv !== 3) return false;
  const mpp = (h.mstatus >> MS_MPP_SHIFT) & 3;
  let ms = h.mstatus;
  ms = (ms & MS_MPIE) ? ms | MS_MIE : ms & ~MS_MIE;
  ms = (ms | MS_MPIE) & ~MS_MPP;
  if (mpp !== 3) ms &= ~MS_MPRV;
  h.mstatus = ms;
  h.priv = mpp;
  h.reservation = -1;
  h.jumpTo(h.mepc);
  h.privChanged();
  return true;
}

/** sret (3.3.2): illegal in U, and in S when mstatus.TSR is set. */
export function sret(h: Hart): boolean {
  if (h.priv === 0 || (h.priv === 1 && (h.mstatus & MS_TSR))) return false;
  const spp = (h.mstatus & MS_SPP) ? 1 : 0;
  let ms = h.mstatus;
  ms = (ms & MS_SPIE) ? ms | MS_SIE : ms & ~MS_SIE;
  ms = (ms | MS_SPIE) & ~MS_SPP;
  ms &= ~MS_MPRV; // SPP is never M
  h.mstatus = ms;
  h.priv = spp;
  h.reservation = -1;
  h.jumpTo(h.sepc);
  h.privChanged();
  return true;
}

/** mnret (Smrnmi): NMIE set again, privilege from MNPP. */
export function mnret(h: Hart): boolean {
  if (h.priv !== 3) return false;
  const mnpp = (h.mnstatus & MNS_MNPP) >> MNS_MNPP_SHIFT;
  h.mnstatus |= MNS_NMIE;
  if (mnpp !== 3) h.mstatus &= ~MS_MPRV;
  h.priv = mnpp;
  h.jumpTo(h.mnepc);
  h.privChanged();
  return true;
}
