// The GDB remote serial protocol engine, as QEMU's gdbstub offers it for one RISC-V hart (one
// hart = one thread, id 1). It knows nothing of sockets: bytes come in through `receive`, go out
// through `send`; the run loop asks `beforeInstruction` whether to stop before an instruction
// (breakpoints, single step, watchpoints) and reports the stop with `stoppedAtBreak`.
//
// Deterministic by construction: the stub never touches time or machine state on its own; a
// breakpoint or a step only decides where the run pauses, so the instruction sequence is the
// same as a run without a debugger (interrupts are taken during steps, unlike QEMU's default
// SSTEP_NOIRQ, because masking them would change the sequence).

import type { Hart } from '../machine/hart';
import { CSR_NAMES } from '../machine/csr';
import { accessOf } from './access';
import { debugRead, debugWrite } from './memory-view';
import { frame, fromHex, le64FromHex, le64Hex, RspReader, toHex, unescapeBinary } from './rsp';
import { REG_CSR_BASE, REG_PC, REG_PRIV, targetXml } from './target-description';

const SIGINT = 2, SIGTRAP = 5, SIGSEGV = 11;
const THREAD = '01';

type WatchKind = 'watch' | 'rwatch' | 'awatch';
interface Watchpoint { addr: bigint; len: bigint; kind: WatchKind }

export interface StubHooks {
  /** Raw bytes to the debugger (latin1). */
  send(data: string): void;
  /** The run may go on (after c, s, vCont, D). */
  resumed(): void;
  /** `k` or vKill: end the run. */
  kill(): void;
  /** `D`: the debugger leaves; the guest continues without it. */
  detached(): void;
}

export class GdbStub {
  halted = true;
  private noAck = false;
  private readonly reader: RspReader;
  private readonly breakpoints = new Set<number>();
  private readonly watchpoints: Watchpoint[] = [];
  private stepping = false;
  /** Where and when the last resume started (its first instruction is not stopped at again). */
  private resumePc = NaN;
  private resumeInstret = -1;
  private calls = 0;
  private pendingWatch: { instret: number; kind: WatchKind; addr: bigint; rd: number; conditional: boolean } | null = null;
  private stopReply = `T05thread:${THREAD};`;
  private interruptRequested = false;

  constructor(private readonly hart: () => Hart, private readonly hooks: StubHooks) {
    this.reader = new RspReader({
      packet: (p) => { if (!this.noAck) this.hooks.send('+'); this.handle(p); },
      interrupt: () => { if (!this.halted) this.interruptRequested = true; },
      bad: () => { if (!this.noAck) this.hooks.send('-'); },
    });
  }

  receive(data: string): void { this.reader.push(data); }

  /** The run loop should observe every instruction (breakpoints, watchpoints or a step). */
  get wantsTracer(): boolean { return !this.halted && (this.stepping || this.breakpoints.size > 0 || this.watchpoints.length > 0); }

  /** Ctrl-C arrived while running: stop now (between chunks). Returns true when it stopped. */
  takeInterrupt(): boolean {
    if (!this.interruptRequested || this.halted) return false;
    this.interruptRequested = false;
    this.stop(`T${hex2(SIGINT)}thread:${THREAD};`);
    return true;
  }

  /** The debugger attached to a running guest: halt it, as QEMU does on connection. */
  haltForAttach(): void { this.halted = true; this.stopReply = `T${hex2(SIGTRAP)}thread:${THREAD};`; }

  /** Before each instruction while running: true stops before it executes. */
  beforeInstruction(h: Hart, pc: number, bits: number): boolean {
    const first = this.calls++ === 0 && pc === this.resumePc && h.instret === this.resumeInstret;
    const w = this.pendingWatch;
    if (w !== null) {
      this.pendingWatch = null;
      // The watched instruction retired (it did not trap), so its access happened.
      if (h.instret > w.instret && !(w.conditional && h.getX(w.rd) !== 0n)) {
        return this.stopBefore(`T${hex2(SIGTRAP)}thread:${THREAD};${w.kind}:${w.addr.toString(16)};`);
      }
    }
    if (this.stepping && !first) return this.stopBefore(`T${hex2(SIGTRAP)}thread:${THREAD};`);
    if (!first && this.breakpoints.has(pc)) return this.stopBefore(`T${hex2(SIGTRAP)}thread:${THREAD};`);
    if (this.watchpoints.length) {
      const a = accessOf(h, bits);
      if (a !== null) {
        for (const wp of this.watchpoints) {
          const hit = wp.kind === 'watch' ? a.write : wp.kind === 'rwatch' ? a.read : true;
          if (hit && a.va < wp.addr + wp.len && wp.addr < a.va + BigInt(a.size)) {
            this.pendingWatch = { instret: h.instret, kind: wp.kind, addr: wp.addr, rd: a.rd, conditional: a.conditional === true };
            break;
          }
        }
      }
    }
    return false;
  }

