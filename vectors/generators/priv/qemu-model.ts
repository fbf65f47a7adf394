// QEMU 7.2 as the priv generators see it: where, for a vector about to be generated, QEMU departs
// from the specification so that its outcome is none of the allowed ones. Each such vector is
// tagged `qemu-divergence:KEY` (or `qemu-skip:` where QEMU cannot run it), KEY a section of
// conformance/qemu-divergences.md that quotes the clause. A tag must sit on exactly the vectors
// that diverge: one on a vector QEMU gets right is an XPASS and fails `devirt run --impl qemu`.
// Where QEMU makes a choice the specification allows (conformance/choices.ts), the vectors accept
// it and nothing here tags it. The rules below were measured with `devirt run --impl qemu`.

import type { Priv } from './program';
import { qemuDivergence, qemuSkip } from './program';

// ---- CSRs ------------------------------------------------------------------------------------------

/** mhpmcounter19-31 and hpmcounter19-31: illegal instructions on QEMU 7.2 when read from M. */
const absentOnQemu = (name: string): boolean => { const m = /^m?hpmcounter(\d+)$/.exec(name); return m !== null && Number(m[1]) > 18; };

/**
 * Where QEMU 7.2 and the reference differ on an access to a CSR in its reset state: a read or a
 * csrrs of zero changes nothing and reads the reset value, on which they agree, so only QEMU's
 * missing counters differ, from M (from S and U it follows the counter-enable bits, as the
 * reference does).
 */
export function qemuCsrAccessTags(name: string, priv: Priv): string[] {
  if (/^t(select|data[123])$/.test(name)) return [];
  return priv === 'M' && absentOnQemu(name) ? [qemuDivergence('hpm-counters')] : [];
}

/**
 * QEMU 7.2's medeleg also holds bits 10, 11 and 20-23 (unimplemented-interrupt-bits): a
 * semantics vector diverges only when a value it writes (the value, then the bits it sets; the
 * immediates 0x15 and 0x0a have none of them) holds one.
 */
const QEMU_MEDELEG_EXTRA = 0xf00c00n;
export function qemuCsrSemanticsTags(name: string, v: bigint, set: bigint): string[] {
  if (name === 'medeleg' && ((v | set) & QEMU_MEDELEG_EXTRA) === 0n) return [];
  return qemuCsrTags(name);
}

/** Where QEMU 7.2 legalises or implements a CSR differently (see conformance/qemu-divergences.md). */
function qemuCsrTags(name: string): string[] {
  if (/^t(select|data[123])$/.test(name)) return [qemuSkip('sdtrig: some tdata1 values make QEMU 7.2 abort')];
  // QEMU 7.2 (pmu-num=16) has counters 3..18 and every event selector as writable registers
  // without events, a legal choice (conformance/choices.ts hpm-counters-writable), and makes
  // counters 19..31 illegal from M, which is not.
  if (/^mhpmevent/.test(name)) return [];
  if (absentOnQemu(name)) return [qemuDivergence('hpm-counters')];
  // Smrnmi's CSRs need the smrnmi capability (QEMU 7.2 has no Smrnmi: not a divergence, an absent part).
  const key: Record<string, string> = {
    mepc: 'xepc-bit0', sepc: 'xepc-bit0',
    medeleg: 'unimplemented-interrupt-bits', mideleg: 'unimplemented-interrupt-bits', mie: 'unimplemented-interrupt-bits', mip: 'unimplemented-interrupt-bits',
    mstatus: 'mstatus-fields', sstatus: 'mstatus-fields', mcounteren: 'counteren-width', scounteren: 'counteren-width',
    mcountinhibit: 'mcountinhibit', menvcfg: 'envcfg-bits', senvcfg: 'envcfg-bits',
  };
  if (key[name]) return [qemuDivergence(key[name])];
  if (name.startsWith('pmpaddr')) return [qemuDivergence('pmpaddr-width')];
  if (name.startsWith('pmpcfg')) return [qemuDivergence('pmpcfg-fields')];
  return [];
}

/**
 * csrrs/csrrc with a source register holding zero on a read-only CSR: QEMU 7.2 reads it where the
 * reference raises illegal instruction (csrrs-zero-source), when the privilege allows the access
 * at all (below it both raise illegal instruction) and the CSR exists on QEMU.
 */
export function qemuCsrrsZeroSourceTags(name: string, num: number, priv: Priv): string[] {
  const allowed = { M: 3, S: 1, U: 0 }[priv] >= ((num >> 8) & 3) && !absentOnQemu(name);
  return (num >> 10) === 3 && allowed ? [qemuDivergence('csrrs-zero-source')] : [];
}

// ---- PMP -------------------------------------------------------------------------------------------

/**
 * QEMU 7.2 stores the reserved R=0 W=1 combination (pmpcfg-fields): it then grants the store the
 * reference's entry (R, W, X kept from OFF, or W dropped) denies, and only that store differs:
 * inside the entry, from S or U or under a lock (an unlocked entry does not bind M). Loads and
 * partial matches fail on both; a W-X entry's fetch matches the legal W-dropped outcome
 * (pmpcfg-rw01-clear-w).
 */
export function qemuPmpReservedTags(perm: bigint, kind: string, inside: boolean, priv: Priv, lock: bigint): string[] {
  return (perm & 3n) === 2n && kind === 'store' && inside && (priv !== 'M' || lock !== 0n) ? [qemuDivergence('pmpcfg-fields')] : [];
}

/** An AMO whose access faults (no device, PMP): QEMU 7.2 reports the load fault (amo-fault-cause). */
export const qemuAmoAccessFaultTags = [qemuDivergence('amo-fault-cause')];

// ---- Sv39 ------------------------------------------------------------------------------------------

/**
 * QEMU 7.2 reports an AMO's page fault as a load page fault (amo-fault-cause) when the page fails
 * the read side of the check. A level-0 leaf with V, R and W whose U bit matches the mode (SUM
 * clear) lets the AMO through, A and D being set by the walk (QEMU declares svadu); one with V, R
 * and A but no W faults on the write side, and QEMU reports 15 as the reference does.
 */
export function qemuSv39AmoTags(leaf: { v: boolean; r: boolean; w: boolean; a: boolean; uMatch: boolean }): string[] {
  const passes = leaf.v && leaf.r && leaf.w && leaf.uMatch;
  const writeSideFault = leaf.v && leaf.r && leaf.a && leaf.uMatch;
  return passes || writeSideFault ? [] : [qemuDivergence('amo-fault-cause')];
}
