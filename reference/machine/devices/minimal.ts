// Interim device models (CLINT, PLIC, UART, finisher, RTC, doorbell, empty virtio slots) and
// the platform's memory map and device tree, so that the machine runs while the complete
// models land. Each follows QEMU virt's behaviour for what it implements.

import type { HartPins, IrqLine, MmioDevice, TimeSource } from '../device';

export const MROM_BASE = 0x1000;
export const TEST_BASE = 0x100000;
export const RTC_BASE = 0x101000;
export const DOORBELL_BASE = 0x102000;
export const CLINT_BASE = 0x2000000;
export const PLIC_BASE = 0xc000000;
export const UART0_BASE = 0x10000000;
export const UART0_IRQ = 10;
export const RTC_IRQ = 11;
export const VIRTIO_BASE = 0x10001000;
export const VIRTIO_STRIDE = 0x1000;
export const VIRTIO_COUNT = 8;
export const VIRTIO_IRQ0 = 1;
export const RAM_BASE = 0x80000000;
export const KERNEL_BASE = 0x80200000;
export const TIMEBASE = 10_000_000;

export class Clint implements MmioDevice {
  readonly name = 'clint';
  readonly base = CLINT_BASE;
  readonly size = 0x10000;
  private msip = 0;
  private cmpLo = 0;
  private cmpHi = 0;
  mtimeOffset = 0;
  // QEMU raises MTIP only once software has written mtimecmp; until then the comparator is idle.
  private armed = false;
  constructor(private readonly pins: HartPins, private readonly time: TimeSource) {}
  reset(): void { this.msip = 0; this.cmpLo = 0; this.cmpHi = 0; this.mtimeOffset = 0; this.armed = false; }
  /** mtimecmp as a double (exact below 2^53, and far enough above it); Infinity before any write. */
  mtimecmp(_hart: number): number { return this.armed ? this.cmpHi * 4294967296 + this.cmpLo : Infinity; }
  read(off: number, width: 1 | 2 | 4): number {
    const word = (() => {
      const o = off & ~3;
      if (o === 0) return this.msip;
      if (o === 0x4000) return this.cmpLo;
      if (o === 0x4004) return this.cmpHi;
      const now = this.time.mtime();
      if (o === 0xbff8) return now % 4294967296;
      if (o === 0xbffc) return Math.floor(now / 4294967296);
      return 0;
    })();
    return subword(word, off, width);
  }
  write(off: number, width: 1 | 2 | 4, value: number): void {
    const o = off & ~3;
    if (o === 0) {
      this.msip = mergeWord(this.msip, off, width, value) & 1;
      this.pins.setMsip(this.msip !== 0);
    } else if (o === 0x4000) { this.cmpLo = mergeWord(this.cmpLo, off, width, value); this.armed = true; this.pins.timerChanged(); }
    else if (o === 0x4004) { this.cmpHi = mergeWord(this.cmpHi, off, width, value); this.armed = true; this.pins.timerChanged(); }
    else if (o === 0xbff8 || o === 0xbffc) {
      const now = this.time.mtime();
      let lo = now % 4294967296, hi = Math.floor(now / 4294967296);
      if (o === 0xbff8) lo = mergeWord(lo, off, width, value); else hi = mergeWord(hi, off, width, value);
      this.mtimeOffset += hi * 4294967296 + lo - now;
      this.pins.timerChanged();
    }
  }
}

