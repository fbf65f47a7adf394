// Host UDP ports forwarded to a guest's UDP ports, as QEMU's `-netdev user,hostfwd=udp:...` does:
// ordinary host tools (`nc -u 127.0.0.1 5555`) reach a guest service. Behind the forwarding the
// host endpoint is slirp's gateway (reference/tools/udp-gateway.ts: 10.0.2.2, answering ARP); a
// datagram from a host client enters the switch as a UDP frame from 10.0.2.2 and a port of its own
// for that client, so the guest's reply to that port goes back to that client.
//
// Like --net-udp, this is an input whose timing comes from the host: a datagram enters at the guest
// time the run has reached when devirt looks.

import * as dgram from 'dgram';
import { CliError } from './exit-codes';
import type { HostEndpoint } from '../reference/machine/devices/host-endpoint';
import { GUEST_IP, UdpGateway } from '../reference/tools/udp-gateway';
import { FrameError, ip, ipText } from '../reference/tools/net-frames';
import type { HostLink, UdpAddress } from './net-udp';

export interface ForwardRule { host: UdpAddress; guestIp: Uint8Array; guestPort: number; text: string }

/**
 * QEMU's `udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT` (hostfwd's syntax; an empty HOSTADDR is
 * 127.0.0.1 here, where QEMU binds every interface: a guest is not exposed by default).
 */
export function parseForward(text: string, what: string): ForwardRule {
  const m = /^(tcp|udp):([^:]*):(\d+)-([^:]*):(\d+)$/.exec(text.trim());
  if (!m) throw new CliError(`${what}: '${text}' is not udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT`);
  if (m[1] === 'tcp') throw new CliError(`${what}: '${text}': devirt forwards UDP only`);
  const hostPort = Number(m[3]), guestPort = Number(m[5]);
  if (!(hostPort <= 65535)) throw new CliError(`${what}: host port ${m[3]} in '${text}' is not 0..65535`);
  if (!(guestPort >= 1 && guestPort <= 65535)) throw new CliError(`${what}: guest port ${m[5]} in '${text}' is not 1..65535`);
  let guestIp = GUEST_IP;
  if (m[4]) {
    try { guestIp = ip(m[4]); } catch (e) { if (e instanceof FrameError) throw new CliError(`${what}: guest address '${m[4]}' in '${text}' is not an IPv4 address`); throw e; }
  }
  return { host: { host: m[2] || '127.0.0.1', port: hostPort }, guestIp, guestPort, text };
}

interface Bound { rule: ForwardRule; socket: dgram.Socket; local: UdpAddress }

/** The gateway's first port for host clients (the start of the dynamic range, RFC 6335). */
const FIRST_PORT = 49152;

export class UdpForward implements HostLink {
  private readonly inbox: { bound: Bound; client: UdpAddress; payload: Uint8Array }[] = [];
  /** gateway port -> where its replies go. */
  private readonly clients = new Map<number, { bound: Bound; client: UdpAddress }>();
  private readonly portOf = new Map<string, number>();
  private nextPort = FIRST_PORT;
  private wake: (() => void) | null = null;
  private closed = false;
  private inFlight = 0;
  private drained: (() => void) | null = null;
  private gateway: UdpGateway | null = null;
  received = 0;
  sent = 0;

  private constructor(readonly bound: Bound[]) {}

  static async open(rules: ForwardRule[], flag: string): Promise<UdpForward> {
    const bound: Bound[] = [];
    try {
      for (const rule of rules) {
        const socket = dgram.createSocket('udp4');
        await new Promise<void>((resolve, reject) => {
          socket.once('error', (e: NodeJS.ErrnoException) => { socket.close(); reject(new CliError(`${flag}: cannot bind UDP ${rule.host.host}:${rule.host.port} for ${rule.text}: ${e.code ?? e.message}`)); });
          socket.bind(rule.host.port, rule.host.host, () => { socket.removeAllListeners('error'); resolve(); });
        });
        const a = socket.address();
        bound.push({ rule, socket, local: { host: a.address, port: a.port } });
      }
    } catch (e) {
      for (const b of bound) b.socket.close();
      throw e;
    }
    const f = new UdpForward(bound);
    for (const b of bound) {
      b.socket.on('error', () => undefined);
      b.socket.on('message', (msg, rinfo) => {
        f.received++;
        f.inbox.push({ bound: b, client: { host: rinfo.address, port: rinfo.port }, payload: new Uint8Array(msg) });
        f.wake?.();
      });
    }
    return f;
  }

  /** The host endpoint becomes slirp's gateway; guests' datagrams to a client's port go to that client. */
  attach(host: HostEndpoint): void {
    const gw = new UdpGateway(host);
    this.gateway = gw;
    host.collect = false;
    host.onFrame = (frame, at) => gw.handle(frame, at);
    gw.onDatagram = (d) => {
      const c = this.clients.get(d.dstPort);
      if (!c || this.closed) return;
      this.sent++;
      this.inFlight++;
      c.bound.socket.send(d.payload, c.client.port, c.client.host, () => { if (--this.inFlight === 0) this.drained?.(); });
    };
  }

  /** Hand every datagram received so far to the guest, at the current guest time. */
  drain(): number {
    const gw = this.gateway;
    if (!gw) return 0;
    const n = this.inbox.length;
    for (const { bound, client, payload } of this.inbox.splice(0)) {
      const key = `${bound.local.port}/${client.host}:${client.port}`;
      let port = this.portOf.get(key);
      if (port === undefined) {
        port = this.nextPort++;
        if (port > 65535) { this.nextPort = FIRST_PORT; port = this.nextPort++; }
        const old = this.clients.get(port);
        if (old) this.portOf.delete(`${old.bound.local.port}/${old.client.host}:${old.client.port}`);
        this.portOf.set(key, port);
        this.clients.set(port, { bound, client });
      }
      gw.send(bound.rule.guestIp, bound.rule.guestPort, port, payload);
    }
    return n;
  }

  describe(): string {
    const rules = this.bound.map((b) => `udp ${b.local.host}:${b.local.port} -> ${ipText(b.rule.guestIp)}:${b.rule.guestPort}`).join(', ');
    return `the host is the gateway 10.0.2.2; forwarding ${rules}`;
  }

  next(): Promise<void> {
    if (this.inbox.length || this.closed) return Promise.resolve();
    return new Promise((resolve) => { this.wake = () => { this.wake = null; resolve(); }; });
  }

  interrupt(): void { this.wake?.(); }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    if (this.inFlight) await new Promise<void>((resolve) => { this.drained = resolve; });
    for (const b of this.bound) b.socket.close();
  }
}
