// Contracts between the bus, the devices and the hart.
//
// A device sees accesses of 1, 2 or 4 bytes at an offset inside its window. An 8-byte access
// reaches it as two 4-byte ones, low half first (the CLINT's 64-bit mtime and mtimecmp are
// written so that the halves compose), unless the device's maxWidth is 4: then it faults, as on
// QEMU. Accesses narrower than minWidth fault too. Values are unsigned 32-bit numbers. A device
// never throws on a guest access: unknown offsets read 0 and ignore writes, as QEMU's models do,
// unless the device's specification says otherwise.

export interface MmioDevice {
  /** Name used in the device tree and in diagnostics. */
  readonly name: string;
  readonly base: number;
  readonly size: number;
  /**
   * Narrowest access the device answers (QEMU's valid.min_access_size): a narrower one is an
   * access fault, as on QEMU. Default 1.
   */
  readonly minWidth?: 1 | 2 | 4;
  /** Widest access (QEMU's valid.max_access_size): 4 makes 8-byte accesses fault. Default 8. */
  readonly maxWidth?: 4 | 8;
  read(offset: number, width: 1 | 2 | 4): number;
  write(offset: number, width: 1 | 2 | 4, value: number): void;
  /** Return to the power-on state (called by the machine on reset). */
  reset?(): void;
}

/** A level-triggered interrupt input, e.g. a PLIC source. */
export interface IrqLine {
  set(level: boolean): void;
}

/** The wires from the platform's interrupt controllers into one hart (mip hardware bits). */
export interface HartPins {
  setMeip(level: boolean): void;
  setSeip(level: boolean): void;
  setMsip(level: boolean): void;
  /** mtimecmp changed: the hart recomputes MTIP and its next timer deadline. */
  timerChanged(): void;
  /** Raise a resumable NMI (Smrnmi) on the hart; used by the management doorbell. */
  raiseRnmi?(cause: number): void;
}

/**
 * Guest-physical memory as devices doing DMA see it (virtio). Reports null/false for addresses
 * outside RAM, and throws DmaDenied when the platform's IOPMP refuses the access (nothing is read
 * or written then): a device that gets it stops as its specification says for a bus error.
 */
export interface DmaMemory {
  readBytes(pa: number, length: number): Uint8Array | null;
  writeBytes(pa: number, data: Uint8Array): boolean;
}

/** A DMA access the IOPMP refused (devices/iopmp.ts); `etype` is the IOPMP's error type. */
export class DmaDenied extends Error {
  constructor(readonly pa: number, readonly length: number, readonly write: boolean, readonly etype: number) {
    super(`IOPMP denied a ${length}-byte DMA ${write ? 'write' : 'read'} at 0x${pa.toString(16)} (error type ${etype})`);
  }
}

/** The machine's notion of time: mtime in ticks of the 10 MHz timebase, derived from cycles. */
export interface TimeSource {
  mtime(): number;
}

/** The bytes of a 32-bit register that a 1-, 2- or 4-byte read at `off` sees (little-endian). */
export function readSubword(word: number, off: number, width: 1 | 2 | 4): number {
  if (width === 4) return word >>> 0;
  const shift = (off & 3) * 8;
  return (word >>> shift) & (width === 1 ? 0xff : 0xffff);
}

/** A 32-bit register after a 1-, 2- or 4-byte write of `value` at `off`. */
export function mergeSubword(old: number, off: number, width: 1 | 2 | 4, value: number): number {
  if (width === 4) return value >>> 0;
  const shift = (off & 3) * 8, mask = (width === 1 ? 0xff : 0xffff) << shift;
  return ((old & ~mask) | ((value << shift) & mask)) >>> 0;
}

/** A one-shot timer in mtime ticks that the machine fires between instructions. */
export interface DeviceTimer {
  /** Fire at mtime `at` (or at once if already past); replaces any earlier setting. */
  set(at: number): void;
  cancel(): void;
}