/** SiFive PLIC as on QEMU virt: 96 sources, contexts 0 (hart 0 M) and 1 (hart 0 S). */
export class Plic implements MmioDevice {
  readonly name = 'plic';
  readonly base = PLIC_BASE;
  readonly size = 0x600000;
  private readonly priority = new Uint32Array(96);
  private readonly level = new Uint8Array(96);
  private readonly pending = new Uint8Array(96);
  private readonly claimed = new Uint8Array(96);
  private readonly enable = [new Uint32Array(3), new Uint32Array(3)];
  private readonly threshold = new Uint32Array(2);
  constructor(private readonly pins: HartPins) {}
  reset(): void {
    this.priority.fill(0); this.level.fill(0); this.pending.fill(0); this.claimed.fill(0);
    this.enable[0].fill(0); this.enable[1].fill(0); this.threshold.fill(0); this.update();
  }
  source(n: number): IrqLine {
    return { set: (l: boolean) => { this.level[n] = l ? 1 : 0; if (l && !this.claimed[n]) this.pending[n] = 1; this.update(); } };
  }
  private best(ctx: number): number {
    let id = 0, pr = 0;
    for (let s = 1; s < 96; s++) {
      if (this.pending[s] && !this.claimed[s] && ((this.enable[ctx][s >> 5] >>> (s & 31)) & 1) && this.priority[s] > pr) { pr = this.priority[s]; id = s; }
    }
    return pr > this.threshold[ctx] ? id : 0;
  }
  private update(): void {
    this.pins.setMeip(this.best(0) !== 0);
    this.pins.setSeip(this.best(1) !== 0);
  }
  read(off: number, width: 1 | 2 | 4): number {
    const o = off & ~3;
    let v = 0;
    if (o < 0x1000) v = o / 4 < 96 ? this.priority[o / 4] : 0;
    else if (o < 0x1080) { const w = (o - 0x1000) / 4; for (let b = 0; b < 32; b++) if (this.pending[w * 32 + b]) v |= 1 << b; v >>>= 0; }
    else if (o >= 0x2000 && o < 0x2100) { const ctx = (o - 0x2000) >> 7, w = ((o - 0x2000) & 0x7f) / 4; v = ctx < 2 && w < 3 ? this.enable[ctx][w] : 0; }
    else if (o >= 0x200000 && o < 0x202000) {
      const ctx = (o - 0x200000) >> 12, r = (o - 0x200000) & 0xfff;
      if (ctx < 2 && r === 0) v = this.threshold[ctx];
      else if (ctx < 2 && r === 4) {
        v = this.best(ctx);
        if (v) { this.pending[v] = 0; this.claimed[v] = 1; this.update(); }
      }
    }
    return subword(v, off, width);
  }
  write(off: number, width: 1 | 2 | 4, value: number): void {
    const o = off & ~3;
    if (o < 0x1000) { if (o / 4 < 96 && o > 0) this.priority[o / 4] = mergeWord(this.priority[o / 4], off, width, value) & 7; }
    else if (o >= 0x2000 && o < 0x2100) {
      const ctx = (o - 0x2000) >> 7, w = ((o - 0x2000) & 0x7f) / 4;
      if (ctx < 2 && w < 3) this.enable[ctx][w] = mergeWord(this.enable[ctx][w], off, width, value) & (w === 0 ? ~1 : ~0);
    } else if (o >= 0x200000 && o < 0x202000) {
      const ctx = (o - 0x200000) >> 12, r = (o - 0x200000) & 0xfff;
      if (ctx < 2 && r === 0) this.threshold[ctx] = value & 7;
      else if (ctx < 2 && r === 4 && value > 0 && value < 96) {
        this.claimed[value] = 0;
        if (this.level[value]) this.pending[value] = 1;
      }
    }
    this.update();
  }
}

/** NS16550A: instant transmit, a 16-byte receive FIFO, RDA and THRE interrupts. */
export class Uart16550 implements MmioDevice {
  readonly name = 'uart';
  readonly base = UART0_BASE;
  readonly size = 0x100;
  private ier = 0; private lcr = 0; private mcr = 0; private scr = 0; private dll = 0; private dlm = 0;
  private rx: number[] = [];
  private threPending = true;
  constructor(private readonly irq: IrqLine, private readonly output: (b: number) => void) {}
  reset(): void { this.ier = 0; this.lcr = 0; this.mcr = 0; this.scr = 0; this.rx = []; this.threPending = true; this.update(); }
  pushInput(bytes: Uint8Array): void { for (const b of bytes) this.rx.push(b); this.update(); }
  private iir(): number {
    if ((this.ier & 1) && this.rx.length) return 0x04;
    if ((this.ier & 2) && this.threPending) return 0x02;
    return 0x01;
  }
  private update(): void { this.irq.set(this.iir() !== 0x01); }
  read(off: number): number {
    const dlab = (this.lcr & 0x80) !== 0;
    switch (off) {
      case 0: if (dlab) return this.dll; { const b = this.rx.shift() ?? 0; this.update(); return b; }
      case 1: return dlab ? this.dlm : this.ier;
      case 2: { const v = this.iir() | 0xc0; if ((v & 0x0f) === 0x02) { this.threPending = false; this.update(); } return v; }
      case 3: return this.lcr;
      case 4: return this.mcr;
      case 5: return 0x60 | (this.rx.length ? 1 : 0);
      case 6: return 0xb0;
      case 7: return this.scr;
    }
    return 0;
  }
  write(off: number, _w: 1 | 2 | 4, value: number): void {
    const dlab = (this.lcr & 0x80) !== 0;
    const v = value & 0xff;
    switch (off) {
      case 0: if (dlab) this.dll = v; else { this.output(v); this.threPending = true; } break;
      case 1: if (dlab) this.dlm = v; else { const was = this.ier; this.ier = v & 0x0f; if ((v & 2) && !(was & 2)) this.threPending = true; } break;
      case 2: if (v & 2) this.rx = []; break;
      case 3: this.lcr = v; break;
      case 4: this.mcr = v & 0x1f; break;
      case 7: this.scr = v; break;
    }
    this.update();
  }
}

