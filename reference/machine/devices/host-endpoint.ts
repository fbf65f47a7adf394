// The host's port on the machine's Ethernet switch: what the harness (or `devirt boot`'s UDP
// connection) uses to talk to the guests. Frames are injected at guest times, through the
// machine's device-timer queue, so a scripted exchange is the same on every run; frames the switch
// sends to the host are collected with the guest time (mtime) at which they left the machine.

import type { TimeSource } from '../device';
import type { DeviceTimerQueue } from '../device-timers';
import type { SwitchPort } from './ethernet-switch';
import type { DeviceTimer } from '../device';

export interface HostFrame {
  /** Guest time in mtime ticks (10 MHz). */
  at: number;
  frame: Uint8Array;
}

export class HostEndpoint implements SwitchPort {
  readonly name = 'host';
  /** Frames the switch delivered to the host, in order, with their guest time. */
  readonly collected: HostFrame[] = [];
  /** Keep `collected` (a long interactive session turns it off and uses onFrame alone). */
  collect = true;
  /** Called for each frame delivered to the host (after it is collected). */
  onFrame: ((frame: Uint8Array, at: number) => void) | null = null;
  /** Frames injected so far (entered the switch). */
  injected = 0;
  private readonly schedule: HostFrame[] = [];
  private readonly timer: DeviceTimer;
  private transmit: (frame: Uint8Array) => void = () => undefined;

  constructor(private readonly time: TimeSource, timers: DeviceTimerQueue) {
    this.timer = timers.create(() => this.fire());
  }

  /** Guest time now (mtime ticks). */
  now(): number { return this.time.mtime(); }

  /** The switch's input for this port. */
  connect(transmit: (frame: Uint8Array) => void): void { this.transmit = transmit; }

  deliver(frame: Uint8Array): void {
    const at = this.time.mtime();
    const copy = frame.slice();
    if (this.collect) this.collected.push({ at, frame: copy });
    this.onFrame?.(copy, at);
  }

  /**
   * Send `frame` into the switch at guest time `at` (mtime ticks; default now): it enters at the
   * first instruction boundary at or after `at`. Frames due at the same time enter in the order
   * they were sent. A time already past is refused: where it landed would depend on how the run
   * was sliced.
   */
  send(frame: Uint8Array, at: number = this.time.mtime()): void {
    const now = this.time.mtime();
    if (!Number.isFinite(at) || at < now) throw new RangeError(`host endpoint: cannot send a frame at guest time ${at}, before now (${now})`);
    // After every frame due at the same time or earlier: stable order.
    let lo = 0, hi = this.schedule.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.schedule[mid].at <= at) lo = mid + 1; else hi = mid; }
    this.schedule.splice(lo, 0, { at, frame: frame.slice() });
    this.timer.set(this.schedule[0].at);
  }

  /** Frames scheduled and not yet sent. */
  get pending(): number { return this.schedule.length; }

  /** Forget the scripted frames not yet sent. */
  cancelPending(): void { this.schedule.length = 0; this.timer.cancel(); }

  private fire(): void {
    const now = this.time.mtime();
    while (this.schedule.length && this.schedule[0].at <= now) {
      const { frame } = this.schedule.shift()!;
      this.injected++;
      this.transmit(frame);
    }
    if (this.schedule.length) this.timer.set(this.schedule[0].at);
  }
}
