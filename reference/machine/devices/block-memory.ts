// A virtio-blk backing store held in memory: an image vector's drive (its bytes from the vector's
// images), written to by the guest for the length of one run and never saved.
import type { BlockBackend } from './virtio-blk';

export class MemoryBlockBackend implements BlockBackend {
  private readonly bytes: Uint8Array;
  constructor(image: Uint8Array) { this.bytes = new Uint8Array(image); }
  get size(): number { return this.bytes.length; }
  read(offset: number, length: number): Uint8Array { return this.bytes.slice(offset, offset + length); }
  write(offset: number, data: Uint8Array): void { this.bytes.set(data, offset); }
  flush(): void { /* nothing to save */ }
}