export class SifiveTest implements MmioDevice {
  readonly name = 'test';
  readonly base = TEST_BASE;
  readonly size = 0x1000;
  constructor(private readonly onFinish: (f: { kind: 'pass' | 'fail' | 'reset'; code: number }) => void) {}
  read(): number { return 0; }
  write(off: number, _w: 1 | 2 | 4, value: number): void {
    if (off !== 0) return;
    const kind = value & 0xffff;
    if (kind === 0x5555) this.onFinish({ kind: 'pass', code: 0 });
    else if (kind === 0x3333) this.onFinish({ kind: 'fail', code: value >>> 16 });
    else if (kind === 0x7777) this.onFinish({ kind: 'reset', code: 0 });
  }
}

export class GoldfishRtc implements MmioDevice {
  readonly name = 'rtc';
  readonly base = RTC_BASE;
  readonly size = 0x1000;
  private high = 0;
  constructor(private readonly time: TimeSource, _irq: IrqLine) {}
  read(off: number): number {
    const ns = this.time.mtime() * 100;
    if (off === 0) { this.high = Math.floor(ns / 4294967296); return ns % 4294967296; }
    if (off === 4) return this.high;
    return 0;
  }
  write(): void { /* alarms are not modelled */ }
}

/** The management doorbell (devirt's own device): RING, CAUSE, ACK, MODE. */
export class Doorbell implements MmioDevice {
  readonly name = 'doorbell';
  readonly base = DOORBELL_BASE;
  readonly size = 0x1000;
  private cause = 0;
  private mode = 0;
  constructor(private readonly pins: HartPins, private readonly raise: (level: boolean) => void) {}
  reset(): void { this.cause = 0; this.mode = 0; this.raise(false); }
  /** Ring from outside the guest (the harness). */
  ring(cause: number): void {
    this.cause = cause >>> 0;
    if (this.mode === 1) this.pins.raiseRnmi?.(cause);
    else this.raise(true);
  }
  read(off: number): number { return off === 4 ? this.cause : off === 12 ? this.mode : 0; }
  write(off: number, _w: 1 | 2 | 4, value: number): void {
    if (off === 0 && value !== 0) this.ring(value);
    else if (off === 8) { this.cause = 0; this.raise(false); }
    else if (off === 12) this.mode = value & 1;
  }
}

/** A virtio-mmio slot with no device behind it, as QEMU virt shows unused slots. */
export class EmptyVirtioSlot implements MmioDevice {
  readonly name = 'virtio_mmio';
  readonly size = 0x1000;
  constructor(readonly base: number) {}
  read(off: number): number {
    if (off === 0) return 0x74726976;
    if (off === 4) return 2;
    if (off === 0xc) return 0x554d4551;
    return 0;
  }
  write(): void { /* nothing answers */ }
}

function subword(word: number, off: number, width: number): number {
  const shift = (off & 3) * 8;
  return width === 4 ? word >>> 0 : (word >>> shift) & (width === 1 ? 0xff : 0xffff);
}
function mergeWord(old: number, off: number, width: number, value: number): number {
  if (width === 4) return value >>> 0;
  const shift = (off & 3) * 8, mask = (width === 1 ? 0xff : 0xffff) << shift;
  return ((old & ~mask) | ((value << shift) & mask)) >>> 0;
}
