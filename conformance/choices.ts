// The specification's choices: every place where a rule the suites check leaves an implementation
// more than one legal behaviour, with the text that says so. A vector's alternative outcomes
// (expected.alternatives) name the choices they follow by these ids, so each alternative cites
// its clause through this table; conformance/rules.md lists the same table for readers.
//
// Three kinds of entry:
// - `alternative`: the vectors accept every setting. The reference takes the first (`reference`)
//   and the generators run it under each other setting (`setting`, a switch of
//   reference/machine/choices.ts) to state that outcome exactly in the vector.
// - `capability`: the part is optional; a vector that needs it names the capability in its tags
//   and an implementation without it skips the vector with that reason (harness/capabilities.ts).
// - `platform`: the specification lets the platform decide, and devirt's platform does (see
//   `decision`), so the vectors hold implementations to it.

import type { ChoiceSwitch, HartChoices } from '../reference/machine/choices';

export interface SpecChoice {
  id: string;
  kind: 'alternative' | 'capability' | 'platform';
  /** Specification, version and clause. */
  spec: string;
  /** The specification's words ("..." quoted; otherwise a paraphrase, marked as such). */
  text: string;
  /** What it permits, and what the reference does. */
  permits: string;
  /** For an alternative: the hart switch and the setting that produces it. */
  setting?: { [K in ChoiceSwitch]: { switch: K; value: HartChoices[K] } }[ChoiceSwitch];
  /** For an alternative whose switch makes a value up: registers it lands in may hold any value. */
  anyValue?: boolean;
  /** For a capability: the capability name (harness/capabilities.ts). */
  capability?: string;
  /** A capability whose declaration rules this alternative out (the implementation promised the other side). */
  excludedBy?: string;
  /** For a platform decision: what devirt's platform requires. */
  decision?: string;
}

const PRIV = 'riscv-privileged 20211203 (1.12)';
const UNPRIV = 'riscv-unprivileged 20191213';

