// Scripted client traffic through the machine's host endpoint, in guest time only: each client
// sends one request at a time, waits for its response, retries with the same request id (the
// protocol makes retries idempotent) every `retryTicks`, and sends its next request `thinkTicks`
// after a response. Every response is judged as it arrives against what the client knows was
// acknowledged (each client writes only its own keys, so a read has exactly one right answer),
// and recorded with its guest time for the timeline and the downtime.

import type { Machine } from '../../reference/machine/machine';
import type { DeviceTimer } from '../../reference/machine/device';
import { decode, arpRequest, udpFrame, ipText, bytesEqual, BROADCAST_MAC, FrameError } from '../../reference/tools/net-frames';
import { CLIENT_PORT_BASE, HOST_IP, HOST_MAC, Op, parseResponse, requestLine, Response, SERVICE_IP, SERVICE_PORT } from './protocol';

export interface RequestRecord {
  client: number;
  reqid: number;
  op: Op;
  /** Guest times (scenario time, ticks) of every transmission. */
  sent: number[];
  at: number | null;
  response: Response | null;
  /** Responses that came after the first (answers to retries). */
  duplicates: number;
}

export interface Violation { at: number; what: string }

/** What the clients know: the last acknowledged value of each key (null: deleted or never written). */
export class AckModel {
  readonly acked = new Map<string, { value: string | null; client: number; reqid: number; at: number }>();
  ackedWrites = 0;
  ack(key: string, value: string | null, client: number, reqid: number, at: number): void {
    this.acked.set(key, { value, client, reqid, at });
    this.ackedWrites++;
  }
}

interface ClientState { id: number; queue: { op: Op; notBefore: number }[]; outstanding: RequestRecord | null; nextAt: number; reqid: number }

export class Traffic {
  readonly records: RequestRecord[] = [];
  readonly violations: Violation[] = [];
  /** Every response (first answers only), in arrival order. */
  readonly responses: { at: number; version: number; client: number }[] = [];
  /** Service announcements (gratuitous ARP) with their time. */
  readonly announcements: number[] = [];
  readonly model = new AckModel();
  serviceMac: Uint8Array | null = null;
  private readonly clients = new Map<number, ClientState>();
  private machine: Machine | null = null;
  private timer: DeviceTimer | null = null;
  /** Scenario time of the attached machine's mtime 0 (a new machine after a reset starts at 0). */
  private epoch = 0;
  onIdle: (() => void) | null = null;
  /** Called for each judged response (for the scenario's own bookkeeping). */
  onResponse: ((r: RequestRecord) => void) | null = null;

  constructor(readonly retryTicks: number, readonly thinkTicks: number) {}

  now(): number { return this.epoch + (this.machine ? this.machine.hart.mtime() : 0); }

  /** Talk to `machine` (again after a reset: the same clients, a new machine whose time starts at `epoch`). */
  attach(machine: Machine, epoch: number): void {
    const host = machine.network?.host;
    if (!host) throw new Error('the machine has no network card: the service cannot be reached');
    this.machine = machine;
    this.epoch = epoch;
    host.collect = false;
    host.onFrame = (f, at) => this.frame(f, this.epoch + at);
    this.timer = machine.timers.create(() => this.tick());
    this.arp();
    this.rearm();
  }

  /** Queue `op` for client `id`, not sent before scenario time `notBefore`. */
  enqueue(id: number, op: Op, notBefore = 0): void {
    let c = this.clients.get(id);
    if (!c) { c = { id, queue: [], outstanding: null, nextAt: 0, reqid: 0 }; this.clients.set(id, c); }
    c.queue.push({ op, notBefore });
    this.rearm();
  }

  get busy(): boolean {
    for (const c of this.clients.values()) if (c.outstanding || c.queue.length) return true;
    return false;
  }

  private arp(): void {
    this.send(arpRequest(HOST_MAC, HOST_IP, SERVICE_IP));
  }

  private send(frame: Uint8Array): void {
    this.machine!.network!.host.send(frame);
  }

  private transmit(r: RequestRecord): void {
    const payload = new TextEncoder().encode(requestLine(r.client, r.reqid, r.op));
    this.send(udpFrame({
      srcMac: HOST_MAC, dstMac: this.serviceMac ?? BROADCAST_MAC, srcIp: HOST_IP, dstIp: SERVICE_IP,
      srcPort: CLIENT_PORT_BASE + r.client, dstPort: SERVICE_PORT, payload,
    }));
    r.sent.push(this.now());
  }

