// reference/guests/net/net-echo.c, a virtio-net driver with ARP and UDP echo, on the reference
// (its frames scripted through the host endpoint at guest times) and, unchanged, on QEMU 7.2 with
// `-netdev socket,udp=...,localaddr=...`: a Node UDP socket speaking QEMU's framing (one frame per
// datagram) sends the same frames to QEMU and to `devirt boot` given the same QEMU line, for both
// virtio-mmio transports, and the frames that come back must be the same bytes.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Machine } from '../../reference/machine/machine';
import {
  ARP_REPLY, BROADCAST_MAC, arpRequest, bytesEqual, decode, ethernet, inetChecksum, ip, ipv4, udpFrame, IPPROTO_UDP, ETHERTYPE_IPV4,
} from '../../reference/tools/net-frames';
import { runPeer } from './udp-peer';
import { GATEWAY_IP, GATEWAY_MAC, GUEST_IP as SLIRP_GUEST_IP, UdpGateway } from '../../reference/tools/udp-gateway';

const ROOT = path.resolve(__dirname, '../../..');
const IMAGE = path.join(ROOT, 'reference/guests/net/build/net-echo.elf');
const BIN = path.join(ROOT, 'bin/devirt.js');
const HAVE_QEMU = spawnSync('qemu-system-riscv64', ['--version']).status === 0;
const GUEST_MAC = Uint8Array.of(0x52, 0x54, 0x00, 0x12, 0x34, 0x56);
const HOST_MAC = Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x00, 0x02);
const HOST_IP = ip('10.0.2.2'), GUEST_IP = ip('10.0.2.15');
const text = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const toGuest = (payload: Uint8Array, srcPort = 40000, dstPort = 7, id = 0) =>
  udpFrame({ srcMac: HOST_MAC, dstMac: GUEST_MAC, srcIp: HOST_IP, dstIp: GUEST_IP, srcPort, dstPort, payload, id });

// The script: ARP, three echoes (the largest is a full 1500-byte IP packet), two frames that are
// not for the guest (another address; an IPv4 packet that is not UDP), then "quit".
const BIG = Uint8Array.from({ length: 1472 }, (_, i) => (i * 31 + 7) & 0xff);
const SCRIPT = [
  { frame: arpRequest(HOST_MAC, HOST_IP, GUEST_IP), await: true },
  { frame: toGuest(text('hello'), 40000, 7, 1), await: true },
  { frame: udpFrame({ srcMac: HOST_MAC, dstMac: BROADCAST_MAC, srcIp: HOST_IP, dstIp: ip('10.0.2.99'), srcPort: 1, dstPort: 2, payload: text('not mine') }), await: false },
  { frame: ethernet(GUEST_MAC, HOST_MAC, ETHERTYPE_IPV4, ipv4({ src: HOST_IP, dst: GUEST_IP, protocol: 1, payload: new Uint8Array(8) })), await: false },
  { frame: toGuest(BIG, 40001, 9999, 2), await: true },
  { frame: toGuest(new Uint8Array(0), 40002, 7, 3), await: true },
  { frame: toGuest(text('quit'), 40003, 7, 4), await: true },
];

