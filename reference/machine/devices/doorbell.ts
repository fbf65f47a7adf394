// The devirt management doorbell (devirt's own device, not on QEMU): how the outside world asks
// the Microvisor for maintenance. Registers (32-bit, conformance/platform.md):
//   0x0 RING  (W)  a nonzero value rings with that cause; reads 0
//   0x4 CAUSE (R)  the cause of the last ring, 0 once acknowledged
//   0x8 ACK   (W)  any write clears CAUSE and lowers the interrupt line
//   0xc MODE  (RW) bit 0: 0 = a ring raises the machine-level doorbell interrupt line (mip bit 16),
//                  1 = a ring raises a resumable NMI (Smrnmi) with mncause = the cause
// The harness rings it from outside with `machine.doorbell.ring(cause)`.

import { HartPins, MmioDevice } from '../device';
import { DOORBELL_BASE, DOORBELL_SIZE } from './memory-map';

export const DOORBELL_RING = 0x0, DOORBELL_CAUSE = 0x4, DOORBELL_ACK = 0x8, DOORBELL_MODE = 0xc;
export const DOORBELL_MODE_IRQ = 0, DOORBELL_MODE_RNMI = 1;

export class Doorbell implements MmioDevice {
  readonly name = 'doorbell';
  readonly base = DOORBELL_BASE;
  readonly size = DOORBELL_SIZE;
  readonly minWidth = 4;
  private cause = 0;
  private mode = DOORBELL_MODE_IRQ;

  constructor(private readonly pins: HartPins, private readonly raise: (level: boolean) => void) {}

  reset(): void { this.cause = 0; this.mode = DOORBELL_MODE_IRQ; this.raise(false); }

  /** Ring from outside the guest (the harness) or from a RING write. */
  ring(cause: number): void {
    this.cause = cause >>> 0;
    if (this.mode === DOORBELL_MODE_RNMI) this.pins.raiseRnmi?.(this.cause);
    else this.raise(true);
  }

  read(off: number, _width: 1 | 2 | 4 = 4): number {
    if (off === DOORBELL_CAUSE) return this.cause;
    if (off === DOORBELL_MODE) return this.mode;
    return 0;
  }

  write(off: number, _w: 1 | 2 | 4, value: number): void {
    if (off === DOORBELL_RING) { if (value !== 0) this.ring(value); }
    else if (off === DOORBELL_ACK) { this.cause = 0; this.raise(false); }
    else if (off === DOORBELL_MODE) this.mode = value & 1;
  }
}