  /** The run returned 'break' because beforeInstruction asked it to: tell the debugger. */
  stoppedAtBreak(): void { this.sendPacket(this.stopReply); }

  /** The hart is stuck in a trap storm: stop as on a fault (SIGSEGV) so that the debugger can look. */
  faulted(): void { if (!this.halted) this.stop(`T${hex2(SIGSEGV)}thread:${THREAD};`); }

  /** The guest finished: GDB's W (exited with status). */
  exited(code: number): void {
    this.halted = true;
    this.sendPacket(`W${hex2(code & 0xff)}`);
  }

  private stopBefore(reply: string): boolean {
    this.halted = true;
    this.stepping = false;
    this.stopReply = reply;
    return true;
  }

  private stop(reply: string): void {
    this.stopBefore(reply);
    this.sendPacket(reply);
  }

  private sendPacket(payload: string): void { this.hooks.send(frame(payload)); }

  private resume(step: boolean): void {
    const h = this.hart();
    this.halted = false;
    this.stepping = step;
    this.resumePc = h.pc;
    this.resumeInstret = h.instret;
    this.calls = 0;
    this.pendingWatch = null;
    this.interruptRequested = false;
    this.hooks.resumed();
  }

  private handle(p: string): void {
    const reply = this.reply(p);
    if (reply !== null) this.sendPacket(reply);
  }