/** What the specifications say the replies are, checked field by field. */
function checkReplies(replies: Uint8Array[]): void {
  expect(replies).toHaveLength(5);
  const arp = decode(replies[0]);
  // RFC 826: the reply swaps sender and target, fills in the sender's hardware address, op = reply.
  if (arp.kind !== 'arp') throw new Error(`first reply is ${arp.kind}, not ARP`);
  expect(arp.arp.op).toBe(ARP_REPLY);
  expect([arp.arp.senderMac, arp.arp.senderIp, arp.arp.targetMac, arp.arp.targetIp]).toEqual([GUEST_MAC, GUEST_IP, HOST_MAC, HOST_IP]);
  expect([arp.eth.dst, arp.eth.src]).toEqual([HOST_MAC, GUEST_MAC]);
  const expected: [Uint8Array, number, number][] = [[text('hello'), 7, 40000], [BIG, 9999, 40001], [new Uint8Array(0), 7, 40002], [text('bye'), 7, 40003]];
  expected.forEach(([payload, srcPort, dstPort], i) => {
    // decode verifies the IPv4 header checksum and a nonzero UDP checksum (RFC 791, RFC 768).
    const d = decode(replies[i + 1]);
    if (d.kind !== 'udp') throw new Error(`reply ${i + 1} is ${d.kind}, not UDP`);
    expect([d.eth.dst, d.eth.src, d.ip.src, d.ip.dst]).toEqual([HOST_MAC, GUEST_MAC, GUEST_IP, HOST_IP]);
    expect([d.udp.srcPort, d.udp.dstPort]).toEqual([srcPort, dstPort]);
    expect(bytesEqual(d.udp.payload, payload)).toBe(true);
    expect(d.ip.protocol).toBe(IPPROTO_UDP);
  });
  expect(inetChecksum(replies[2].subarray(14, 34))).toBe(0);
}

/** The script on an in-process machine, each frame 1000 ticks (100 us) after the last reply. */
function onReference(legacy: boolean, jit = false) {
  const m = new Machine({ bios: null, kernel: new Uint8Array(fs.readFileSync(IMAGE)), kernelName: 'net-echo.elf', nics: [{ slot: 7 }], virtioLegacy: legacy, jit });
  const host = m.network!.host;
  let r = m.run({ maxInsns: 5e6 });
  expect(r.reason).toBe('idle'); // up, and waiting in wfi for a frame
  for (const step of SCRIPT) {
    const before = host.collected.length;
    host.send(step.frame, m.hart.mtime() + 1000);
    r = m.run({ maxInsns: 5e6 });
    if (step.await) expect(host.collected.length).toBe(before + 1);
  }
  expect(r.reason).toBe('finisher');
  return { code: r.code, console: m.console, collected: host.collected, instret: m.hart.instret };
}

describe('net-echo on the reference', () => {
  test('answers ARP and echoes UDP as the RFCs say, over both transports, at the same guest times on every run (translated or not)', () => {
    const modern = onReference(false);
    expect(modern.code).toBe(0);
    expect(modern.console).toMatch(/version 2, 12-byte header\), mac 52:54:00:12:34:56, ip 10\.0\.2\.15\n.*3 echoes, 1 ARP replies, 2 frames ignored\nPASS\n$/s);
    checkReplies(modern.collected.map((c) => c.frame));
    const again = onReference(false);
    expect(again.collected).toEqual(modern.collected); // frames and their guest times
    // The translator changes nothing observable: the same frames at the same guest times.
    expect(onReference(false, true).collected).toEqual(modern.collected);
    const legacy = onReference(true);
    expect(legacy.console).toMatch(/version 1, 10-byte header/);
    checkReplies(legacy.collected.map((c) => c.frame));
  });
});

describe('net-echo behind the host endpoint as slirp\'s gateway (reference/tools/udp-gateway.ts)', () => {
  test('the gateway resolves the guest by ARP first, then its datagram is echoed back to the gateway port', () => {
    const m = new Machine({ bios: null, kernel: new Uint8Array(fs.readFileSync(IMAGE)), kernelName: 'net-echo.elf', nics: [{ slot: 7 }] });
    const host = m.network!.host;
    const gw = new UdpGateway(host);
    const got: { port: number; text: string; from: Uint8Array }[] = [];
    host.onFrame = (f, at) => gw.handle(f, at);
    gw.onDatagram = (d) => got.push({ port: d.dstPort, text: Buffer.from(d.payload).toString('latin1'), from: d.srcIp });
    expect(m.run({ maxInsns: 5e6 }).reason).toBe('idle');
    const t = m.hart.mtime() + 500;
    gw.send(SLIRP_GUEST_IP, 7, 50000, text('one'), t);
    gw.send(SLIRP_GUEST_IP, 7, 50001, text('two'), t); // waits for the same ARP reply
    m.run({ maxInsns: 5e6 });
    // The first frame out is the gateway's ARP request; the guest's ARP reply teaches the gateway its MAC.
    const kinds = host.collected.map((c) => decode(c.frame).kind);
    expect(kinds).toEqual(['arp', 'udp', 'udp']);
    expect(gw.macOf(SLIRP_GUEST_IP)).toEqual(GUEST_MAC);
    expect(got).toEqual([{ port: 50000, text: 'one', from: SLIRP_GUEST_IP }, { port: 50001, text: 'two', from: SLIRP_GUEST_IP }]);
    const first = decode(host.collected[1].frame);
    if (first.kind !== 'udp') throw new Error('not udp');
    expect([first.eth.dst, first.ip.dst]).toEqual([GATEWAY_MAC, GATEWAY_IP]);
  });
});

