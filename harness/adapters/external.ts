// An implementation in another process speaking the JSON-lines protocol (conformance/PROTOCOL.md)
// on its stdin and stdout. Every line it writes is checked against the schemas. A crash, a hang
// or a garbled reply is that vector's result; the process is restarted for the next vector.

import { ChildProcess, spawn } from 'child_process';
import { check } from '../../vectors/schema/validate';
import type { FromImplementation, HelloMessage, StateInputs, Step, ToImplementation, Vector } from '../../vectors/schema/types';
import { unknownCapabilities } from '../capabilities';
import { Implementation, Outcome, runRequest } from './implementation';

type Failure = Exclude<Outcome, { kind: 'observed' }>;

export interface ExternalOptions {
  /** Per-vector limit for an answer. */
  timeoutMs: number;
  /** Limit for the handshake after a start. */
  startTimeoutMs?: number;
  cwd?: string;
}

/** After this many starts in a row that fail their handshake, give up on the implementation. */
const MAX_FAILED_STARTS = 3;
/** The longest line accepted from an implementation (an observation of a 32 MiB region fits). */
const MAX_LINE = 64 * 1024 * 1024;
/** How many of the implementation's last stderr lines explain a crash or a failed handshake. */
const STDERR_LINES = 8;

class Connection {
  private parts: string[] = [];
  private partsLength = 0;
  private lines: string[] = [];
  private waiter: ((line: string | null) => void) | null = null;
  private stderrTail = '';
  exited: string | null = null;

  private discarding = false;

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      // A line arriving in many chunks is kept as the chunks and joined once, at its newline:
      // appending to one string and searching it again would cost quadratic time.
      let start = 0, nl: number;
      while ((nl = d.indexOf('\n', start)) >= 0) {
        this.parts.push(d.slice(start, nl));
        const line = this.parts.join('');
        this.parts = []; this.partsLength = 0;
        start = nl + 1;
        if (this.discarding) { this.discarding = false; continue; }
        this.deliver(line);
      }
      if (start < d.length && !this.discarding) { this.parts.push(d.slice(start)); this.partsLength += d.length - start; }
      // An endless line would exhaust the harness's memory: it is a malformed reply, and the
      // rest of it is dropped up to its newline.
      if (this.partsLength > MAX_LINE) {
        this.parts = []; this.partsLength = 0;
        this.deliver(`(a line of more than ${MAX_LINE} characters)`);
        this.discarding = true;
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => { this.stderrTail = (this.stderrTail + d).slice(-4000); });
    child.on('exit', (code, signal) => {
      this.exited = signal ? `killed by ${signal}` : `exited with code ${code}`;
      if (this.waiter) { const w = this.waiter; this.waiter = null; w(null); }
    });
    child.stdin!.on('error', () => { /* a dead implementation is reported by 'exit' */ });
  }

  private deliver(line: string): void {
    if (this.waiter) { const w = this.waiter; this.waiter = null; w(line); } else this.lines.push(line);
  }

  /** The next line, null when the process ended, 'timeout' when none came in time. */
  next(timeoutMs: number): Promise<string | null | 'timeout'> {
    if (this.lines.length) return Promise.resolve(this.lines.shift()!);
    if (this.exited) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.waiter = null; resolve('timeout'); }, timeoutMs);
      this.waiter = (line) => { clearTimeout(timer); resolve(line); };
    });
  }

  send(msg: ToImplementation): void { this.child.stdin!.write(JSON.stringify(msg) + '\n'); }

  /** Lines nobody asked for mean the stream is out of step. */
  get unsolicited(): boolean { return this.lines.length > 0; }
  /** The first line nobody asked for. */
  get firstUnsolicited(): string | undefined { return this.lines[0]; }

  /** How the process ended, with its last stderr lines (the last alone is often just "Node.js v20.20.2"). */
  describeExit(): string {
    // Stack frames ("    at f (file:1:2)") would push the message itself out of the tail.
    const lines = this.stderrTail.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '' && !/^\s+at\s/.test(l));
    const tail = lines.slice(-STDERR_LINES).map((l) => l.trim().slice(0, 200));
    return `${this.exited ?? 'ended'}${tail.length ? ` (stderr, last lines: ${tail.join(' | ')})` : ''}`;
  }

  kill(): void {
    if (this.exited) return;
    // The command runs through a shell in its own process group: end the whole group.
    try { process.kill(-this.child.pid!, 'SIGKILL'); } catch { try { this.child.kill('SIGKILL'); } catch { /* gone */ } }
  }
}

const brief = (s: string) => (s.length > 120 ? s.slice(0, 117) + '...' : s);

/** Parse and validate one line from the implementation; a string is the reason it is malformed. */
export function parseReply(line: string): FromImplementation | string {
  let msg: unknown;
  try { msg = JSON.parse(line); } catch { return `malformed reply (not JSON): ${brief(JSON.stringify(line))}`; }
  const type = (msg as { type?: unknown })?.type;
  const known = ['result', 'steps', 'error'];
  if (typeof type !== 'string' || !known.includes(type)) return `malformed reply: /type must be one of ${known.join(', ')} (value ${brief(JSON.stringify(type))})`;
  const bad = check(`protocol#/$defs/${type}`, msg);
  return bad ? `malformed ${type} reply: ${bad}` : (msg as FromImplementation);
}

