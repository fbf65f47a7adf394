// State of the counter CSRs whose behaviour is the hart's choice (reference/machine/choices.ts):
// the hpm counters and events when they are writable rather than read-only zero (privileged 1.12,
// 3.1.10), and mcountinhibit when it is implemented (3.1.13). The reference's own choice keeps all
// of them zero; the state exists so that the generators can state the other legal outcomes.

export const HPM_FIRST = 3;
/** mcountinhibit bits that exist when it is writable: CY, IR and HPM3..31 (bit 1, TM, is always 0). */
export const MCOUNTINHIBIT_WRITABLE = 0xfffffffd;

export class CounterState {
  /** mhpmcounter3..31 (index = counter number). No event counts: they change only when written. */
  readonly hpm: bigint[] = new Array<bigint>(32).fill(0n);
  /** mhpmevent3..31 (index = counter number). */
  readonly events: bigint[] = new Array<bigint>(32).fill(0n);
  /** mcountinhibit. */
  inhibit = 0;
  /** mcycle and minstret while inhibited (they hold still). */
  cycleHeld = 0;
  instretHeld = 0;

  reset(): void {
    this.hpm.fill(0n);
    this.events.fill(0n);
    this.inhibit = 0;
    this.cycleHeld = 0;
    this.instretHeld = 0;
  }
}
