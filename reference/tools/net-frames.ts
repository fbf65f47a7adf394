// Ethernet II, ARP (RFC 826, for IPv4 over Ethernet), IPv4 (RFC 791) and UDP (RFC 768) frames:
// built and parsed for tests, the harness and host-side tools that talk to guests through the
// machine's switch. Parsing is strict and says what is wrong; checksums are verified.

export const ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_ARP = 0x0806;
export const IPPROTO_UDP = 17;
export const ARP_REQUEST = 1, ARP_REPLY = 2;
export const BROADCAST_MAC = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

export class FrameError extends Error {}

export interface EthernetFrame { dst: Uint8Array; src: Uint8Array; type: number; payload: Uint8Array }
export interface ArpPacket { op: number; senderMac: Uint8Array; senderIp: Uint8Array; targetMac: Uint8Array; targetIp: Uint8Array }
export interface Ipv4Packet { src: Uint8Array; dst: Uint8Array; protocol: number; ttl: number; id: number; payload: Uint8Array }
export interface UdpDatagram { srcPort: number; dstPort: number; payload: Uint8Array }

/** `10.0.2.15` -> 4 bytes. */
export function ip(text: string): Uint8Array {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new FrameError(`'${text}' is not an IPv4 address`);
  return Uint8Array.from(parts, Number);
}
export const ipText = (a: Uint8Array): string => [...a].join('.');
export const macText = (m: Uint8Array): string => [...m].map((b) => b.toString(16).padStart(2, '0')).join(':');
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
export { same as bytesEqual };

/** The Internet checksum (RFC 1071): one's complement of the one's complement sum of 16-bit words. */
export function inetChecksum(...parts: Uint8Array[]): number {
  let sum = 0, odd = -1;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (odd < 0) odd = p[i];
      else { sum += (odd << 8) | p[i]; odd = -1; }
    }
  }
  if (odd >= 0) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ethernet(dst: Uint8Array, src: Uint8Array, type: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + payload.length);
  f.set(dst, 0); f.set(src, 6);
  f[12] = type >> 8; f[13] = type & 0xff;
  f.set(payload, 14);
  return f;
}

export function parseEthernet(f: Uint8Array): EthernetFrame {
  if (f.length < 14) throw new FrameError(`Ethernet frame of ${f.length} bytes is shorter than its 14-byte header`);
  return { dst: f.slice(0, 6), src: f.slice(6, 12), type: (f[12] << 8) | f[13], payload: f.slice(14) };
}

export function arp(p: ArpPacket): Uint8Array {
  const b = new Uint8Array(28);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, 1); // hardware type: Ethernet
  dv.setUint16(2, ETHERTYPE_IPV4);
  b[4] = 6; b[5] = 4;
  dv.setUint16(6, p.op);
  b.set(p.senderMac, 8); b.set(p.senderIp, 14); b.set(p.targetMac, 18); b.set(p.targetIp, 24);
  return b;
}

export function parseArp(b: Uint8Array): ArpPacket {
  if (b.length < 28) throw new FrameError(`ARP packet of ${b.length} bytes is shorter than 28`);
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  if (dv.getUint16(0) !== 1 || dv.getUint16(2) !== ETHERTYPE_IPV4 || b[4] !== 6 || b[5] !== 4) throw new FrameError('ARP packet is not IPv4 over Ethernet');
  return { op: dv.getUint16(6), senderMac: b.slice(8, 14), senderIp: b.slice(14, 18), targetMac: b.slice(18, 24), targetIp: b.slice(24, 28) };
}

/** An ARP request from (mac, ip) for `targetIp`, broadcast. */
export function arpRequest(mac: Uint8Array, ipAddr: Uint8Array, targetIp: Uint8Array): Uint8Array {
  return ethernet(BROADCAST_MAC, mac, ETHERTYPE_ARP, arp({ op: ARP_REQUEST, senderMac: mac, senderIp: ipAddr, targetMac: new Uint8Array(6), targetIp }));
}

export function ipv4(p: { src: Uint8Array; dst: Uint8Array; protocol: number; payload: Uint8Array; ttl?: number; id?: number }): Uint8Array {
  const b = new Uint8Array(20 + p.payload.length);
  const dv = new DataView(b.buffer);
  b[0] = 0x45; // version 4, 5 words of header
  dv.setUint16(2, b.length);
  dv.setUint16(4, p.id ?? 0);
  dv.setUint16(6, 0x4000); // don't fragment
  b[8] = p.ttl ?? 64; b[9] = p.protocol;
  b.set(p.src, 12); b.set(p.dst, 16);
  dv.setUint16(10, inetChecksum(b.subarray(0, 20)));
  b.set(p.payload, 20);
  return b;
}

