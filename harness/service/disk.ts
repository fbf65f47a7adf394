// The service's disk as the harness gives it: a virtio-blk backing store with a volatile write
// cache, as the device's configuration promises (writeback = 1, VIRTIO_BLK_F_FLUSH): a write is
// in the cache until a FLUSH makes it durable, and a power loss (a machine reset in a scenario)
// drops whatever was not flushed. A service that acknowledges a write before its flush loses it
// at the next power loss, which is how the maintenance suite catches that bug.

import type { BlockBackend } from '../../reference/machine/machine';

export const SECTOR = 512;

export class CachedDisk implements BlockBackend {
  readonly durable: Uint8Array;
  /** Written but not yet flushed, by sector. */
  private readonly cache = new Map<number, Uint8Array>();
  flushes = 0;
  writes = 0;

  constructor(readonly size: number, contents?: Uint8Array) {
    if (size % SECTOR) throw new RangeError(`disk size ${size} is not a whole number of sectors`);
    this.durable = new Uint8Array(size);
    if (contents) this.durable.set(contents.subarray(0, size));
  }

  read(offset: number, length: number): Uint8Array {
    const out = this.durable.slice(offset, offset + length);
    for (let s = Math.floor(offset / SECTOR); s * SECTOR < offset + length; s++) {
      const c = this.cache.get(s);
      if (!c) continue;
      const from = s * SECTOR;
      for (let i = 0; i < SECTOR; i++) {
        const at = from + i - offset;
        if (at >= 0 && at < length) out[at] = c[i];
      }
    }
    return out;
  }

  write(offset: number, data: Uint8Array): void {
    this.writes++;
    // The device only ever writes whole sectors (virtio-blk checks), so the cache is by sector.
    for (let i = 0; i < data.length; i += SECTOR) this.cache.set((offset + i) / SECTOR, data.slice(i, i + SECTOR));
  }

  flush(): void {
    this.flushes++;
    for (const [s, d] of this.cache) this.durable.set(d, s * SECTOR);
    this.cache.clear();
  }

  /** Power lost: the cache's contents are gone. Returns how many sectors were lost. */
  powerLoss(): number {
    const n = this.cache.size;
    this.cache.clear();
    return n;
  }

  /** Place bytes directly on the durable medium (an image the harness puts on the disk). */
  place(sector: number, data: Uint8Array): void {
    if (sector * SECTOR + data.length > this.size) throw new RangeError(`${data.length} bytes at sector ${sector} do not fit a disk of ${this.size} bytes`);
    this.durable.set(data, sector * SECTOR);
  }
}
