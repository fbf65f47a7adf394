// virtio network card (virtio 1.x section 5.1), as QEMU's `virtio-net-device` shows itself to a
// driver that negotiates the basics: device id 1, receive queue 0 and transmit queue 1, the MAC
// address and link status in the configuration space, and the virtio_net_hdr in front of every
// frame (12 bytes with VERSION_1, the legacy 10 without it). It is a port of the machine's
// Ethernet switch: transmitted frames go to the switch in the instruction that notified; frames
// from the switch are written into the driver's receive buffers at once when there are any.
//
// Offered: MAC, STATUS, RING_INDIRECT_DESC, VERSION_1. Not offered (QEMU 7.2 offers them with a
// socket backend): MRG_RXBUF, CTRL_VQ and its CTRL_* companions, GUEST_ANNOUNCE, GSO, EVENT_IDX,
// ANY_LAYOUT, NOTIFY_ON_EMPTY, RING_RESET; conformance/platform.md says what a driver sees.

import type { DmaMemory } from '../device';
import { VirtioDevice, VirtioLink, VIRTIO_F_RING_INDIRECT_DESC, VIRTIO_F_VERSION_1 } from './virtio-mmio';
import { Virtqueue, VirtioError, gather, scatter, totalLength } from './virtqueue';
import { ETH_HEADER, MAX_FRAME, SwitchPort } from './ethernet-switch';

export const VIRTIO_ID_NET = 1;
export const VIRTIO_NET_F_MAC = 5n, VIRTIO_NET_F_MRG_RXBUF = 15n, VIRTIO_NET_F_STATUS = 16n;
export const VIRTIO_NET_S_LINK_UP = 1;
export const NET_RX = 0, NET_TX = 1;
/** QEMU's virtio-net rx_queue_size and tx_queue_size: a queue's size until the driver writes QueueNum. */
export const NET_QUEUE_SIZE = 256;
/** virtio-mmio's queue limit on QEMU (VIRTQUEUE_MAX_SIZE). */
export const NET_QUEUE_MAX = 1024;
/** struct virtio_net_hdr: 12 bytes with VERSION_1 (or MRG_RXBUF), 10 for a legacy driver (5.1.6). */
export const NET_HDR_V1 = 12, NET_HDR_LEGACY = 10;
/**
 * Frames that wait for the driver: for receive buffers, or for the driver itself (before
 * DRIVER_OK, across a reset: a card handed from one owner to the next keeps what arrived in
 * between; QEMU's net layer likewise queues what its card cannot receive yet). Beyond this many
 * they are dropped (devirt's bound; conformance/platform.md).
 */
export const RX_BACKLOG = 256;
/** QEMU's first default MAC address (qemu_macaddr_default_if_unset: 52:54:00:12:34:56, then ...:57). */
export const DEFAULT_MAC = Uint8Array.of(0x52, 0x54, 0x00, 0x12, 0x34, 0x56);

const bit = (n: bigint) => 1n << n;

export interface NetStats {
  /** Frames the guest transmitted and the card handed to the switch. */
  txFrames: number;
  /** Transmit chains not sent: shorter than an Ethernet header, or longer than MAX_FRAME. */
  txDropped: number;
  /** Frames written into receive buffers. */
  rxFrames: number;
  /** Frames from the switch lost: backlog full, or larger than the buffer offered. */
  rxDropped: number;
}

export class VirtioNet implements VirtioDevice, SwitchPort {
  readonly deviceId = VIRTIO_ID_NET;
  readonly features = bit(VIRTIO_NET_F_MAC) | bit(VIRTIO_NET_F_STATUS) | bit(VIRTIO_F_RING_INDIRECT_DESC) | bit(VIRTIO_F_VERSION_1);
  readonly queueMax = NET_QUEUE_MAX;
  readonly queueDefault = NET_QUEUE_SIZE;
  readonly queueCount = 2;
  readonly stats: NetStats = { txFrames: 0, txDropped: 0, rxFrames: 0, rxDropped: 0 };
  private readonly config = new Uint8Array(8);
  private link: VirtioLink | null = null;
  private backlog: Uint8Array[] = [];
  /** Where transmitted frames go (the switch port's input); frames are dropped until connected. */
  transmit: (frame: Uint8Array) => void = () => undefined;

  constructor(readonly mac: Uint8Array = DEFAULT_MAC, readonly name = 'nic') {
    if (mac.length !== 6) throw new Error(`virtio-net: a MAC address has 6 bytes, not ${mac.length}`);
    // struct virtio_net_config: mac[6], status (5.1.4); max_virtqueue_pairs and mtu need features not offered.
    this.config.set(mac, 0);
    this.config[6] = VIRTIO_NET_S_LINK_UP;
  }

  bind(link: VirtioLink): void { this.link = link; }

  /** A device reset forgets the driver's state; frames waiting for the next driver stay. */
  reset(): void { /* nothing: the queues are the transport's, the backlog outlives drivers */ }

  started(): void { if (this.backlog.length) this.link?.service(NET_RX); }

  configRead(off: number, width: 1 | 2 | 4): number {
    if (off + width > this.config.length) return 0;
    let v = 0;
    for (let i = width - 1; i >= 0; i--) v = v * 256 + this.config[off + i];
    return v;
  }

