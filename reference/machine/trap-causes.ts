// Exception and interrupt codes of the privileged specification (1.12, table 3.6).

export const enum Exc {
  InsnMisaligned = 0,
  InsnAccessFault = 1,
  IllegalInsn = 2,
  Breakpoint = 3,
  LoadMisaligned = 4,
  LoadAccessFault = 5,
  StoreMisaligned = 6,
  StoreAccessFault = 7,
  EcallU = 8,
  EcallS = 9,
  EcallM = 11,
  InsnPageFault = 12,
  LoadPageFault = 13,
  StorePageFault = 15,
}

export const enum Irq {
  SSI = 1,
  MSI = 3,
  STI = 5,
  MTI = 7,
  SEI = 9,
  MEI = 11,
  /** Platform interrupt of the management doorbell (platform-defined range 16..63). */
  DOORBELL = 16,
}

/** Access kinds, used to pick a translation-cache set and the fault cause. */
export const enum Access { Fetch = 0, Load = 1, Store = 2 }

export const EXCEPTION_NAMES: Record<number, string> = {
  0: 'instruction address misaligned', 1: 'instruction access fault', 2: 'illegal instruction',
  3: 'breakpoint', 4: 'load address misaligned', 5: 'load access fault',
  6: 'store/AMO address misaligned', 7: 'store/AMO access fault', 8: 'environment call from U-mode',
  9: 'environment call from S-mode', 11: 'environment call from M-mode', 12: 'instruction page fault',
  13: 'load page fault', 15: 'store/AMO page fault',
};

export const INTERRUPT_NAMES: Record<number, string> = {
  1: 'supervisor software', 3: 'machine software', 5: 'supervisor timer', 7: 'machine timer',
  9: 'supervisor external', 11: 'machine external', 16: 'doorbell',
};
