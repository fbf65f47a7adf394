// The devirt management doorbell (devirt's own device, not on QEMU): how the outside world asks
// the Microvisor for maintenance. Registers (32-bit, conformance/platform.md):
//   0x0 RING  (W)  a nonzero value rings with that cause; reads 0
//   0x4 CAUSE (R)  the cause of the last ring, 0 once acknowledged
//   0x8 ACK   (W)  any write clears CAUSE and lowers the interrupt line
//   0xc MODE  (RW) bit 0: 0 = a ring raises the machine-level doorbell interrupt line (mip bit 16),
//                  1 = a ring raises a resumable NMI (Smrnmi) with mncause = the cause
//   0x10 ARG0, 0x18 ARG1, 0x20 ARG2 (RW, 64-bit as two 32-bit halves) the arguments of a maintenance
//                  cause (conformance/maintenance-sbi.md: create, start, hand over, retire)
//   0x28 CONSOLE1 (W) the low byte is one byte of instance 1's console (the firmware's DBCN for it)
//   0x30 RESULT (RW, 64-bit) the SBI error of the last action, written by the firmware
// The harness rings it from outside with `machine.doorbell.ring(cause, args)`.

import { HartPins, MmioDevice } from '../device';
import { DOORBELL_BASE, DOORBELL_SIZE } from './memory-map';

export const DOORBELL_RING = 0x0, DOORBELL_CAUSE = 0x4, DOORBELL_ACK = 0x8, DOORBELL_MODE = 0xc;
export const DOORBELL_MODE_IRQ = 0, DOORBELL_MODE_RNMI = 1;
export const DOORBELL_ARG0 = 0x10, DOORBELL_ARG1 = 0x18, DOORBELL_ARG2 = 0x20, DOORBELL_CONSOLE1 = 0x28, DOORBELL_RESULT = 0x30;
/** RESULT before the firmware has answered anything: an impossible SBI error, so a host can tell. */
export const DOORBELL_RESULT_NONE = 0xffffffffffffff00n;

export class Doorbell implements MmioDevice {
  readonly name = 'doorbell';
  readonly base = DOORBELL_BASE;
  readonly size = DOORBELL_SIZE;
  readonly minWidth = 4;
  private cause = 0;
  private mode = DOORBELL_MODE_IRQ;
  /** ARG0..ARG2 and RESULT, as 64-bit values. */
  readonly args: bigint[] = [0n, 0n, 0n];
  result = DOORBELL_RESULT_NONE;
  /** Where instance 1's console bytes go (CONSOLE1); the machine collects them by default. */
  onConsole1: ((byte: number) => void) | null = null;

  constructor(private readonly pins: HartPins, private readonly raise: (level: boolean) => void) {}

  reset(): void {
    this.cause = 0; this.mode = DOORBELL_MODE_IRQ; this.raise(false);
    this.args.fill(0n); this.result = DOORBELL_RESULT_NONE;
  }

  /** Ring from outside the guest (the harness) or from a RING write; `args` fill ARG0.. first. */
  ring(cause: number, args: readonly bigint[] = []): void {
    args.slice(0, 3).forEach((v, i) => { this.args[i] = BigInt.asUintN(64, v); });
    this.cause = cause >>> 0;
    if (this.mode === DOORBELL_MODE_RNMI) this.pins.raiseRnmi?.(this.cause);
    else this.raise(true);
  }

  /** The 64-bit register at `off` (ARG0..2, RESULT), or null. */
  private wide(off: number): { get: () => bigint; set: (v: bigint) => void } | null {
    const base = off & ~7;
    if (base >= DOORBELL_ARG0 && base <= DOORBELL_ARG2) {
      const i = (base - DOORBELL_ARG0) / 8;
      return { get: () => this.args[i], set: (v) => { this.args[i] = v; } };
    }
    if (base === DOORBELL_RESULT) return { get: () => this.result, set: (v) => { this.result = v; } };
    return null;
  }

  read(off: number, _width: 1 | 2 | 4 = 4): number {
    if (off === DOORBELL_CAUSE) return this.cause;
    if (off === DOORBELL_MODE) return this.mode;
    const w = this.wide(off);
    if (w) return Number((w.get() >> BigInt((off & 4) * 8)) & 0xffffffffn);
    return 0;
  }

  write(off: number, _w: 1 | 2 | 4, value: number): void {
    if (off === DOORBELL_RING) { if (value !== 0) this.ring(value); }
    else if (off === DOORBELL_ACK) { this.cause = 0; this.raise(false); }
    else if (off === DOORBELL_MODE) this.mode = value & 1;
    else if (off === DOORBELL_CONSOLE1) this.onConsole1?.(value & 0xff);
    else {
      const w = this.wide(off);
      if (!w) return;
      const shift = BigInt((off & 4) * 8);
      const mask = 0xffffffffn << shift;
      w.set((w.get() & ~mask) | ((BigInt(value >>> 0) << shift) & mask));
    }
  }
}
