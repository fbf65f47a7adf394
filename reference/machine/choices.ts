// Where the RISC-V specifications leave an implementation a choice, which one this hart makes.
// The defaults are the reference's own choices (the vectors' primary expectation); the other
// settings exist so that the generators can compute every other legal outcome exactly (by running
// the reference under each) and so that the legal-alternative adapters (harness/alternatives) can
// show those outcomes pass. conformance/choices.ts cites the specification's text for each.

export interface HartChoices {
  /** mtval on a breakpoint from EBREAK/C.EBREAK: 0 or the instruction's address. */
  breakpointTval: 'zero' | 'pc';
  /** mtval on an illegal instruction: the instruction's bits, or 0. */
  illegalTval: 'bits' | 'zero';
  /** A misaligned load or store: performed, or a trap (address-misaligned, or access-fault). */
  misaligned: 'perform' | 'address-misaligned' | 'access-fault';
  /** A misaligned LR/SC/AMO: always a trap, address-misaligned or access-fault. */
  atomicMisaligned: 'address-misaligned' | 'access-fault';
  /** mtvec/stvec written with a reserved MODE (2, 3): the write is ignored, or MODE bit 1 is dropped. */
  xtvecReservedMode: 'ignore-write' | 'clear-mode-bit1';
  /** mstatus.FS/sstatus.FS without F: read-only zero, or writable (SD then summarises FS = 3). */
  fsWithoutF: 'read-only-zero' | 'writable';
  /** pmpcfg with the reserved R=0, W=1: the entry keeps its previous R/W/X, or W is dropped. */
  pmpcfgWriteOnly: 'keep-previous' | 'clear-w';
  /** How many PMP CSRs exist: 16 entries (pmpaddr16-63 absent), or 64 (16-63 read-only zero). */
  pmpCsrs: 16 | 64;
  /** Sv39 A/D bits: set by the walk in hardware (Svadu-style), or a page fault (Svade). */
  adUpdate: 'hardware' | 'page-fault';
  /** mstatus.MPP written with the reserved 2: keeps the previous mode, or becomes U or M. */
  mppReserved: 'keep-previous' | 'user' | 'machine';
  /** WFI in S/U with TW (or in U): traps at once, or completes when a wake-up is already pending. */
  wfiTimeout: 'trap-at-once' | 'complete-when-pending';
  /** mvendorid, marchid, mimpid, mconfigptr: 0, or values of the implementation's own. */
  identityValues: 'zero' | 'implementation-defined';
  /** satp MODEs implemented: Bare and Sv39, or also Sv48 and Sv57 (a write of those then holds). */
  satpModes: 'sv39' | 'sv39-sv48-sv57';
  /** The Sdtrig tinfo CSR (0x7a4): absent (illegal), or present with a value of its own. */
  tinfo: 'absent' | 'present';
  /** misa.C: read-only, or writable (clearing it makes 16-bit encodings illegal). */
  misaC: 'read-only' | 'writable';
  /** Zicntr and Zihpm (cycle, time, instret, hpmcounter3-31): present, or absent (illegal). */
  userCounters: 'present' | 'absent';
  /** mhpmcounter3-31 and mhpmevent3-31: read-only zero, or writable with no event that counts. */
  hpmCounters: 'read-only-zero' | 'writable';
  /** mcountinhibit: read-only zero (nothing inhibited), or writable CY, IR and HPM3-31 (bits 0, 2-31). */
  mcountinhibit: 'read-only-zero' | 'writable';
  /** mcounteren/scounteren bits of counters that are read-only zero: writable, or read-only zero too. */
  counterenHpm: 'writable' | 'read-only-zero';
}

export const REFERENCE_CHOICES: Readonly<HartChoices> = Object.freeze({
  breakpointTval: 'zero',
  illegalTval: 'bits',
  misaligned: 'perform',
  atomicMisaligned: 'address-misaligned',
  xtvecReservedMode: 'ignore-write',
  fsWithoutF: 'read-only-zero',
  pmpcfgWriteOnly: 'keep-previous',
  pmpCsrs: 16,
  adUpdate: 'hardware',
  mppReserved: 'keep-previous',
  wfiTimeout: 'trap-at-once',
  identityValues: 'zero',
  satpModes: 'sv39',
  tinfo: 'absent',
  misaC: 'read-only',
  userCounters: 'present',
  hpmCounters: 'read-only-zero',
  mcountinhibit: 'read-only-zero',
  counterenHpm: 'writable',
});

/** The settings each switch can take, the reference's first. */
export const CHOICE_SETTINGS: { readonly [K in keyof HartChoices]: readonly HartChoices[K][] } = {
  breakpointTval: ['zero', 'pc'],
  illegalTval: ['bits', 'zero'],
  misaligned: ['perform', 'address-misaligned', 'access-fault'],
  atomicMisaligned: ['address-misaligned', 'access-fault'],
  xtvecReservedMode: ['ignore-write', 'clear-mode-bit1'],
  fsWithoutF: ['read-only-zero', 'writable'],
  pmpcfgWriteOnly: ['keep-previous', 'clear-w'],
  pmpCsrs: [16, 64],
  adUpdate: ['hardware', 'page-fault'],
  mppReserved: ['keep-previous', 'user', 'machine'],
  wfiTimeout: ['trap-at-once', 'complete-when-pending'],
  identityValues: ['zero', 'implementation-defined'],
  satpModes: ['sv39', 'sv39-sv48-sv57'],
  tinfo: ['absent', 'present'],
  misaC: ['read-only', 'writable'],
  userCounters: ['present', 'absent'],
  hpmCounters: ['read-only-zero', 'writable'],
  mcountinhibit: ['read-only-zero', 'writable'],
  counterenHpm: ['writable', 'read-only-zero'],
};

export type ChoiceSwitch = keyof HartChoices;