export const CHOICES: readonly SpecChoice[] = [
  {
    id: 'breakpoint-tval-pc', kind: 'alternative', spec: `${PRIV} 3.1.16 Machine Trap Value Register`,
    text: '"When a trap is taken into M-mode, mtval is either set to zero or written with exception-specific information" ... "If mtval is written with a nonzero value when a breakpoint, address-misaligned, access-fault, or page-fault exception occurs on an instruction fetch, load, or store, then mtval will contain the faulting virtual address."',
    permits: 'EBREAK/C.EBREAK: tval 0 (reference) or the address of the instruction. RVA20S64 (riscv-profiles 1.0) exempts EBREAK from its informative-tval rule, so the platform leaves it open.',
    setting: { switch: 'breakpointTval', value: 'pc' },
  },
  {
    id: 'illegal-instruction-tval-zero', kind: 'alternative', spec: `${PRIV} 3.1.16 Machine Trap Value Register`,
    text: '"The hardware platform will specify which exceptions must set mtval informatively and which may unconditionally set it to zero." ... "If mtval is written with a nonzero value when an illegal-instruction exception occurs, then mtval will contain the shortest of: the actual faulting instruction, the first ILEN bits of the faulting instruction, the first XLEN bits of the faulting instruction."',
    permits: 'An illegal instruction: tval = the instruction bits (reference, as QEMU and as RVA20S64 asks) or 0. No other value: 16 bits for a compressed encoding, 32 for a 32-bit one (harness/mutation: a tval of the pc is a bug).',
    setting: { switch: 'illegalTval', value: 'zero' },
  },
  {
    id: 'misaligned-address-trap', kind: 'alternative', spec: `${UNPRIV} 2.6 Load and Store Instructions`,
    text: '"Loads and stores where the effective address is not naturally aligned to the referenced datatype ... have behavior dependent on the EEI." ... "loads and stores that are not naturally aligned may either complete execution successfully or raise an exception. The exception raised can be either an address-misaligned exception or an access-fault exception."',
    permits: 'A misaligned load or store is performed (reference), or raises address-misaligned (4 load, 6 store) with tval = the address, leaving registers and memory as before the instruction. Zicclsm (RVA22) makes performing mandatory: an implementation declaring zicclsm is held to the performed outcome.',
    setting: { switch: 'misaligned', value: 'address-misaligned' }, excludedBy: 'zicclsm',
  },
  {
    id: 'misaligned-access-fault', kind: 'alternative', spec: `${UNPRIV} 2.6 Load and Store Instructions`,
    text: '(as misaligned-address-trap) "The exception raised can be either an address-misaligned exception or an access-fault exception."',
    permits: 'A misaligned load or store raises an access fault (5 load, 7 store) with tval = the address.',
    setting: { switch: 'misaligned', value: 'access-fault' }, excludedBy: 'zicclsm',
  },
  {
    id: 'atomic-misaligned-access-fault', kind: 'alternative', spec: `${UNPRIV} 8.2 and 8.4 (LR/SC, AMOs)`,
    text: '"If the address is not naturally aligned, an address-misaligned exception or an access-fault exception will be generated."',
    permits: 'A misaligned LR raises 4 (reference) or 5; a misaligned SC or AMO raises 6 (reference) or 7; tval = the address.',
    setting: { switch: 'atomicMisaligned', value: 'access-fault' },
  },
  {
    id: 'xtvec-reserved-mode-clear', kind: 'alternative', spec: `${PRIV} 3.1.7 Machine Trap-Vector Base-Address Register (mtvec); 4.1.2 stvec`,
    text: '"The mtvec register is an MXLEN-bit WARL read/write register" ... MODE values >= 2 are "Reserved".',
    permits: 'A write whose MODE is 2 or 3: ignored as a whole (reference), or legalised by clearing MODE bit 1 (BASE written, MODE 0 or 1). Any legalisation to a legal value is allowed; these two are the ones implementations are known to make.',
    setting: { switch: 'xtvecReservedMode', value: 'clear-mode-bit1' },
  },
  {
    id: 'fs-writable-without-f', kind: 'alternative', spec: `${PRIV} 3.1.6.6 Extension Context Status in mstatus Register`,
    text: '(paraphrase) if neither the F extension nor S-mode is implemented, FS is read-only zero; with S-mode but without F, FS may optionally be writable, so that S-mode can emulate F.',
    permits: 'Without F: mstatus.FS/sstatus.FS read-only zero (reference) or writable; when writable, SD reads 1 while FS = 3 (Dirty).',
    setting: { switch: 'fsWithoutF', value: 'writable' },
  },
  {
    id: 'pmpcfg-rw01-clear-w', kind: 'alternative', spec: `${PRIV} 3.7.1 Physical Memory Protection CSRs`,
    text: '"The R, W, and X fields form a collective WARL field for which the combinations with R=0 and W=1 are reserved."',
    permits: 'A pmpcfg byte written with R=0, W=1: the entry keeps its previous R/W/X (reference) or W is dropped (R=0, W=0, X as written). Keeping the reserved combination is not legal (see qemu-divergences.md pmpcfg-fields).',
    setting: { switch: 'pmpcfgWriteOnly', value: 'clear-w' },
  },
  {
    id: 'pmp-64-csrs', kind: 'alternative', spec: `${PRIV} 3.7.1 Physical Memory Protection CSRs`,
    text: '"Up to 64 PMP entries are supported. Implementations may implement zero, 16, or 64 PMP entries; the lowest-numbered PMP entries must be implemented first. All PMP CSR fields are WARL and may be read-only zero."',
    permits: 'With 16 entries (reference) pmpcfg4..14 and pmpaddr16..63 do not exist (illegal instruction); with 64 entries of which 16 are usable, they exist and read zero.',
    setting: { switch: 'pmpCsrs', value: 64 },
  },
  {
    id: 'ad-page-fault', kind: 'alternative', spec: `${PRIV} 4.3.1 Addressing and Memory Protection; 4.3.2 step 7`,
    text: '"Two schemes to manage the A and D bits are permitted" ... (paraphrase) either a page fault is raised when A is clear, or D is clear on a store, or the hardware sets them atomically during the walk.',
    permits: 'A leaf PTE with A clear (or D clear on a store): the walk sets the bits (reference, Svadu-style) or raises the access\'s page fault (Svade). An implementation declaring svadu is held to the hardware update.',
    setting: { switch: 'adUpdate', value: 'page-fault' }, excludedBy: 'svadu',
  },
  {
    id: 'mpp-reserved-user', kind: 'alternative', spec: `${PRIV} 3.1.6.1 Privilege and Global Interrupt-Enable Stack; 2.3 WARL`,
    text: '"MPP is a WARL field" ... (2.3, paraphrase) a WARL field written with an illegal value may read back any legal value.',
    permits: 'mstatus.MPP written with the reserved 2: keeps its previous mode (reference), or reads U (as QEMU 7.2).',
    setting: { switch: 'mppReserved', value: 'user' },
  },
  {
    id: 'mpp-reserved-machine', kind: 'alternative', spec: `${PRIV} 3.1.6.1; 2.3 WARL`,
    text: '(as mpp-reserved-user)', permits: 'mstatus.MPP written with 2 reads M.',
    setting: { switch: 'mppReserved', value: 'machine' },
  },
  {
    id: 'wfi-completes-when-pending', kind: 'alternative', spec: `${PRIV} 3.1.6.5 Virtualization Support in mstatus (TW); 3.3.3 WFI`,
    text: '"When TW=1, then if WFI is executed in any less-privileged mode, and it does not complete within an implementation-specific, bounded time limit, the WFI instruction causes an illegal instruction exception."',
    permits: 'WFI in S with TW=1 (or in U) while a wake-up is already pending: an illegal-instruction trap at once (reference, a time limit of 0) or completion.',
    setting: { switch: 'wfiTimeout', value: 'complete-when-pending' },
  },
  {
    id: 'hpm-counters-writable', kind: 'alternative', spec: `${PRIV} 3.1.10 Hardware Performance Monitor`,
    text: '"The hardware performance monitor includes 29 additional 64-bit event counters, mhpmcounter3-mhpmcounter31. The event selector CSRs, mhpmevent3-mhpmevent31, are 64-bit WARL registers that control which event causes the corresponding counter to increment." ... "A legal implementation is to make both the counter and its corresponding event selector be read-only 0."',
    permits: 'mhpmcounter3-31 and mhpmevent3-31 (and hpmcounter3-31, which read them): read-only zero (reference), or writable registers that hold what is written, with no event that counts. (Making some of them illegal instructions is not allowed: they exist in every case.)',
    setting: { switch: 'hpmCounters', value: 'writable' },
  },
  {
    id: 'mcountinhibit-writable', kind: 'alternative', spec: `${PRIV} 3.1.13 Machine Counter-Inhibit CSR (mcountinhibit)`,
    text: '"The counter-inhibit register mcountinhibit is a 32-bit WARL register that controls which of the hardware performance-monitoring counters increment." ... "If the mcountinhibit register is not implemented, the implementation behaves as though the register were set to zero."',
    permits: 'mcountinhibit read-only zero (reference), or CY, IR and HPM3-31 writable (bit 1 and bits 63:32 read zero), a set CY or IR holding mcycle or minstret still.',
    setting: { switch: 'mcountinhibit', value: 'writable' },
  },
  {
    id: 'counteren-hpm-read-only-zero', kind: 'alternative', spec: `${PRIV} 3.1.12 Machine Counter-Enable Register (mcounteren); 4.1.5 scounteren`,
    text: '"In systems with U-mode, the mcounteren must be implemented, but all fields are WARL and may be read-only zero, indicating reads to the corresponding counter will cause an illegal instruction exception when executing in a less-privileged mode."',
    permits: 'mcounteren/scounteren bits 3-31: writable (reference) or read-only zero (the hpm counters then illegal below M). Bits 63:32 read zero either way (the registers have 32 bits).',
    setting: { switch: 'counterenHpm', value: 'read-only-zero' },
  },
  {
    id: 'zicntr', kind: 'capability', capability: 'zicntr', spec: `${UNPRIV} ch.10 "Zicntr"; ${PRIV} 3.1.11`,
    text: '(paraphrase) the base counters cycle, time and instret form the Zicntr extension; mcycle and minstret are machine registers every hart has.',
    permits: 'Vectors that read cycle, time or instret need zicntr; without it they are skipped.',
  },
  {
    id: 'zihpm', kind: 'capability', capability: 'zihpm', spec: `${UNPRIV} ch.10 "Zihpm"; ${PRIV} 3.1.10`,
    text: '"All counters should be implemented, but a legal implementation is to make both the counter and its corresponding event selector be read-only 0." (mhpmcounter3-31, mhpmevent3-31 exist in every case.)',
    permits: 'Vectors that read hpmcounter3-31 need zihpm; the machine-level mhpmcounter/mhpmevent exist in every case (read-only zero or writable: hpm-counters-writable).',
  },
  {
    id: 'sstc', kind: 'capability', capability: 'sstc', spec: 'Sstc 1.0', text: '(paraphrase) stimecmp and menvcfg.STCE exist only with Sstc.',
    permits: 'Vectors that use stimecmp need sstc.',
  },
  {
    id: 'smrnmi', kind: 'capability', capability: 'smrnmi', spec: 'Smrnmi (riscv-isa-manual, resumable NMI)', text: '(paraphrase) mnscratch, mnepc, mncause, mnstatus and MNRET exist only with Smrnmi.',
    permits: 'Vectors that use them need smrnmi.',
  },
  {
    id: 'identity-values', kind: 'alternative', spec: `${PRIV} 3.1.2-3.1.5 mvendorid, marchid, mimpid; 3.1.17 mconfigptr`,
    text: '(paraphrase) each may read 0 to say it is not implemented; otherwise it holds the implementation\'s own identification value.',
    permits: 'Reading mvendorid, marchid, mimpid or mconfigptr: 0 (reference) or any value, so the register the read lands in is unconstrained.',
    setting: { switch: 'identityValues', value: 'implementation-defined' }, anyValue: true,
  },
  {
    id: 'satp-sv48-sv57', kind: 'alternative', spec: `${PRIV} 4.1.11 Supervisor Address Translation and Protection (satp) Register`,
    text: '"Implementations are not required to support all MODE settings, and if satp is written with an unsupported MODE, the entire write has no effect; no fields in satp are modified."',
    permits: 'A satp write with MODE 9 (Sv48) or 10 (Sv57): no effect on a hart with Bare and Sv39 only (reference), or held by one that implements those modes (QEMU 7.2). (The vectors translate with Sv39 only.)',
    setting: { switch: 'satpModes', value: 'sv39-sv48-sv57' },
  },
  {
    id: 'sdtrig-tinfo', kind: 'alternative', spec: 'RISC-V Debug Specification 0.13.2 5.2 (tinfo, CSR 0x7a4)',
    text: '(paraphrase) the trigger CSRs, tinfo among them, are optional; a hart that has no triggers may leave tinfo out.',
    permits: 'Reading CSR 0x7a4: illegal instruction (reference: no tinfo) or a value of the implementation\'s own (QEMU 7.2 implements Sdtrig with tinfo); the register read into is unconstrained.',
    setting: { switch: 'tinfo', value: 'present' }, anyValue: true,
  },
  {
    id: 'misa-c-writable', kind: 'alternative', spec: `${PRIV} 3.1.1 Machine ISA Register (misa)`,
    text: '"The misa CSR is a WARL read-write register" ... "If an instruction that would write misa increases IALIGN, and the subsequent instruction\'s address is not IALIGN-bit aligned, the write to misa is suppressed, leaving misa unchanged."',
    permits: 'misa read-only (reference) or with C writable: clearing C makes 16-bit encodings illegal until it is set again.',
    setting: { switch: 'misaC', value: 'writable' },
  },
  {
    id: 'fault-tval', kind: 'platform', spec: `${PRIV} 3.1.16`,
    text: '(as illegal-instruction-tval-zero) "The hardware platform will specify which exceptions must set mtval informatively and which may unconditionally set it to zero."',
    permits: 'Address-misaligned, access-fault and page-fault exceptions may set tval to 0 or the faulting address, as the platform says.',
    decision: 'devirt\'s platform, as RVA20S64, requires the faulting virtual address (harness/mutation: access-fault-tval is a bug here).',
  },
  {
    id: 'pmp-granularity', kind: 'capability', capability: 'pmp-g0', spec: `${PRIV} 3.7.1`,
    text: '"The granularity of PMP access control is platform-specific and within a platform may vary by physical memory region, but the standard PMP encoding supports regions as small as four bytes." ... "If G ≥ 1, the NA4 mode is not selectable."',
    permits: 'G >= 0, and pmpaddr holds as many physical address bits as the hart has (the fields are WARL). devirt\'s platform has G = 0 (4-byte granules) and pmpaddr holding physical address bits 55:2; vectors whose outcome depends on either (NA4 entries, PMP CSRs read back) need pmp-g0, and an implementation with coarser granules or fewer address bits skips them.',
  },
  {
    id: 'pmp-entries', kind: 'capability', capability: 'pmp16', spec: `${PRIV} 3.7.1`,
    text: '"Implementations may implement zero, 16, or 64 PMP entries; the lowest-numbered PMP entries must be implemented first. All PMP CSR fields are WARL and may be read-only zero."',
    permits: 'devirt\'s platform has 16 usable entries; vectors that use entries 8-15 (pmpcfg2, pmpaddr8-15) need pmp16, and an implementation with fewer usable entries skips them.',
  },
];

/** The choices an implementation's capabilities rule out (it promised the other side). */
export function excludedChoices(capabilities: ReadonlySet<string>): Set<string> {
  return new Set(CHOICES.filter((c) => c.excludedBy !== undefined && capabilities.has(c.excludedBy)).map((c) => c.id));
}

export const CHOICE_BY_ID: ReadonlyMap<string, SpecChoice> = new Map(CHOICES.map((c) => [c.id, c]));

/** The alternative choices, by the switch setting that produces them. */
export function choiceFor(sw: ChoiceSwitch, value: unknown): SpecChoice | undefined {
  return CHOICES.find((c) => c.setting?.switch === sw && c.setting.value === value);
}
