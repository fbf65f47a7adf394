// The physical address space outside RAM: the boot ROM and the MMIO devices. RAM itself is
// owned by the hart for speed; everything here is the slow path.

import type { MmioDevice } from './device';
import type { HartBus } from './hart';

export class Bus implements HartBus {
  private readonly devices: MmioDevice[] = [];
  private last: MmioDevice | null = null;
  rom: { base: number; bytes: Uint8Array } | null = null;

  attach(dev: MmioDevice): void {
    for (const d of this.devices) {
      if (dev.base < d.base + d.size && d.base < dev.base + dev.size) {
        throw new Error(`device ${dev.name} overlaps ${d.name}`);
      }
    }
    this.devices.push(dev);
  }

  private find(pa: number, width: number): MmioDevice | null {
    const l = this.last;
    if (l !== null && pa >= l.base && pa + width <= l.base + l.size) return l;
    for (const d of this.devices) {
      if (pa >= d.base && pa + width <= d.base + d.size) { this.last = d; return d; }
    }
    return null;
  }

  read(pa: number, width: 1 | 2 | 4): number {
    const d = this.find(pa, width);
    return d === null || width < (d.minWidth ?? 1) ? NaN : d.read(pa - d.base, width) >>> 0;
  }

  write(pa: number, width: 1 | 2 | 4, value: number): boolean {
    const d = this.find(pa, width);
    if (d === null || width < (d.minWidth ?? 1)) return false;
    d.write(pa - d.base, width, value >>> 0);
    return true;
  }

  accepts8(pa: number): boolean {
    const d = this.find(pa, 8);
    return d === null || (d.maxWidth ?? 8) === 8;
  }

  romAt(pa: number): { base: number; bytes: Uint8Array } | null {
    const r = this.rom;
    return r !== null && pa >= r.base && pa < r.base + r.bytes.length ? r : null;
  }

  resetDevices(): void {
    for (const d of this.devices) d.reset?.();
  }
}