  /** The reply to one packet; null when the reply comes later (resume) or never (kill). */
  private reply(p: string): string | null {
    const h = this.hart();
    const cmd = p[0];
    switch (cmd) {
      case '?': return this.stopReply;
      case 'g': {
        let s = '';
        for (let i = 0; i < 32; i++) s += le64Hex(h.getX(i));
        return s + le64Hex(h.getPc());
      }
      case 'G': {
        const body = p.slice(1);
        if (body.length < 33 * 16) return 'E01';
        const values: bigint[] = [];
        for (let i = 0; i < 33; i++) {
          const v = le64FromHex(body.slice(i * 16, i * 16 + 16));
          if (v === null) return 'E01';
          values.push(v);
        }
        for (let i = 1; i < 32; i++) h.setX(i, values[i]);
        h.setPc(values[32]);
        return 'OK';
      }
      case 'p': {
        const n = parseInt(p.slice(1), 16);
        const v = this.readRegister(h, n);
        return v === null ? 'E45' : le64Hex(v);
      }
      case 'P': {
        const m = /^P([0-9a-fA-F]+)=([0-9a-fA-F]{16})$/.exec(p);
        if (!m) return 'E01';
        return this.writeRegister(h, parseInt(m[1], 16), le64FromHex(m[2])!) ? 'OK' : 'E45';
      }
      case 'm': {
        const m = /^m([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
        if (!m) return 'E01';
        const bytes = debugRead(h, BigInt('0x' + m[1]), Math.min(parseInt(m[2], 16), 0x4000));
        return bytes === null ? 'E14' : toHex(bytes);
      }
      case 'M': case 'X': {
        const m = /^[MX]([0-9a-fA-F]+),([0-9a-fA-F]+):([\s\S]*)$/.exec(p);
        if (!m) return 'E01';
        const data = cmd === 'M' ? fromHex(m[3]) : unescapeBinary(m[3]);
        if (data === null || data.length !== parseInt(m[2], 16)) return 'E01';
        return debugWrite(h, BigInt('0x' + m[1]), data) ? 'OK' : 'E14';
      }
      case 'Z': case 'z': return this.breakOrWatch(cmd === 'Z', p.slice(1));
      case 'c': case 's': case 'C': case 'S': {
        // An address to resume at (c ADDR) is honoured; a signal number (C sig) is ignored.
        const arg = /^[cs]([0-9a-fA-F]+)$/.exec(p);
        if (arg) h.setPc(BigInt('0x' + arg[1]));
        this.resume(cmd === 's' || cmd === 'S');
        return null;
      }
      case 'v': return this.vPacket(p);
      case 'D':
        this.breakpoints.clear();
        this.watchpoints.length = 0;
        this.sendPacket('OK');
        this.halted = false;
        this.stepping = false;
        this.hooks.detached();
        return null;
      case 'k': this.hooks.kill(); return null;
      case 'H': return 'OK';
      case 'T': return p === `T${THREAD}` || p === 'T1' ? 'OK' : 'E22';
      case 'q': return this.query(p);
      case 'Q':
        if (p === 'QStartNoAckMode') { this.sendPacket('OK'); this.noAck = true; return null; }
        return '';
      default: return '';
    }
  }

  private vPacket(p: string): string | null {
    if (p === 'vCont?') return 'vCont;c;C;s;S';
    if (p.startsWith('vCont;')) {
      // The first action that applies to our thread (or to all threads) decides.
      for (const action of p.slice(6).split(';')) {
        const [what, thread] = action.split(':');
        if (thread !== undefined && parseInt(thread.replace(/^p[0-9a-f]+\./, ''), 16) !== 1 && thread !== '-1') continue;
        if (what[0] === 'c' || what[0] === 'C') { this.resume(false); return null; }
        if (what[0] === 's' || what[0] === 'S') { this.resume(true); return null; }
        if (what[0] === 't') return 'OK';
      }
      return 'E01';
    }
    if (p.startsWith('vKill')) { this.sendPacket('OK'); this.hooks.kill(); return null; }
    return '';
  }

  private query(p: string): string {
    if (p.startsWith('qSupported')) return 'PacketSize=4000;qXfer:features:read+;vContSupported+;QStartNoAckMode+';
    if (p === 'qAttached' || p.startsWith('qAttached:')) return '1';
    if (p === 'qfThreadInfo') return `m${THREAD}`;
    if (p === 'qsThreadInfo') return 'l';
    if (p === 'qC') return `QC${THREAD}`;
    if (p.startsWith('qThreadExtraInfo')) return toHex(new TextEncoder().encode(`hart 0, priv ${'USHM'[this.hart().priv]}`));
    if (p === 'qSymbol::') return 'OK';
    const x = /^qXfer:features:read:([^:]+):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
    if (x) {
      if (x[1] !== 'target.xml') return 'E00';
      const xml = targetXml();
      const off = parseInt(x[2], 16), len = parseInt(x[3], 16);
      const part = xml.slice(off, off + len);
      return (off + len >= xml.length ? 'l' : 'm') + part;
    }
    return '';
  }

  private breakOrWatch(insert: boolean, args: string): string {
    const m = /^([0-4]),([0-9a-fA-F]+),([0-9a-fA-F]+)/.exec(args);
    if (!m) return 'E01';
    const type = Number(m[1]);
    const addr = BigInt('0x' + m[2]);
    if (type <= 1) {
      // Software and hardware breakpoints alike stop before the instruction: no code is patched.
      const pc = Number(BigInt.asIntN(64, addr));
      if (insert) this.breakpoints.add(pc); else this.breakpoints.delete(pc);
      return 'OK';
    }
    const kind: WatchKind = type === 2 ? 'watch' : type === 3 ? 'rwatch' : 'awatch';
    const len = BigInt('0x' + m[3]);
    if (insert) this.watchpoints.push({ addr, len, kind });
    else {
      const i = this.watchpoints.findIndex((w) => w.addr === addr && w.len === len && w.kind === kind);
      if (i >= 0) this.watchpoints.splice(i, 1);
    }
    return 'OK';
  }

  private readRegister(h: Hart, n: number): bigint | null {
    if (n >= 0 && n < 32) return h.getX(n);
    if (n === REG_PC) return h.getPc();
    if (n === REG_PRIV) return BigInt(h.priv);
    if (n >= REG_CSR_BASE && n < REG_CSR_BASE + 4096 && CSR_NAMES.has(n - REG_CSR_BASE)) return h.readCsr(n - REG_CSR_BASE);
    return null;
  }

  private writeRegister(h: Hart, n: number, v: bigint): boolean {
    if (n >= 0 && n < 32) { h.setX(n, v); return true; }
    if (n === REG_PC) { h.setPc(v); return true; }
    if (n === REG_PRIV) {
      if (v !== 0n && v !== 1n && v !== 3n) return false;
      h.setPriv(Number(v));
      return true;
    }
    if (n >= REG_CSR_BASE && n < REG_CSR_BASE + 4096 && CSR_NAMES.has(n - REG_CSR_BASE)) { h.writeCsr(n - REG_CSR_BASE, v); return true; }
    return false;
  }
}

function hex2(n: number): string { return n.toString(16).padStart(2, '0'); }
