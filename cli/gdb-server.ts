// The TCP side of the GDB stub for `devirt boot --gdb PORT` (QEMU's -gdb tcp::PORT, -s, -S):
// one debugger at a time; the run loop asks `gate()` before each chunk of instructions whether
// the machine may run, and waits there while the debugger holds it stopped.

import * as net from 'net';
import type { Hart } from '../reference/machine/hart';
import { GdbStub } from '../reference/debug/gdb-stub';
import { CliError } from './exit-codes';

export interface GdbOptions {
  /** TCP port (0: any free port, reported on stderr). */
  port: number;
  /** Start halted at the reset vector until a debugger attaches and resumes (QEMU's -S). */
  waitForAttach: boolean;
}

export class GdbServer {
  stub: GdbStub | null = null;
  killed = false;
  private socket: net.Socket | null = null;
  private wake: (() => void) | null = null;
  private attachedOnce = false;

  private constructor(private readonly server: net.Server, readonly port: number, private readonly opts: GdbOptions, private readonly hart: () => Hart) {
    server.on('connection', (s) => this.accept(s));
  }

  static async listen(opts: GdbOptions, hart: () => Hart): Promise<GdbServer> {
    const server = net.createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(new CliError(`--gdb: cannot listen on tcp::${opts.port}: ${e.code ?? e.message}`)));
      server.listen(opts.port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
    return new GdbServer(server, port, opts, hart);
  }

  private accept(s: net.Socket): void {
    if (this.socket) { s.end(); return; } // one debugger at a time, as QEMU
    this.socket = s;
    this.attachedOnce = true;
    s.setNoDelay(true);
    const stub = new GdbStub(this.hart, {
      send: (d) => { if (!s.destroyed) s.write(Buffer.from(d, 'latin1')); },
      resumed: () => this.poke(),
      kill: () => { this.killed = true; this.poke(); },
      detached: () => { this.drop(); },
    });
    // A debugger attaching to a running guest stops it, as QEMU's gdbstub does.
    stub.haltForAttach();
    this.stub = stub;
    s.on('data', (d) => { stub.receive(d.toString('latin1')); this.poke(); });
    s.on('close', () => { if (this.socket === s) this.drop(); });
    s.on('error', () => { /* the close that follows detaches */ });
    this.poke();
  }

  /** The debugger left (D or a closed connection): the guest runs on without it. */
  private drop(): void {
    const s = this.socket;
    this.socket = null;
    this.stub = null;
    s?.end();
    this.poke();
  }

  private poke(): void { const w = this.wake; this.wake = null; w?.(); }

  /** Resolve when the machine may run ('run') or the debugger killed it ('kill'). */
  async gate(): Promise<'run' | 'kill'> {
    for (;;) {
      if (this.killed) return 'kill';
      const stub = this.stub;
      if (stub === null) {
        if (!(this.opts.waitForAttach && !this.attachedOnce)) return 'run';
      } else {
        stub.takeInterrupt();
        if (!stub.halted) return 'run';
      }
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }

  /** The guest finished: tell the debugger how, then let it go. */
  exited(code: number): void {
    this.stub?.exited(code);
    this.socket?.end();
  }

  /** A signal stops the run: stop waiting for the debugger. */
  abort(): void { this.killed = true; this.poke(); }

  close(): void {
    this.socket?.destroy();
    this.server.close();
  }
}
