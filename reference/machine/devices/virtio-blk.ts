// virtio block device (virtio 1.x section 5.2) over a BlockBackend: IN, OUT, FLUSH and GET_ID
// on one request queue. Requests complete synchronously when the driver notifies, so the used
// ring and the interrupt are deterministic. Offered features: SEG_MAX, BLK_SIZE, FLUSH, RO (for a
// read-only backing file), RING_INDIRECT_DESC and VERSION_1; conformance/platform.md lists what
// QEMU offers beyond that.

import type { DmaMemory } from '../device';
import { VirtioDevice, VIRTIO_F_RING_INDIRECT_DESC, VIRTIO_F_VERSION_1 } from './virtio-mmio';
import { Chain, Virtqueue, VirtioError, gather, scatter, totalLength } from './virtqueue';

/** Storage behind a virtio-blk device. Writes must reach the backing store before `close` returns. */
export interface BlockBackend {
  readonly size: number;
  readonly readOnly?: boolean;
  read(offset: number, length: number): Uint8Array;
  write(offset: number, data: Uint8Array): void;
  flush(): void;
  close?(): void;
}

export const VIRTIO_ID_BLOCK = 2;
export const VIRTIO_BLK_F_SEG_MAX = 2n, VIRTIO_BLK_F_RO = 5n, VIRTIO_BLK_F_BLK_SIZE = 6n, VIRTIO_BLK_F_FLUSH = 9n;
export const VIRTIO_BLK_T_IN = 0, VIRTIO_BLK_T_OUT = 1, VIRTIO_BLK_T_FLUSH = 4, VIRTIO_BLK_T_GET_ID = 8;
export const VIRTIO_BLK_S_OK = 0, VIRTIO_BLK_S_IOERR = 1, VIRTIO_BLK_S_UNSUPP = 2;
export const SECTOR = 512;
export const VIRTIO_BLK_ID_BYTES = 20;
/** QEMU's virtio-mmio queue limit and virtio-blk's seg_max (queue size 256 minus 2). */
export const BLK_QUEUE_MAX = 1024;
/** QEMU virtio-blk's queue-size: the queue's size until the driver writes QueueNum. */
export const BLK_QUEUE_SIZE = 256;
export const BLK_SEG_MAX = 254;
const HEADER = 16;

const bit = (n: bigint) => 1n << n;

export class VirtioBlk implements VirtioDevice {
  readonly deviceId = VIRTIO_ID_BLOCK;
  readonly features: bigint;
  readonly queueMax = BLK_QUEUE_MAX;
  readonly queueDefault = BLK_QUEUE_SIZE;
  readonly queueCount = 1;
  private readonly config = new Uint8Array(0x3c);
  readonly capacity: number;

  /** `serial` is what GET_ID returns (QEMU's default is empty). */
  constructor(private readonly backend: BlockBackend, private readonly serial = '') {
    this.capacity = Math.floor(backend.size / SECTOR);
    this.features = bit(VIRTIO_BLK_F_SEG_MAX) | bit(VIRTIO_BLK_F_BLK_SIZE) | bit(VIRTIO_BLK_F_FLUSH)
      | (backend.readOnly ? bit(VIRTIO_BLK_F_RO) : 0n) | bit(VIRTIO_F_RING_INDIRECT_DESC) | bit(VIRTIO_F_VERSION_1);
    // struct virtio_blk_config, with the values QEMU gives for the fields it shares with us.
    const dv = new DataView(this.config.buffer);
    dv.setBigUint64(0, BigInt(this.capacity), true); // capacity in 512-byte sectors
    dv.setUint32(12, BLK_SEG_MAX, true); // seg_max
    dv.setUint32(20, SECTOR, true); // blk_size
    dv.setUint8(32, 1); // writeback: QEMU reports a write-back cache, hence FLUSH
    dv.setUint16(34, 1, true); // num_queues
  }

  reset(): void { /* no device state beyond the queues */ }

  configRead(off: number, width: 1 | 2 | 4): number {
    if (off + width > this.config.length) return 0;
    let v = 0;
    for (let i = width - 1; i >= 0; i--) v = v * 256 + this.config[off + i];
    return v;
  }

  configWrite(): void { /* read-only without CONFIG_WCE */ }

  process(q: Virtqueue, mem: DmaMemory): boolean {
    let used = false;
    for (let chain = q.pop(mem); chain !== null; chain = q.pop(mem)) {
      q.push(mem, chain.head, this.request(chain, mem));
      used = true;
    }
    return used;
  }

  /** Carry out one request; returns the used length (the writable bytes of the chain, as QEMU reports). */
  private request(chain: Chain, mem: DmaMemory): number {
    const header = gather(mem, chain.readable, 0, HEADER);
    const writable = totalLength(chain.writable);
    if (header === null || writable < 1) throw new VirtioError('virtio-blk: request without a 16-byte header or a status byte');
    const dv = new DataView(header.buffer);
    const type = dv.getUint32(0, true);
    const sector = dv.getBigUint64(8, true);
    // The last writable byte is the status; the writable bytes before it are data for IN/GET_ID.
    const dataIn = trimLast(chain.writable);
    const status = (code: number) => {
      const last = chain.writable[chain.writable.length - 1];
      if (last.len === 0 || !mem.writeBytes(last.addr + last.len - 1, Uint8Array.of(code))) {
        throw new VirtioError('virtio-blk: status byte outside RAM');
      }
      return writable;
    };
    switch (type) {
      case VIRTIO_BLK_T_IN: {
        const len = writable - 1;
        const off = this.range(sector, len);
        if (off < 0) return status(VIRTIO_BLK_S_IOERR);
        if (!scatter(mem, dataIn, this.backend.read(off, len))) return status(VIRTIO_BLK_S_IOERR);
        return status(VIRTIO_BLK_S_OK);
      }
      case VIRTIO_BLK_T_OUT: {
        const len = totalLength(chain.readable) - HEADER;
        const off = this.range(sector, len);
        if (off < 0 || this.backend.readOnly) return status(VIRTIO_BLK_S_IOERR);
        const data = gather(mem, chain.readable, HEADER, len);
        if (data === null) return status(VIRTIO_BLK_S_IOERR);
        this.backend.write(off, data);
        return status(VIRTIO_BLK_S_OK);
      }
      case VIRTIO_BLK_T_FLUSH:
        this.backend.flush();
        return status(VIRTIO_BLK_S_OK);
      case VIRTIO_BLK_T_GET_ID: {
        const id = Buffer.from(this.serial + '\0', 'latin1').subarray(0, Math.min(VIRTIO_BLK_ID_BYTES, writable - 1));
        if (!scatter(mem, dataIn, new Uint8Array(id))) return status(VIRTIO_BLK_S_IOERR);
        return status(VIRTIO_BLK_S_OK);
      }
    }
    return status(VIRTIO_BLK_S_UNSUPP);
  }

  /** Byte offset of a transfer, or -1 when it is not whole sectors inside the disk. */
  private range(sector: bigint, len: number): number {
    if (len < 0 || len % SECTOR !== 0) return -1;
    const end = sector + BigInt(len / SECTOR);
    if (end > BigInt(this.capacity)) return -1;
    return Number(sector) * SECTOR;
  }
}

/** The writable buffers without their last byte (the status). */
function trimLast(bufs: { addr: number; len: number }[]): { addr: number; len: number }[] {
  const out = bufs.map((b) => ({ ...b }));
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i].len > 0) { out[i].len -= 1; break; }
  }
  return out;
}
