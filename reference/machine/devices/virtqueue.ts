// A split virtqueue (virtio 1.x section 2.7) seen from the device side: it walks descriptor
// chains (direct and indirect) out of guest RAM and returns used buffers. Everything the guest
// wrote is checked before use; a malformed ring raises VirtioError, which the transport turns
// into DEVICE_NEEDS_RESET as QEMU does, so a guest can never crash the host.

import type { DmaMemory } from '../device';

export class VirtioError extends Error {}

export const VIRTQ_DESC_F_NEXT = 1, VIRTQ_DESC_F_WRITE = 2, VIRTQ_DESC_F_INDIRECT = 4;
export const VIRTQ_AVAIL_F_NO_INTERRUPT = 1;
const DESC_SIZE = 16;

export interface GuestBuffer { addr: number; len: number }
/** One request: the head index, the device-readable buffers, then the device-writable ones. */
export interface Chain { head: number; readable: GuestBuffer[]; writable: GuestBuffer[] }

export class Virtqueue {
  /** Queue size chosen by the driver (QueueNum). */
  num = 0;
  ready = false;
  desc = 0;
  driver = 0;
  device = 0;
  private lastAvail = 0;
  private usedIdx = 0;

  /** `initialNum` is the size before the driver writes QueueNum (QEMU's queue size for the device). */
  constructor(readonly index: number, readonly max: number, private readonly initialNum = 0) { this.num = initialNum; }

  reset(): void {
    this.num = this.initialNum; this.ready = false; this.desc = 0; this.driver = 0; this.device = 0;
    this.lastAvail = 0; this.usedIdx = 0;
  }

  private bytes(mem: DmaMemory, pa: number, len: number, what: string): Uint8Array {
    const b = mem.readBytes(pa, len);
    if (b === null) throw new VirtioError(`queue ${this.index}: ${what} at 0x${pa.toString(16)} (${len} bytes) is outside RAM`);
    return b;
  }
  private u16(mem: DmaMemory, pa: number, what: string): number {
    const b = this.bytes(mem, pa, 2, what);
    return b[0] | (b[1] << 8);
  }

  /** The next available chain, or null when the driver has offered nothing new. */
  pop(mem: DmaMemory): Chain | null {
    const availIdx = this.u16(mem, this.driver + 2, 'avail.idx');
    if (availIdx === this.lastAvail) return null;
    if (((availIdx - this.lastAvail) & 0xffff) > this.num) {
      throw new VirtioError(`queue ${this.index}: avail.idx moved from ${this.lastAvail} to ${availIdx}, more than the queue size ${this.num}`);
    }
    const head = this.u16(mem, this.driver + 4 + 2 * (this.lastAvail % this.num), 'avail.ring');
    this.lastAvail = (this.lastAvail + 1) & 0xffff;
    if (head >= this.num) throw new VirtioError(`queue ${this.index}: head descriptor ${head} >= queue size ${this.num}`);
    const chain: Chain = { head, readable: [], writable: [] };
    this.walk(mem, this.desc, this.num, head, chain, false);
    return chain;
  }

  /**
   * Give back the chain `pop` returned last, unused: it is offered again by the next `pop` (a
   * receive buffer too small for the frame at hand stays for a later one, as in QEMU).
   */
  unpop(): void { this.lastAvail = (this.lastAvail - 1) & 0xffff; }

  private walk(mem: DmaMemory, table: number, size: number, first: number, chain: Chain, indirect: boolean): void {
    let i = first;
    for (let seen = 0; ; seen++) {
      if (seen >= size) throw new VirtioError(`queue ${this.index}: descriptor chain longer than its table (a loop?)`);
      const d = this.bytes(mem, table + i * DESC_SIZE, DESC_SIZE, 'descriptor');
      const dv = new DataView(d.buffer, d.byteOffset, DESC_SIZE);
      const addr = Number(dv.getBigUint64(0, true)), len = dv.getUint32(8, true);
      const flags = dv.getUint16(12, true), next = dv.getUint16(14, true);
      if (flags & VIRTQ_DESC_F_INDIRECT) {
        if (indirect) throw new VirtioError(`queue ${this.index}: nested indirect descriptor table`);
        if (flags & VIRTQ_DESC_F_NEXT) throw new VirtioError(`queue ${this.index}: indirect descriptor with NEXT set`);
        if (len === 0 || len % DESC_SIZE) throw new VirtioError(`queue ${this.index}: indirect table length ${len} is not a multiple of 16`);
        this.walk(mem, addr, len / DESC_SIZE, 0, chain, true);
        return;
      }
      if (flags & VIRTQ_DESC_F_WRITE) chain.writable.push({ addr, len });
      else if (chain.writable.length) throw new VirtioError(`queue ${this.index}: device-readable descriptor after a writable one`);
      else chain.readable.push({ addr, len });
      if (!(flags & VIRTQ_DESC_F_NEXT)) return;
      if (next >= size) throw new VirtioError(`queue ${this.index}: next descriptor ${next} >= table size ${size}`);
      i = next;
    }
  }

  /** Return a chain to the driver with `len` bytes written into it. */
  push(mem: DmaMemory, head: number, len: number): void {
    const entry = new Uint8Array(8);
    const dv = new DataView(entry.buffer);
    dv.setUint32(0, head, true);
    dv.setUint32(4, len, true);
    const slot = this.device + 4 + 8 * (this.usedIdx % this.num);
    if (!mem.writeBytes(slot, entry)) throw new VirtioError(`queue ${this.index}: used ring at 0x${slot.toString(16)} is outside RAM`);
    this.usedIdx = (this.usedIdx + 1) & 0xffff;
    if (!mem.writeBytes(this.device + 2, Uint8Array.of(this.usedIdx & 0xff, this.usedIdx >> 8))) {
      throw new VirtioError(`queue ${this.index}: used.idx is outside RAM`);
    }
  }

  /** The driver asked not to be interrupted (no VIRTIO_F_EVENT_IDX on this platform). */
  interruptSuppressed(mem: DmaMemory): boolean {
    return (this.u16(mem, this.driver, 'avail.flags') & VIRTQ_AVAIL_F_NO_INTERRUPT) !== 0;
  }
}

/** Gather `len` bytes starting at `skip` from a list of guest buffers. */
export function gather(mem: DmaMemory, bufs: GuestBuffer[], skip: number, len: number): Uint8Array | null {
  const out = new Uint8Array(len);
  let pos = 0, off = skip;
  for (const b of bufs) {
    if (pos === len) break;
    if (off >= b.len) { off -= b.len; continue; }
    const n = Math.min(b.len - off, len - pos);
    const src = mem.readBytes(b.addr + off, n);
    if (src === null) return null;
    out.set(src, pos);
    pos += n; off = 0;
  }
  return pos === len ? out : null;
}

/** Scatter `data` into a list of guest buffers from their start; false if any lies outside RAM. */
export function scatter(mem: DmaMemory, bufs: GuestBuffer[], data: Uint8Array): boolean {
  let pos = 0;
  for (const b of bufs) {
    if (pos === data.length) break;
    const n = Math.min(b.len, data.length - pos);
    if (!mem.writeBytes(b.addr, data.subarray(pos, pos + n))) return false;
    pos += n;
  }
  return pos === data.length;
}

export const totalLength = (bufs: GuestBuffer[]): number => bufs.reduce((s, b) => s + b.len, 0);
