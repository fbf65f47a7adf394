// The machine's switch connected to the host over UDP, as QEMU's `-netdev socket,udp=REMOTE,
// localaddr=LOCAL` connects a card: every datagram is one Ethernet frame, both ways, with no
// header of its own. Frames the switch sends to the host go to REMOTE; datagrams arriving on
// LOCAL enter the switch at the guest time the run has reached when devirt looks (between chunks
// of instructions, or at once when the guest waits in wfi).
//
// This is the one input of a run that depends on the host's timing, like keys typed on a terminal:
// when a datagram arrives decides the guest time at which its frame enters. Runs that must repeat
// exactly script their traffic through the host endpoint instead (machine.network.host.send).

import * as dgram from 'dgram';
import { CliError } from './exit-codes';
import type { HostEndpoint } from '../reference/machine/devices/host-endpoint';

export interface UdpAddress { host: string; port: number }

/** `HOST:PORT` (an IPv4 address or a name; PORT 0..65535, 0 only where `anyPort`). */
export function parseUdpAddress(text: string, what: string, anyPort = false): UdpAddress {
  const m = /^([^:\s]*):(\d+)$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= (anyPort ? 0 : 1) && port <= 65535)) {
    throw new CliError(`${what}: '${text}' is not HOST:PORT (a port 1..65535${anyPort ? ', or 0 for any free port' : ''})`);
  }
  return { host: m[1] || '0.0.0.0', port };
}

/** What `devirt boot` needs of a connection between the host and the machine's switch. */
export interface HostLink {
  attach(host: HostEndpoint): void;
  /** Hand what the host sent since the last call to the switch, at the current guest time; how many. */
  drain(): number;
  /** Resolve when something from the host waits, or on `interrupt`. */
  next(): Promise<void>;
  interrupt(): void;
  /** Where it connects, for the line on stderr. */
  describe(): string;
  /** Close once what the guest sent last has left. */
  close(): Promise<void>;
}

export class UdpLink implements HostLink {
  /** Datagrams received and not yet handed to the switch. */
  private readonly inbox: Uint8Array[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  /** Sends not yet completed, and who waits for them to finish. */
  private inFlight = 0;
  private drained: (() => void) | null = null;
  received = 0;
  sent = 0;
  /** Sends that failed (nobody listening at the remote address is normal for UDP). */
  sendErrors = 0;

  private constructor(private readonly socket: dgram.Socket, readonly local: UdpAddress, readonly remote: UdpAddress) {}

  /** Bind LOCAL and aim at REMOTE; a bind failure is a one-line error naming the address. */
  static open(remote: UdpAddress, local: UdpAddress, flag: string): Promise<UdpLink> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket('udp4');
      socket.once('error', (e: NodeJS.ErrnoException) => {
        socket.close();
        reject(new CliError(`${flag}: cannot bind UDP ${local.host}:${local.port}: ${e.code ?? e.message}`));
      });
      socket.bind(local.port, local.host, () => {
        socket.removeAllListeners('error');
        const a = socket.address();
        const link = new UdpLink(socket, { host: a.address, port: a.port }, remote);
        socket.on('error', () => { link.sendErrors++; });
        socket.on('message', (msg) => {
          link.received++;
          link.inbox.push(new Uint8Array(msg));
          link.wake?.();
        });
        resolve(link);
      });
    });
  }

  private host: HostEndpoint | null = null;

  /** Frames the switch sends to the host leave as datagrams (the host endpoint keeps no copies). */
  attach(host: HostEndpoint): void {
    this.host = host;
    host.collect = false;
    host.onFrame = (frame) => {
      if (this.closed) return;
      this.sent++;
      this.inFlight++;
      this.socket.send(frame, this.remote.port, this.remote.host, (e) => {
        if (e) this.sendErrors++;
        if (--this.inFlight === 0) this.drained?.();
      });
    };
  }

  /** Hand every datagram received so far to the switch, at the current guest time. */
  drain(): number {
    const n = this.inbox.length;
    const host = this.host;
    if (host) for (const f of this.inbox.splice(0)) host.send(f);
    return n;
  }

  describe(): string {
    return `frames to the host go to udp ${this.remote.host}:${this.remote.port}, devirt listens on udp ${this.local.host}:${this.local.port}`;
  }

  /** Resolve when a datagram is waiting (at once if one is), or `interrupt` is called. */
  next(): Promise<void> {
    if (this.inbox.length || this.closed) return Promise.resolve();
    return new Promise((resolve) => { this.wake = () => { this.wake = null; resolve(); }; });
  }

  /** Stop a wait (a signal, or terminal input arrived). */
  interrupt(): void { this.wake?.(); }

  /** Close once the frames the guest sent last have left (a reply just before the guest exits). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    if (this.inFlight) await new Promise<void>((resolve) => { this.drained = resolve; });
    this.socket.close();
  }
}