const withQemu = HAVE_QEMU ? describe : describe.skip;
withQemu(`net-echo on QEMU and on devirt boot, over QEMU's UDP socket netdev${HAVE_QEMU ? '' : ' (skipped: qemu-system-riscv64 is not installed)'}`, () => {
  const line = (legacy: boolean) => (hostPort: number, guestPort: number) => [
    '-M', 'virt', '-bios', 'none', '-nographic', '-m', '128M', '-kernel', IMAGE,
    ...(legacy ? [] : ['-global', 'virtio-mmio.force-legacy=false']),
    '-netdev', `socket,id=n0,udp=127.0.0.1:${hostPort},localaddr=127.0.0.1:${guestPort}`, '-device', 'virtio-net-device,netdev=n0',
  ];
  const script = { frames: SCRIPT, ready: /ip 10\.0\.2\.15\n/ };
  for (const legacy of [false, true]) {
    test(`the same frames come back, byte for byte (${legacy ? 'legacy transport, QEMU\'s default' : 'version 2 transport'})`, async () => {
      const q = await runPeer('qemu-system-riscv64', (h, g) => ['-cpu', 'rv64,f=off,d=off,h=off', ...line(legacy)(h, g)], script);
      const d = await runPeer(process.execPath, (h, g) => [BIN, 'boot', ...line(legacy)(h, g)], script);
      expect(q.code).toBe(0);
      checkReplies(q.received);
      expect(d.code).toBe(0);
      expect(d.received).toEqual(q.received);
      expect(d.console).toBe(q.console);
      // The reference's in-process run, scripted at guest times, answers the same bytes.
      expect(onReference(legacy).collected.map((c) => c.frame)).toEqual(q.received);
    });
  }

  test('an ordinary UDP client reaches it through -netdev user,hostfwd=udp:... on QEMU (slirp) and on devirt boot alike', async () => {
    // The client sends bare payloads to the forwarded port: no Ethernet, no ARP on its side.
    const fwd = (_host: number, guestPort: number) => ['-M', 'virt', '-bios', 'none', '-nographic', '-m', '128M', '-kernel', IMAGE,
      '-netdev', `user,id=n0,hostfwd=udp:127.0.0.1:${guestPort}-:7`, '-device', 'virtio-net-device,netdev=n0'];
    const plain = { ready: /ip 10\.0\.2\.15\n/, frames: [{ frame: text('hello'), await: true }, { frame: BIG, await: true }, { frame: text('quit'), await: true }] };
    const q = await runPeer('qemu-system-riscv64', (h, g) => ['-cpu', 'rv64,f=off,d=off,h=off', ...fwd(h, g)], plain);
    const d = await runPeer(process.execPath, (h, g) => [BIN, 'boot', ...fwd(h, g)], plain);
    expect(q.code).toBe(0);
    expect(q.received.map((r) => Buffer.from(r).toString('latin1'))).toEqual(['hello', Buffer.from(BIG).toString('latin1'), 'bye']);
    expect(d.code).toBe(0);
    expect(d.received).toEqual(q.received);
    expect(d.console).toBe(q.console);
  });
});
