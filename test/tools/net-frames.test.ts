// reference/tools/net-frames.ts against the RFCs' own numbers: the Internet checksum of RFC 1071's
// worked example, an IPv4 header whose checksum is known, ARP's field layout (RFC 826), UDP's
// pseudo-header checksum (RFC 768), and the parser's refusals.
import {
  ARP_REQUEST, BROADCAST_MAC, FrameError, arpRequest, decode, inetChecksum, ip, ipv4, parseIpv4, parseUdp, udp, udpFrame,
} from '../../reference/tools/net-frames';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!, (h) => parseInt(h, 16));

test('the Internet checksum: RFC 1071 section 3\'s example, odd lengths, and a header that verifies to 0', () => {
  // RFC 1071: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (one's complement), so the checksum is 220d.
  expect(inetChecksum(hex('0001f203f4f5f6f7'))).toBe(0x220d);
  // The same sum split at an odd byte across two parts.
  expect(inetChecksum(hex('0001f2'), hex('03f4f5f6f7'))).toBe(0x220d);
  // A trailing odd byte is padded with zero on the right.
  expect(inetChecksum(hex('ff'))).toBe(0x00ff);
  // A well-known IPv4 header (192.168.0.1 -> 192.168.0.199, UDP, 115 bytes): checksum b861.
  const h = hex('45000073000040004011 0000 c0a80001c0a800c7');
  expect(inetChecksum(h)).toBe(0xb861);
  h[10] = 0xb8; h[11] = 0x61;
  expect(inetChecksum(h)).toBe(0);
});

test('IPv4 and UDP build what they parse; a wrong checksum, a fragment or a short packet is refused by name', () => {
  const src = ip('10.0.2.2'), dst = ip('10.0.2.15');
  const d = udp(src, dst, 40000, 7, new Uint8Array(Buffer.from('hi')));
  expect(parseUdp(d, src, dst)).toEqual({ srcPort: 40000, dstPort: 7, payload: new Uint8Array(Buffer.from('hi')) });
  // The pseudo-header covers the addresses: the same datagram "from" elsewhere fails.
  expect(() => parseUdp(d, ip('10.0.2.3'), dst)).toThrow(new FrameError('UDP checksum is wrong'));
  const p = ipv4({ src, dst, protocol: 17, payload: d, id: 7 });
  expect(parseIpv4(p)).toMatchObject({ protocol: 17, ttl: 64, id: 7 });
  const bad = p.slice(); bad[8] = 1;
  expect(() => parseIpv4(bad)).toThrow('IPv4 header checksum is wrong');
  const frag = ipv4({ src, dst, protocol: 17, payload: d }); frag[6] = 0x20; frag[10] = frag[11] = 0;
  const c = inetChecksum(frag.subarray(0, 20)); frag[10] = c >> 8; frag[11] = c & 0xff;
  expect(() => parseIpv4(frag)).toThrow(/fragment/);
  expect(() => parseIpv4(p.subarray(0, 19))).toThrow('IPv4 packet of 19 bytes is shorter than 20');
  expect(() => ip('10.0.2')).toThrow(FrameError);
});

test('ARP (RFC 826): hardware type 1, protocol 0x0800, lengths 6 and 4, broadcast request', () => {
  const mac = Uint8Array.of(2, 0, 0, 0, 0, 2);
  const f = arpRequest(mac, ip('10.0.2.2'), ip('10.0.2.15'));
  expect(f.subarray(0, 6)).toEqual(BROADCAST_MAC);
  expect([...f.subarray(12, 22)]).toEqual([0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, ARP_REQUEST]);
  const d = decode(f);
  if (d.kind !== 'arp') throw new Error(d.kind);
  expect(d.arp.targetIp).toEqual(ip('10.0.2.15'));
  const u = decode(udpFrame({ srcMac: mac, dstMac: mac, srcIp: ip('1.2.3.4'), dstIp: ip('5.6.7.8'), srcPort: 1, dstPort: 2, payload: new Uint8Array(3) }));
  expect(u.kind).toBe('udp');
});
