// The machine's queue of device timers, keyed by guest time (mtime ticks). The hart has one
// deadline it checks between instructions (and that ends a wfi); several devices want events in
// time (the RTC's alarm, the host endpoint's scripted frames), so this multiplexes them onto it.
// Nothing here reads the host's clock: an event fires at the first instruction boundary at or
// after its mtime, the same on every run.

import type { DeviceTimer } from './device';

/** Where the queue's earliest deadline goes (the hart's deviceDeadline and its handler). */
export interface DeadlineSink {
  deviceDeadline: number;
  onDeviceDeadline: (() => void) | null;
  mtime(): number;
  kick(): void;
}

class QueuedTimer implements DeviceTimer {
  at = Infinity;
  constructor(private readonly queue: DeviceTimerQueue, readonly order: number, readonly fire: () => void) {}
  set(at: number): void { this.at = at; this.queue.rearm(); }
  cancel(): void { this.at = Infinity; this.queue.rearm(); }
}

export class DeviceTimerQueue {
  private readonly timers: QueuedTimer[] = [];
  private firing = false;

  constructor(private readonly sink: DeadlineSink) {
    sink.onDeviceDeadline = () => this.fireDue();
  }

  /** A new one-shot timer; `fire` runs at its deadline (and may set it again). */
  create(fire: () => void): DeviceTimer {
    const t = new QueuedTimer(this, this.timers.length, fire);
    this.timers.push(t);
    return t;
  }

  /** Point the hart's deadline at the earliest armed timer. */
  rearm(): void {
    if (this.firing) return; // fireDue re-arms once, after every due timer has run
    let next = Infinity;
    for (const t of this.timers) if (t.at < next) next = t.at;
    this.sink.deviceDeadline = next;
    this.sink.kick();
  }

  /**
   * Run every timer whose deadline has come, earliest first (ties in creation order), so that two
   * devices due at the same tick act in the same order on every run. A handler that sets its timer
   * again for a time already past runs again in this same call.
   */
  private fireDue(): void {
    this.firing = true;
    try {
      for (;;) {
        const now = this.sink.mtime();
        let due: QueuedTimer | null = null;
        for (const t of this.timers) {
          if (t.at <= now && (due === null || t.at < due.at)) due = t;
        }
        if (due === null) break;
        due.at = Infinity;
        due.fire();
      }
    } finally {
      this.firing = false;
      this.rearm();
    }
  }
}