  /** The MAC is read-only: VERSION_1 drivers must not write it (5.1.4.2), and CTRL_MAC_ADDR is not offered. */
  configWrite(): void { /* ignored */ }

  /** The header's size for what the driver negotiated (5.1.6: 12 bytes if VERSION_1 or MRG_RXBUF). */
  private headerSize(): number {
    const f = this.link?.negotiated() ?? 0n;
    return (f & (bit(VIRTIO_F_VERSION_1) | bit(VIRTIO_NET_F_MRG_RXBUF))) !== 0n ? NET_HDR_V1 : NET_HDR_LEGACY;
  }

  /** A frame from the switch. */
  deliver(frame: Uint8Array): void {
    if (this.backlog.length >= RX_BACKLOG) { this.stats.rxDropped++; return; }
    this.backlog.push(frame.slice());
    // The transport processes the queue only for a driver that is up (DRIVER_OK, queue ready).
    this.link?.service(NET_RX);
  }

  /** Machine power-on: nothing waits (a guest reset of the card, above, keeps the frames). */
  powerOn(): void { this.backlog = []; }

  /** Frames waiting for receive buffers. */
  get pending(): number { return this.backlog.length; }

  process(q: Virtqueue, mem: DmaMemory): boolean {
    return q.index === NET_RX ? this.receive(q, mem) : this.send(q, mem);
  }

  /** Fill posted receive buffers with waiting frames, one frame per chain (no MRG_RXBUF). */
  private receive(q: Virtqueue, mem: DmaMemory): boolean {
    let used = false;
    const hdr = this.headerSize();
    while (this.backlog.length) {
      const chain = q.pop(mem);
      if (chain === null) break;
      const frame = this.backlog.shift()!;
      if (chain.writable.length === 0) throw new VirtioError('virtio-net: receive buffer with no device-writable descriptor');
      const room = totalLength(chain.writable);
      if (room < hdr + frame.length) {
        // 5.1.6.3.1 asks drivers for buffers of at least 1526 bytes; a frame that does not fit is
        // dropped and the buffer kept for the next one, as QEMU does without MRG_RXBUF.
        q.unpop();
        this.stats.rxDropped++;
        continue;
      }
      const data = new Uint8Array(hdr + frame.length);
      // flags 0, gso_type VIRTIO_NET_HDR_GSO_NONE, no checksum to do; num_buffers 1 (5.1.6.4).
      if (hdr === NET_HDR_V1) data[10] = 1;
      data.set(frame, hdr);
      if (!scatter(mem, chain.writable, data)) throw new VirtioError('virtio-net: receive buffer outside RAM');
      q.push(mem, chain.head, data.length);
      this.stats.rxFrames++;
      used = true;
    }
    return used;
  }

  /** Send every transmit chain offered: the header, then the frame (it may span descriptors). */
  private send(q: Virtqueue, mem: DmaMemory): boolean {
    let used = false;
    const hdr = this.headerSize();
    for (let chain = q.pop(mem); chain !== null; chain = q.pop(mem)) {
      const len = totalLength(chain.readable);
      if (len < hdr) throw new VirtioError(`virtio-net: transmit chain of ${len} bytes has no ${hdr}-byte header`);
      const frameLen = len - hdr;
      const sendable = frameLen >= ETH_HEADER && frameLen <= MAX_FRAME;
      const frame = sendable ? gather(mem, chain.readable, hdr, frameLen) : null;
      if (sendable && frame === null) throw new VirtioError('virtio-net: transmit buffer outside RAM');
      // The used length of a transmit buffer is 0: the device wrote nothing into it (as QEMU).
      q.push(mem, chain.head, 0);
      used = true;
      if (frame === null) { this.stats.txDropped++; continue; }
      this.stats.txFrames++;
      this.transmit(frame);
    }
    return used;
  }
}

/** `52:54:00:12:34:56` -> bytes; null when it is not six colon-separated hex octets. */
export function parseMac(text: string): Uint8Array | null {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i.exec(text.trim());
  return m ? Uint8Array.from(m.slice(1), (h) => parseInt(h, 16)) : null;
}

export const formatMac = (mac: Uint8Array): string => [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');

/** QEMU's default MAC for the n-th card given none (0-based): 52:54:00:12:34:56 + n. */
export function defaultMac(n: number): Uint8Array {
  const mac = DEFAULT_MAC.slice();
  mac[5] = (mac[5] + n) & 0xff;
  return mac;
}

/**
 * Every card's MAC, cards taken in creation order, as QEMU 7.2's qemu_macaddr_default_if_unset
 * gives them: a card without one takes 52:54:00:12:34:XX with the lowest XX from 0x56 not yet
 * used by a card created before it (an explicit address in that range counts as used).
 */
export function assignMacs(given: (Uint8Array | undefined)[]): Uint8Array[] {
  const used = new Set<number>();
  return given.map((mac) => {
    if (mac) {
      if (DEFAULT_MAC.subarray(0, 5).every((b, i) => mac[i] === b)) used.add(mac[5]);
      return mac;
    }
    let last = DEFAULT_MAC[5];
    while (last < 0xff && used.has(last)) last++;
    used.add(last);
    const m = DEFAULT_MAC.slice();
    m[5] = last;
    return m;
  });
}
