// The host endpoint as the gateway of QEMU's user-mode network (slirp), for UDP: it owns 10.0.2.2
// with slirp's MAC 52:55:0a:00:02:02, answers ARP requests for that address (RFC 826), resolves a
// guest's MAC by ARP before it sends to it (datagrams wait until the reply comes), and turns IPv4 +
// UDP frames addressed to it back into datagrams. `devirt boot --net-forward` (QEMU's `-netdev
// user,hostfwd=udp:...`) puts host sockets behind it; the harness can use it to speak UDP to a
// guest service with scripted guest times. Everything happens at guest times the caller gives (or
// at the frame's own), so a scripted exchange repeats exactly.

import type { HostEndpoint } from '../machine/devices/host-endpoint';
import { ARP_REPLY, ARP_REQUEST, BROADCAST_MAC, ETHERTYPE_ARP, FrameError, arp, arpRequest, bytesEqual, decode, ethernet, ip, ipText, udpFrame } from './net-frames';

/** slirp's defaults: the gateway's address and MAC, and the address it gives the guest. */
export const GATEWAY_IP = ip('10.0.2.2');
export const GATEWAY_MAC = Uint8Array.of(0x52, 0x55, 0x0a, 0x00, 0x02, 0x02);
export const GUEST_IP = ip('10.0.2.15');

export interface GatewayDatagram {
  srcIp: Uint8Array;
  srcPort: number;
  /** The gateway's port it was sent to. */
  dstPort: number;
  payload: Uint8Array;
  /** Guest time (mtime ticks) at which it left the machine. */
  at: number;
}

export class UdpGateway {
  /** IP (dotted) -> MAC learned from ARP. */
  private readonly arpCache = new Map<string, Uint8Array>();
  /** Datagrams waiting for an ARP reply, by destination IP. */
  private readonly waiting = new Map<string, { dstPort: number; srcPort: number; payload: Uint8Array }[]>();
  /** Called for every UDP datagram the guests send to the gateway's address. */
  onDatagram: ((d: GatewayDatagram) => void) | null = null;
  /** Frames the gateway did not take (not ARP for it, not UDP to it, or malformed). */
  ignored = 0;
  private id = 0;

  constructor(private readonly host: HostEndpoint, readonly ip: Uint8Array = GATEWAY_IP, readonly mac: Uint8Array = GATEWAY_MAC) {}

  /** Take a frame the switch gave the host (wire it as host.onFrame). */
  handle(frame: Uint8Array, at: number): void {
    let d;
    try { d = decode(frame); } catch (e) { if (e instanceof FrameError) { this.ignored++; return; } throw e; }
    if (d.kind === 'arp') {
      const a = d.arp;
      // RFC 826: merge the sender's address if it is in the table, or if the request is for us.
      const forUs = bytesEqual(a.targetIp, this.ip);
      if (forUs || this.arpCache.has(ipText(a.senderIp))) this.learn(a.senderIp, a.senderMac, at);
      if (forUs && a.op === ARP_REQUEST) {
        this.host.send(ethernet(a.senderMac, this.mac, ETHERTYPE_ARP, arp({ op: ARP_REPLY, senderMac: this.mac, senderIp: this.ip, targetMac: a.senderMac, targetIp: a.senderIp })), at);
      } else if (!forUs) this.ignored++;
      return;
    }
    if (d.kind === 'udp' && bytesEqual(d.ip.dst, this.ip)) {
      this.onDatagram?.({ srcIp: d.ip.src, srcPort: d.udp.srcPort, dstPort: d.udp.dstPort, payload: d.udp.payload, at });
      return;
    }
    this.ignored++;
  }

  /** The MAC of `addr`, if ARP has told it. */
  macOf(addr: Uint8Array): Uint8Array | undefined { return this.arpCache.get(ipText(addr)); }

  /**
   * Send `payload` from the gateway's `srcPort` to `dstIp:dstPort` at guest time `at` (default
   * now). If the guest's MAC is not known yet, an ARP request goes out and the datagram follows
   * the reply.
   */
  send(dstIp: Uint8Array, dstPort: number, srcPort: number, payload: Uint8Array, at?: number): void {
    const mac = this.arpCache.get(ipText(dstIp));
    if (mac) { this.host.send(this.frame(mac, dstIp, dstPort, srcPort, payload), at); return; }
    const key = ipText(dstIp);
    const queue = this.waiting.get(key);
    if (queue) { queue.push({ dstPort, srcPort, payload }); return; }
    this.waiting.set(key, [{ dstPort, srcPort, payload }]);
    this.host.send(arpRequest(this.mac, this.ip, dstIp), at);
  }

  private learn(addr: Uint8Array, mac: Uint8Array, at: number): void {
    if ((mac[0] & 1) || bytesEqual(mac, BROADCAST_MAC)) return;
    const key = ipText(addr);
    this.arpCache.set(key, mac.slice());
    const queue = this.waiting.get(key);
    if (!queue) return;
    this.waiting.delete(key);
    for (const q of queue) this.host.send(this.frame(mac, addr, q.dstPort, q.srcPort, q.payload), at);
  }

  private frame(mac: Uint8Array, dstIp: Uint8Array, dstPort: number, srcPort: number, payload: Uint8Array): Uint8Array {
    this.id = (this.id + 1) & 0xffff;
    return udpFrame({ srcMac: this.mac, dstMac: mac, srcIp: this.ip, dstIp, srcPort, dstPort, payload, id: this.id });
  }
}
