// Contracts between the bus, the devices and the hart.
//
// A device sees accesses of 1, 2 or 4 bytes at an offset inside its window; the bus splits an
// 8-byte access into two 4-byte ones, low half first (every register on QEMU virt's devices
// that is wider than 32 bits is accessed as two halves by real software anyway, and the CLINT,
// whose mtime and mtimecmp are 64-bit, is written so that the halves compose).
// Values are unsigned 32-bit numbers (0 .. 2^32-1). A device never throws on a guest access:
// unknown offsets read 0 and ignore writes, as QEMU's models do, unless the device's
// specification says otherwise.

export interface MmioDevice {
  /** Name used in the device tree and in diagnostics. */
  readonly name: string;
  readonly base: number;
  readonly size: number;
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

/** Guest-physical memory as devices doing DMA see it (virtio). Reports false for addresses outside RAM. */
export interface DmaMemory {
  readBytes(pa: number, length: number): Uint8Array | null;
  writeBytes(pa: number, data: Uint8Array): boolean;
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
