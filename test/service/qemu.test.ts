// The service OS answers a host client over QEMU's `-netdev socket,udp=...` (one Ethernet frame
// per datagram) on QEMU and on `devirt boot` given the same command line: the test resolves the
// service's address by ARP, then sends VERSION, PUT, GET, DEL, GET, a retry of the PUT and HALT
// one at a time (each waits for its own answer, resent every 500 ms of host time until it comes), and requires the lines the protocol specifies
// (conformance/service-protocol.md), the same from both machines.
import { spawn, spawnSync } from 'child_process';
import * as dgram from 'dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { arpRequest, BROADCAST_MAC, decode, udpFrame } from '../../reference/tools/net-frames';
import { CLIENT_PORT_BASE, HOST_IP, HOST_MAC, SERVICE_IP, SERVICE_PORT } from '../../harness/service/protocol';
import { FIRMWARE, SERVICE_BUILD } from '../../harness/service/images';

const HAVE_QEMU = spawnSync('qemu-system-riscv64', ['--version']).status === 0;
const withQemu = HAVE_QEMU ? test : test.skip;
const DEVIRT = resolve(__dirname, '..', '..', '..', 'bin', 'devirt.js');

const LINES = ['1:1 VERSION', '1:2 PUT alpha one two', '1:3 GET alpha', '1:4 DEL alpha', '1:5 GET alpha', '1:2 PUT alpha again', '1:6 HALT'];
const EXPECTED = ['1:1 OK 1 kv-service v1 format 1', '1:2 OK 1', '1:3 OK 1 one two', '1:4 OK 1', '1:5 NOTFOUND 1', '1:2 OK 1 retry', '1:6 OK 1 halting'];

const request = (line: string) => udpFrame({
  srcMac: HOST_MAC, dstMac: BROADCAST_MAC, srcIp: HOST_IP, dstIp: SERVICE_IP,
  srcPort: CLIENT_PORT_BASE + 1, dstPort: SERVICE_PORT, payload: new TextEncoder().encode(line),
});

function line(disk: string): (h: number, g: number) => string[] {
  return (h, g) => [
    '-M', 'virt', '-m', '128M', '-nographic', '-bios', FIRMWARE, '-kernel', join(SERVICE_BUILD, 'service-v1.elf'),
    '-global', 'virtio-mmio.force-legacy=false',
    '-drive', `if=none,file=${disk},format=raw,id=d0`, '-device', 'virtio-blk-device,drive=d0',
    '-netdev', `socket,id=n0,udp=127.0.0.1:${h},localaddr=127.0.0.1:${g}`, '-device', 'virtio-net-device,netdev=n0',
  ];
}

/** Start the machine, then send each line and wait for its own answer (resending every 500 ms). */
async function session(command: string, prefix: string[]): Promise<{ answers: string[]; arp: boolean; console: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'devirt-svc-'));
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', r));
  const guestPort = probe.address().port;
  await new Promise<void>((r) => probe.close(() => r()));
  const answers: string[] = [];
  let arp = false, out = '';
  let wake: (() => void) | null = null;
  const seen: string[] = [];
  sock.on('message', (m) => {
    const d = decode(new Uint8Array(m));
    if (d.kind === 'arp' && d.arp.op === 2) arp = true;
    if (d.kind === 'udp' && d.udp.srcPort === SERVICE_PORT) seen.push(new TextDecoder().decode(d.udp.payload).replace(/\n$/, ''));
    wake?.();
  });
  const disk = join(dir, 'disk.img');
  writeFileSync(disk, Buffer.alloc(8 * 1024 * 1024));
  const child = spawn(command, [...prefix, ...line(disk)(sock.address().port, guestPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => { out += d.toString('latin1'); wake?.(); });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const until = async (ok: () => boolean, resend: () => void) => {
    for (let i = 0; i < 60 && !ok(); i++) {
      resend();
      await new Promise<void>((r) => { const t = setTimeout(r, 500); wake = () => { if (ok()) { clearTimeout(t); r(); } }; });
    }
    wake = null;
  };
  try {
    await until(() => /svc1 @\d+ serving/.test(out), () => undefined);
    await until(() => arp, () => sock.send(arpRequest(HOST_MAC, HOST_IP, SERVICE_IP), guestPort, '127.0.0.1'));
    for (const l of LINES) {
      const id = l.split(' ')[0] + ' ';
      const mine = () => seen.some((a) => a.startsWith(id) && !answers.includes(a));
      await until(mine, () => sock.send(request(l), guestPort, '127.0.0.1'));
      answers.push(seen.find((a) => a.startsWith(id) && !answers.includes(a)) ?? `(no answer to ${l})`);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, 20_000); })]);
    clearTimeout(timer);
    return { answers, arp, console: out.replace(/\r\n/g, '\n') };
  } finally {
    child.kill('SIGKILL');
    sock.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

withQemu(`the service answers a host client the same on QEMU and on devirt boot${HAVE_QEMU ? '' : ' (skipped: qemu-system-riscv64 is not installed)'}`, async () => {
  const q = await session('qemu-system-riscv64', []);
  expect(q.arp).toBe(true);
  expect(q.answers).toEqual(EXPECTED);
  const d = await session(process.execPath, [DEVIRT, 'boot']);
  expect(d.arp).toBe(true);
  expect(d.answers).toEqual(EXPECTED);
  expect(d.console).toMatch(/svc1 @\d+ halt \d+/);   // served counts retransmissions, which host timing decides
});