export function parseHello(line: string): HelloMessage | string {
  let msg: unknown;
  try { msg = JSON.parse(line); } catch { return `handshake is not JSON: ${brief(JSON.stringify(line))}`; }
  const bad = check('protocol#/$defs/hello', msg);
  if (bad) return `bad handshake: ${bad}`;
  const unknown = unknownCapabilities((msg as HelloMessage).capabilities);
  return unknown ? `bad handshake: /capabilities: ${unknown}` : (msg as HelloMessage);
}

export class ExternalImplementation implements Implementation {
  private conn: Connection | null = null;
  private failedStarts = 0;
  private startError = '';

  private constructor(readonly command: string, readonly opts: ExternalOptions, public hello: HelloMessage) {}

  /** Start the implementation and read its handshake; throws with the reason when it cannot. */
  static async start(command: string, opts: ExternalOptions): Promise<ExternalImplementation> {
    const impl = new ExternalImplementation(command, opts, null as unknown as HelloMessage);
    const r = await impl.connect();
    if (typeof r === 'string') throw new Error(r);
    impl.hello = r;
    return impl;
  }

  private async connect(): Promise<HelloMessage | string> {
    const child = spawn(this.command, { shell: true, detached: true, stdio: ['pipe', 'pipe', 'pipe'], cwd: this.opts.cwd });
    const conn = new Connection(child);
    child.on('error', () => { /* reported through 'exit' */ });
    const line = await conn.next(this.opts.startTimeoutMs ?? Math.max(this.opts.timeoutMs, 10_000));
    let hello: HelloMessage | string;
    if (line === 'timeout') hello = `no handshake within ${this.opts.startTimeoutMs ?? Math.max(this.opts.timeoutMs, 10_000)} ms`;
    else if (line === null) { await new Promise((r) => setTimeout(r, 20)); hello = `the implementation ${conn.describeExit()} before its handshake`; }
    else hello = parseHello(line);
    if (typeof hello === 'string') { conn.kill(); return hello; }
    this.conn = conn;
    return hello;
  }

  private async ensure(): Promise<Connection | Failure> {
    if (this.conn && !this.conn.exited && !this.conn.unsolicited) return this.conn;
    // A reply nobody asked for (a second answer to the last request) breaks the protocol: it is
    // reported on the request it would otherwise be mistaken for, and the process is replaced.
    if (this.conn && !this.conn.exited && this.conn.unsolicited) {
      const line = this.conn.firstUnsolicited ?? '';
      this.conn.kill();
      this.conn = null;
      return { kind: 'crash', reason: `unsolicited reply (nothing was asked): ${brief(line)}; the implementation is restarted` };
    }
    this.conn?.kill();
    this.conn = null;
    if (this.failedStarts >= MAX_FAILED_STARTS) return { kind: 'crash', reason: `the implementation does not start any more: ${this.startError}` };
    const r = await this.connect();
    if (typeof r === 'string') { this.failedStarts++; this.startError = r; return { kind: 'crash', reason: `restart failed: ${r}` }; }
    this.failedStarts = 0;
    return this.conn!;
  }

  /** One request, one reply; any failure leaves the process to be replaced. */
  private async request(msg: Exclude<ToImplementation, { type: 'bye' }>): Promise<FromImplementation | Failure> {
    const conn = await this.ensure();
    if (!(conn instanceof Connection)) return conn;
    conn.send(msg);
    const line = await conn.next(this.opts.timeoutMs);
    if (line === 'timeout') { conn.kill(); this.conn = null; return { kind: 'timeout', reason: `no answer within ${this.opts.timeoutMs} ms` }; }
    if (line === null) {
      // Give 'exit' a moment to deliver the code and stderr.
      await new Promise((r) => setTimeout(r, 10));
      this.conn = null;
      return { kind: 'crash', reason: `the implementation ${conn.describeExit()}` };
    }
    const reply = parseReply(line);
    if (typeof reply === 'string') { conn.kill(); this.conn = null; return { kind: 'crash', reason: reply }; }
    if (reply.id !== msg.id) { conn.kill(); this.conn = null; return { kind: 'crash', reason: `reply for ${reply.id} to a request for ${msg.id}` }; }
    return reply;
  }

  async runAll(vectors: Vector[], imagesDir?: string): Promise<Outcome[]> {
    const out: Outcome[] = [];
    for (const v of vectors) {
      const reply = await this.request(runRequest(v, imagesDir));
      if (!('type' in reply)) { out.push(reply); continue; }
      if (reply.type === 'error') { out.push({ kind: 'error', reason: `the implementation reported: ${reply.message}` }); continue; }
      if (reply.type !== 'result') { out.push({ kind: 'crash', reason: `a ${reply.type} reply to a run request` }); continue; }
      const bad = check(`observation#/$defs/${v.inputs.kind}`, reply.observation);
      out.push(bad ? { kind: 'crash', reason: `malformed observation: ${bad}` } : { kind: 'observed', observation: reply.observation });
    }
    return out;
  }

  async steps(id: string, inputs: StateInputs): Promise<Step[] | Failure> {
    if (!this.hello.capabilities.includes('step')) return { kind: 'skip', reason: 'the implementation has no step capability' };
    const reply = await this.request({ type: 'trace', id, inputs });
    if (!('type' in reply)) return reply;
    if (reply.type === 'error') return { kind: 'error', reason: `the implementation reported: ${reply.message}` };
    if (reply.type !== 'steps') return { kind: 'crash', reason: `a ${reply.type} reply to a trace request` };
    return reply.steps;
  }

  async close(): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    if (!conn || conn.exited) return;
    conn.send({ type: 'bye' });
    conn.child.stdin!.end();
    const done = await conn.next(1000);
    if (done !== null) conn.kill();
  }
}
