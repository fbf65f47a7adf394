// Goldfish RTC as on QEMU virt: a nanosecond clock with one alarm and one interrupt line.
// Registers: TIME_LOW (reading it latches the high half), TIME_HIGH, ALARM_LOW (writing it arms
// the alarm at ALARM_HIGH:ALARM_LOW), ALARM_HIGH, IRQ_ENABLED, CLEAR_ALARM, ALARM_STATUS,
// CLEAR_INTERRUPT. Writing TIME_LOW / TIME_HIGH sets the clock.
//
// Determinism: QEMU starts the clock at the host's wall-clock time; the reference starts it at 0
// (1970-01-01T00:00:00Z) and advances it with mtime (100 ns per tick of the 10 MHz timebase).

import { DeviceTimer, IrqLine, MmioDevice, TimeSource } from '../device';
import { RTC_BASE } from './memory-map';

export const RTC_TIME_LOW = 0x00, RTC_TIME_HIGH = 0x04, RTC_ALARM_LOW = 0x08, RTC_ALARM_HIGH = 0x0c;
export const RTC_IRQ_ENABLED = 0x10, RTC_CLEAR_ALARM = 0x14, RTC_ALARM_STATUS = 0x18, RTC_CLEAR_INTERRUPT = 0x1c;
const NS_PER_TICK = 100n;
const U64 = (1n << 64n) - 1n;
const LOW32 = 0xffffffffn;

export class GoldfishRtc implements MmioDevice {
  readonly name = 'rtc';
  readonly base = RTC_BASE;
  readonly size = 0x1000;
  readonly minWidth = 4;
  /** Clock value minus mtime in ns (unbounded; the clock reads it modulo 2^64). */
  private offsetNs = 0n;
  private timeHigh = 0;
  private alarmNext = 0n;
  private alarmRunning = false;
  private irqPending = false;
  private irqEnabled = false;

  constructor(private readonly time: TimeSource, private readonly irq: IrqLine, private readonly timer: DeviceTimer) {}

  reset(): void {
    this.offsetNs = 0n; this.timeHigh = 0; this.alarmNext = 0n;
    this.alarmRunning = false; this.irqPending = false; this.irqEnabled = false;
    this.timer.cancel();
    this.update();
  }

  /** The clock now, in ns. */
  now(): bigint { return (BigInt(this.time.mtime()) * NS_PER_TICK + this.offsetNs) & U64; }

  private update(): void { this.irq.set(this.irqPending && this.irqEnabled); }

  private setAlarm(): void {
    const now = this.now();
    if (this.alarmNext <= now) {
      this.alarmRunning = false;
      this.irqPending = true;
      this.timer.cancel();
      this.update();
    } else {
      this.alarmRunning = true;
      // As QEMU, the alarm is a delay from now: setting the clock later does not move it.
      const delay = (this.alarmNext - now + NS_PER_TICK - 1n) / NS_PER_TICK;
      this.timer.set(this.time.mtime() + Number(delay));
    }
  }

  /** The alarm's time has come (called by the machine's timer). */
  fire(): void {
    if (!this.alarmRunning) return;
    this.alarmRunning = false;
    this.irqPending = true;
    this.update();
  }

  read(off: number, _width: 1 | 2 | 4 = 4): number {
    switch (off) {
      case RTC_TIME_LOW: { const t = this.now(); this.timeHigh = Number(t >> 32n); return Number(t & LOW32); }
      case RTC_TIME_HIGH: return this.timeHigh;
      case RTC_ALARM_LOW: return Number(this.alarmNext & LOW32);
      case RTC_ALARM_HIGH: return Number(this.alarmNext >> 32n);
      case RTC_IRQ_ENABLED: return this.irqEnabled ? 1 : 0;
      case RTC_ALARM_STATUS: return this.alarmRunning ? 1 : 0;
    }
    return 0;
  }

  write(off: number, _w: 1 | 2 | 4, value: number): void {
    const v = BigInt(value >>> 0);
    switch (off) {
      case RTC_TIME_LOW: case RTC_TIME_HIGH: {
        const cur = this.now();
        const next = off === RTC_TIME_LOW ? (cur & ~LOW32) | v : (cur & LOW32) | (v << 32n);
        this.offsetNs += next - cur;
        break;
      }
      case RTC_ALARM_LOW: this.alarmNext = (this.alarmNext & ~LOW32) | v; this.setAlarm(); break;
      case RTC_ALARM_HIGH: this.alarmNext = (this.alarmNext & LOW32) | (v << 32n); break;
      case RTC_IRQ_ENABLED: this.irqEnabled = (value & 1) !== 0; this.update(); break;
      case RTC_CLEAR_ALARM: this.alarmRunning = false; this.timer.cancel(); break;
      case RTC_CLEAR_INTERRUPT: this.irqPending = false; this.update(); break;
    }
  }
}
