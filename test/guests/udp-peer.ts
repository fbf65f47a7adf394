// The host's side of QEMU's `-netdev socket,udp=HOST:PORT,localaddr=HOST:PORT`: a Node UDP
// socket that speaks its framing (one Ethernet frame per datagram, nothing else) to a machine
// started as a child process (QEMU, or `devirt boot` with the same line), sends a script of frames
// one after another once the guest says it is up, and keeps every frame that comes back.

import { spawn } from 'child_process';
import * as dgram from 'dgram';

export interface PeerRun {
  /** Frames the machine sent to the host, in order of arrival. */
  received: Uint8Array[];
  console: string;
  stderr: string;
  code: number | null;
}

export interface PeerScript {
  /** The frames to send, in order; after each whose `await` is true the next waits for a frame back. */
  frames: { frame: Uint8Array; await: boolean }[];
  /** Console text that says the guest is ready for the first frame. */
  ready: RegExp;
}

async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/** Run `command` with `args(hostPort, guestPort)` and play the script against it. */
export async function runPeer(command: string, args: (host: number, guest: number) => string[], script: PeerScript, timeoutMs = 60_000): Promise<PeerRun> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const hostPort = sock.address().port;
  const guestPort = await freePort();
  const received: Uint8Array[] = [];
  let waiter: (() => void) | null = null;
  sock.on('message', (m) => { received.push(new Uint8Array(m)); waiter?.(); });
  const child = spawn(command, args(hostPort, guestPort), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  let readyResolve: () => void = () => undefined;
  const ready = new Promise<void>((r) => { readyResolve = r; });
  child.stdout.on('data', (d: Buffer) => { out += d.toString('latin1'); if (script.ready.test(out)) readyResolve(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString('latin1'); });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => { readyResolve(); waiter?.(); r(code); }));
  let done = false;
  const timer = setTimeout(() => { child.kill('SIGKILL'); }, timeoutMs);
  exited.then(() => { done = true; });
  try {
    await ready;
    for (const step of script.frames) {
      if (done) break;
      const before = received.length;
      sock.send(step.frame, guestPort, '127.0.0.1');
      if (step.await) await new Promise<void>((r) => { waiter = () => { if (received.length > before || done) { waiter = null; r(); } }; waiter(); });
    }
    const code = await exited;
    return { received, console: out.replace(/\r\n/g, '\n'), stderr: err, code };
  } finally {
    clearTimeout(timer);
    if (!done) child.kill('SIGKILL');
    sock.close();
  }
}