export function parseIpv4(b: Uint8Array): Ipv4Packet {
  if (b.length < 20) throw new FrameError(`IPv4 packet of ${b.length} bytes is shorter than 20`);
  if (b[0] >> 4 !== 4) throw new FrameError(`IP version ${b[0] >> 4}, not 4`);
  const ihl = (b[0] & 15) * 4;
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const total = dv.getUint16(2);
  if (ihl < 20 || total < ihl || total > b.length) throw new FrameError(`IPv4 header length ${ihl} / total length ${total} do not fit ${b.length} bytes`);
  if (inetChecksum(b.subarray(0, ihl)) !== 0) throw new FrameError('IPv4 header checksum is wrong');
  if (dv.getUint16(6) & 0x3fff) throw new FrameError('IPv4 fragment (fragments are not reassembled)');
  return { src: b.slice(12, 16), dst: b.slice(16, 20), protocol: b[9], ttl: b[8], id: dv.getUint16(4), payload: b.slice(ihl, total) };
}

/** A UDP datagram with its checksum over the IPv4 pseudo-header (RFC 768). */
export function udp(src: Uint8Array, dst: Uint8Array, srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + payload.length);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, srcPort); dv.setUint16(2, dstPort); dv.setUint16(4, b.length);
  b.set(payload, 8);
  const sum = inetChecksum(pseudoHeader(src, dst, b.length), b);
  dv.setUint16(6, sum === 0 ? 0xffff : sum);
  return b;
}

function pseudoHeader(src: Uint8Array, dst: Uint8Array, len: number): Uint8Array {
  const p = new Uint8Array(12);
  p.set(src, 0); p.set(dst, 4); p[9] = IPPROTO_UDP; p[10] = len >> 8; p[11] = len & 0xff;
  return p;
}

/** Parse a UDP datagram carried from `src` to `dst`; a nonzero checksum is verified. */
export function parseUdp(b: Uint8Array, src: Uint8Array, dst: Uint8Array): UdpDatagram {
  if (b.length < 8) throw new FrameError(`UDP datagram of ${b.length} bytes is shorter than 8`);
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const len = dv.getUint16(4);
  if (len < 8 || len > b.length) throw new FrameError(`UDP length ${len} does not fit ${b.length} bytes`);
  if (dv.getUint16(6) !== 0 && inetChecksum(pseudoHeader(src, dst, len), b.subarray(0, len)) !== 0) throw new FrameError('UDP checksum is wrong');
  return { srcPort: dv.getUint16(0), dstPort: dv.getUint16(2), payload: b.slice(8, len) };
}

/** A whole Ethernet + IPv4 + UDP frame. */
export function udpFrame(f: { srcMac: Uint8Array; dstMac: Uint8Array; srcIp: Uint8Array; dstIp: Uint8Array; srcPort: number; dstPort: number; payload: Uint8Array; id?: number }): Uint8Array {
  const datagram = udp(f.srcIp, f.dstIp, f.srcPort, f.dstPort, f.payload);
  return ethernet(f.dstMac, f.srcMac, ETHERTYPE_IPV4, ipv4({ src: f.srcIp, dst: f.dstIp, protocol: IPPROTO_UDP, payload: datagram, id: f.id }));
}

/** What a frame is, as far as these layers go. */
export type Decoded =
  | { kind: 'arp'; eth: EthernetFrame; arp: ArpPacket }
  | { kind: 'udp'; eth: EthernetFrame; ip: Ipv4Packet; udp: UdpDatagram }
  | { kind: 'ipv4'; eth: EthernetFrame; ip: Ipv4Packet }
  | { kind: 'other'; eth: EthernetFrame };

export function decode(frame: Uint8Array): Decoded {
  const eth = parseEthernet(frame);
  if (eth.type === ETHERTYPE_ARP) return { kind: 'arp', eth, arp: parseArp(eth.payload) };
  if (eth.type === ETHERTYPE_IPV4) {
    const ipp = parseIpv4(eth.payload);
    if (ipp.protocol === IPPROTO_UDP) return { kind: 'udp', eth, ip: ipp, udp: parseUdp(ipp.payload, ipp.src, ipp.dst) };
    return { kind: 'ipv4', eth, ip: ipp };
  }
  return { kind: 'other', eth };
}
