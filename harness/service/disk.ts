// The service's disk as the harness gives it: a virtio-blk backing store with a volatile write
// cache, as the device's configuration promises (writeback = 1, VIRTIO_BLK_F_FLUSH): a write is
// in the cache until a FLUSH makes it durable, and a power loss (a machine reset in a scenario)
// drops whatever was not flushed. A service that acknowledges a write before its flush loses it
// at the next power loss, which is how the maintenance suite catches that bug.

import type { BlockBackend } from '../../reference/machine/machine';

export const SECTOR = 512;

// Every maintenance vector runs on a fresh 8 MiB disk, and a fresh zeroed buffer that large costs
// about 12 ms here (every page zeroed on first touch), more than the few hundred KiB a scenario
// writes. A disk that is done gives its medium back (dispose); the next disk of the same size gets
// it with the blocks written before cleared: all zero, as a new one.
const BLOCK = 4096;
interface Medium { bytes: Uint8Array; written: Uint8Array }
const spareMedia = new Map<number, Medium>();

function takeMedium(size: number): Medium {
  const m = spareMedia.get(size);
  if (m === undefined) return { bytes: new Uint8Array(size), written: new Uint8Array(Math.ceil(size / BLOCK)) };
  spareMedia.delete(size);
  for (let b = 0; b < m.written.length; b++) if (m.written[b]) m.bytes.fill(0, b * BLOCK, (b + 1) * BLOCK);
  m.written.fill(0);
  return m;
}

export class CachedDisk implements BlockBackend {
  readonly durable: Uint8Array;
  private medium: Medium | null;
  /** Written but not yet flushed, by sector. */
  private readonly cache = new Map<number, Uint8Array>();
  flushes = 0;
  writes = 0;

  constructor(readonly size: number, contents?: Uint8Array) {
    if (size % SECTOR) throw new RangeError(`disk size ${size} is not a whole number of sectors`);
    this.medium = takeMedium(size);
    this.durable = this.medium.bytes;
    if (contents) this.setDurable(0, contents.subarray(0, size));
  }

  /** The only way bytes reach the medium: noted, so that a reuse clears them. */
  private setDurable(offset: number, data: Uint8Array): void {
    this.durable.set(data, offset);
    if (data.length) this.medium?.written.fill(1, Math.floor(offset / BLOCK), Math.floor((offset + data.length - 1) / BLOCK) + 1);
  }

  /** Nothing will read or write this disk again: its medium backs the next disk of its size. */
  dispose(): void {
    if (this.medium !== null) spareMedia.set(this.size, this.medium);
    this.medium = null;
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
    for (const [s, d] of this.cache) this.setDurable(s * SECTOR, d);
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
    this.setDurable(sector * SECTOR, data);
  }
}
