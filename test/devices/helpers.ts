// Doubles for the wires around a device: interrupt pins that record their level, a settable
// clock, a one-shot timer, and guest RAM for DMA.

import type { DeviceTimer, DmaMemory, HartPins, IrqLine } from '../../reference/machine/device';

export class Pins implements HartPins {
  meip = false; seip = false; msip = false;
  timerChanges = 0;
  rnmi: number[] = [];
  setMeip(l: boolean): void { this.meip = l; }
  setSeip(l: boolean): void { this.seip = l; }
  setMsip(l: boolean): void { this.msip = l; }
  timerChanged(): void { this.timerChanges++; }
  raiseRnmi(cause: number): void { this.rnmi.push(cause); }
}

export class Line implements IrqLine {
  level = false;
  set(l: boolean): void { this.level = l; }
}

export class Clock {
  ticks = 0;
  mtime = (): number => this.ticks;
}

export class Timer implements DeviceTimer {
  at = Infinity;
  set(at: number): void { this.at = at; }
  cancel(): void { this.at = Infinity; }
}

export class Ram implements DmaMemory {
  readonly bytes: Uint8Array;
  readonly dv: DataView;
  writes = 0;
  constructor(readonly base: number, size: number) { this.bytes = new Uint8Array(size); this.dv = new DataView(this.bytes.buffer); }
  readBytes(pa: number, length: number): Uint8Array | null {
    const o = pa - this.base;
    return o >= 0 && o + length <= this.bytes.length ? this.bytes.subarray(o, o + length) : null;
  }
  writeBytes(pa: number, data: Uint8Array): boolean {
    const o = pa - this.base;
    if (o < 0 || o + data.length > this.bytes.length) return false;
    this.bytes.set(data, o);
    this.writes++;
    return true;
  }
  u16(pa: number): number { return this.dv.getUint16(pa - this.base, true); }
  u32(pa: number): number { return this.dv.getUint32(pa - this.base, true); }
  setU16(pa: number, v: number): void { this.dv.setUint16(pa - this.base, v, true); }
  setU32(pa: number, v: number): void { this.dv.setUint32(pa - this.base, v, true); }
  setU64(pa: number, v: number): void { this.dv.setBigUint64(pa - this.base, BigInt(v), true); }
}