  private tick(): void {
    const now = this.now();
    for (const c of this.clients.values()) {
      const o = c.outstanding;
      if (o) {
        if (now >= o.sent[o.sent.length - 1] + this.retryTicks) {
          if (!this.serviceMac) this.arp();
          this.transmit(o);
        }
      } else if (c.queue.length && now >= Math.max(c.nextAt, c.queue[0].notBefore)) {
        const { op } = c.queue.shift()!;
        const r: RequestRecord = { client: c.id, reqid: ++c.reqid, op, sent: [], at: null, response: null, duplicates: 0 };
        this.records.push(r);
        c.outstanding = r;
        this.transmit(r);
      }
    }
    this.rearm();
    if (!this.busy) this.onIdle?.();
  }

  private rearm(): void {
    if (!this.timer || !this.machine) return;
    let next = Infinity;
    for (const c of this.clients.values()) {
      const o = c.outstanding;
      if (o) next = Math.min(next, o.sent[o.sent.length - 1] + this.retryTicks);
      else if (c.queue.length) next = Math.min(next, Math.max(c.nextAt, c.queue[0].notBefore));
    }
    if (next === Infinity) { this.timer.cancel(); return; }
    this.timer.set(Math.max(next - this.epoch, this.machine.hart.mtime()));
  }

  private frame(f: Uint8Array, at: number): void {
    let d;
    try { d = decode(f); } catch (e) {
      if (e instanceof FrameError) { this.violations.push({ at, what: `a malformed frame from the service: ${e.message}` }); return; }
      throw e;
    }
    if (d.kind === 'arp') {
      if (bytesEqual(d.arp.senderIp, SERVICE_IP)) {
        this.serviceMac = d.arp.senderMac;
        if (d.arp.op === 1) this.announcements.push(at);
      }
      return;
    }
    if (d.kind !== 'udp' || d.udp.srcPort !== SERVICE_PORT) return;
    if (!bytesEqual(d.ip.src, SERVICE_IP)) { this.violations.push({ at, what: `a response from ${ipText(d.ip.src)}, not the service address` }); return; }
    const text = new TextDecoder().decode(d.udp.payload);
    const resp = parseResponse(text);
    const c = this.clients.get(d.udp.dstPort - CLIENT_PORT_BASE);
    if (!resp || !c || resp.client !== c.id) { this.violations.push({ at, what: `a response that answers no request: ${JSON.stringify(text)}` }); return; }
    const o = c.outstanding;
    if (!o || o.reqid !== resp.reqid) {
      const old = this.records.find((r) => r.client === c.id && r.reqid === resp.reqid);
      if (old) { old.duplicates++; return; }
      this.violations.push({ at, what: `a response to request ${resp.client}:${resp.reqid}, which was never sent` });
      return;
    }
    if (resp.status === 'BUSY') return;   // not an answer: the retry timer sends it again
    o.response = resp;
    o.at = at;
    c.outstanding = null;
    c.nextAt = at + this.thinkTicks;
    this.responses.push({ at, version: resp.version, client: c.id });
    this.judge(o, resp, at);
    this.onResponse?.(o);
    // Send the next request from the timer, not from inside the device's transmit.
    this.rearm();
    if (!this.busy) this.onIdle?.();
  }

  private judge(r: RequestRecord, resp: Response, at: number): void {
    const o = r.op;
    const name = `${r.client}:${r.reqid} ${o.op}${'key' in o ? ` ${o.key}` : ''}`;
    if (o.op === 'PUT' || o.op === 'DEL') {
      if (resp.status === 'OK' || (o.op === 'DEL' && resp.status === 'NOTFOUND')) this.model.ack(o.key, o.op === 'PUT' ? o.value : null, r.client, r.reqid, at);
      else this.violations.push({ at, what: `${name} was refused: ${resp.status} ${resp.payload ?? ''}`.trim() });
    } else if (o.op === 'GET') {
      const want = this.model.acked.get(o.key);
      const expected = want ? want.value : null;
      const got = resp.status === 'OK' ? resp.payload ?? '' : resp.status === 'NOTFOUND' ? null : undefined;
      if (got === undefined) this.violations.push({ at, what: `${name} answered ${resp.status} ${resp.payload ?? ''}`.trim() });
      else if (got !== expected) {
        const since = want ? `the write acknowledged to ${want.client}:${want.reqid} at ${fmtTicks(want.at)} left ${JSON.stringify(expected)}` : 'it was never written';
        this.violations.push({ at, what: `wrong response: ${name} returned ${got === null ? 'NOTFOUND' : JSON.stringify(got)}, but ${since}` });
      }
    }
  }
}

/** Guest ticks (10 MHz) as milliseconds. */
export function fmtTicks(t: number): string { return `${(t / 10000).toFixed(3)} ms`; }
