// Legal alternatives: the reference with its choices switched to the other legal settings, one
// implementation per alternative. Each is an implementation a third party could legally build, so
// each must pass the isa and priv suites (test/harness/alternatives.test.ts), while the negative
// controls and the mutants (harness/controls, harness/mutation), which break the specification,
// must still fail. Run one with `node dist/harness/alternatives/adapter.js NAME`.

import type { HartChoices } from '../../reference/machine/choices';
import { REFERENCE_CAPABILITIES } from '../capabilities';

export interface LegalAlternative {
  name: string;
  /** What it does differently, in the specification's terms. */
  behaviour: string;
  /** The hart's settings (reference/machine/choices.ts); the rest stay the reference's. */
  choices: Partial<HartChoices>;
  /** conformance/choices.ts ids it covers. */
  covers: string[];
  /** Capabilities it does not declare (an absent optional part, a promise it does not make). */
  without: string[];
}

export const LEGAL_ALTERNATIVES: LegalAlternative[] = [
  { name: 'ebreak-tval-pc', behaviour: 'EBREAK writes its own address to mtval', choices: { breakpointTval: 'pc' }, covers: ['breakpoint-tval-pc'], without: [] },
  { name: 'misaligned-traps', behaviour: 'misaligned loads and stores raise address-misaligned (no Zicclsm)', choices: { misaligned: 'address-misaligned' }, covers: ['misaligned-address-trap'], without: ['zicclsm'] },
  { name: 'misaligned-access-faults', behaviour: 'misaligned loads and stores, LR/SC and AMOs raise access faults', choices: { misaligned: 'access-fault', atomicMisaligned: 'access-fault' }, covers: ['misaligned-access-fault', 'atomic-misaligned-access-fault'], without: ['zicclsm'] },
  {
    name: 'warl-variants', behaviour: 'reserved mtvec/stvec MODE writes drop MODE bit 1; FS writable without F; pmpcfg R=0,W=1 drops W; 64 PMP CSRs (16-63 read-only zero); MPP written 2 reads U; made-up mvendorid/marchid/mimpid/mconfigptr; satp holds Sv48/Sv57; tinfo present; misa.C writable',
    choices: { xtvecReservedMode: 'clear-mode-bit1', fsWithoutF: 'writable', pmpcfgWriteOnly: 'clear-w', pmpCsrs: 64, mppReserved: 'user', identityValues: 'implementation-defined', satpModes: 'sv39-sv48-sv57', tinfo: 'present', misaC: 'writable' },
    covers: ['xtvec-reserved-mode-clear', 'fs-writable-without-f', 'pmpcfg-rw01-clear-w', 'pmp-64-csrs', 'mpp-reserved-user', 'identity-values', 'satp-sv48-sv57', 'sdtrig-tinfo', 'misa-c-writable'], without: [],
  },
  { name: 'illegal-tval-zero', behaviour: 'an illegal instruction leaves mtval 0', choices: { illegalTval: 'zero' }, covers: ['illegal-instruction-tval-zero'], without: [] },
  {
    name: 'counter-variants', behaviour: 'mhpmcounter3-31/mhpmevent3-31 writable with no events; mcountinhibit implemented (CY, IR, HPM3-31); mcounteren/scounteren hpm bits read-only zero',
    choices: { hpmCounters: 'writable', mcountinhibit: 'writable', counterenHpm: 'read-only-zero' },
    covers: ['hpm-counters-writable', 'mcountinhibit-writable', 'counteren-hpm-read-only-zero'], without: [],
  },
  { name: 'mpp-reserved-machine', behaviour: 'MPP written 2 reads M', choices: { mppReserved: 'machine' }, covers: ['mpp-reserved-machine'], without: [] },
  { name: 'svade', behaviour: 'a clear A or D bit raises a page fault instead of being set by the walk (Svade, no Svadu)', choices: { adUpdate: 'page-fault' }, covers: ['ad-page-fault'], without: ['svadu'] },
  { name: 'wfi-waits', behaviour: 'WFI under TW completes when a wake-up is already pending', choices: { wfiTimeout: 'complete-when-pending' }, covers: ['wfi-completes-when-pending'], without: [] },
  { name: 'no-counters', behaviour: 'no Zicntr, no Zihpm: cycle, time, instret and hpmcounter3-31 are illegal', choices: { userCounters: 'absent' }, covers: ['zicntr', 'zihpm'], without: ['zicntr', 'zihpm'] },
];

export function capabilitiesOf(a: LegalAlternative): string[] {
  // State vectors only (image vectors boot the firmware, whose choices are the reference's).
  return REFERENCE_CAPABILITIES.filter((c) => !a.without.includes(c) && c !== 'step' && c !== 'image');
}
