// RISC-V semihosting (the RISC-V Semihosting specification, version 0.3, on the Arm semihosting
// interface 2.0), as QEMU provides it with `-semihosting`: an `ebreak` preceded by
// `slli x0, x0, 0x1f` and followed by `srai x0, x0, 7` (all three uncompressed), from M or S mode,
// asks the host for the operation in a0 with the parameter block (or value) in a1; the result goes
// to a0 and the program goes on after the ebreak. picolibc's `--oslib=semihost`, Zephyr's and many
// bare-metal test programs print and exit this way.
//
// The reference stays deterministic: the clock operations count guest time (mtime), never the
// host's; the console is the machine's console (where the UART's bytes go); a read of the console
// gets end of file (there is no blocking input inside a run). Host files may be opened, read and
// written as QEMU allows (relative to devirt's working folder); SYS_SYSTEM, SYS_REMOVE, SYS_RENAME
// and SYS_TMPNAM are refused (the guest never runs host commands or deletes host files).
// Documented with the other differences from QEMU in README.md.

import * as fs from 'fs';
import type { Hart } from './hart';
import { debugRead, debugWrite } from '../debug/memory-view';

/** `slli x0, x0, 0x1f` before the ebreak and `srai x0, x0, 7` after it (RISC-V Semihosting, 2.1). */
export const SEMIHOST_ENTRY = 0x01f01013;
export const SEMIHOST_EXIT = 0x40705013;

/** Operation numbers (Arm semihosting 2.0, chapter 6). */
export const SYS = {
  OPEN: 0x01, CLOSE: 0x02, WRITEC: 0x03, WRITE0: 0x04, WRITE: 0x05, READ: 0x06, READC: 0x07,
  ISERROR: 0x08, ISTTY: 0x09, SEEK: 0x0a, FLEN: 0x0c, TMPNAM: 0x0d, REMOVE: 0x0e, RENAME: 0x0f,
  CLOCK: 0x10, TIME: 0x11, SYSTEM: 0x12, ERRNO: 0x13, GET_CMDLINE: 0x15, HEAPINFO: 0x16,
  EXIT: 0x18, EXIT_EXTENDED: 0x20, ELAPSED: 0x30, TICKFREQ: 0x31,
} as const;

/** The reason SYS_EXIT gives for a normal end (ADP_Stopped_ApplicationExit). */
export const ADP_STOPPED_APPLICATION_EXIT = 0x20026;

/** mtime ticks per second (QEMU virt's timebase). */
const TICKS_PER_SECOND = 10_000_000;
/** open() modes 0-11: r, rb, r+, r+b, w, wb, w+, w+b, a, ab, a+, a+b. */
const MODE_FLAGS = ['r', 'r', 'r+', 'r+', 'w', 'w', 'w+', 'w+', 'a', 'a', 'a+', 'a+'];
/** The special file a program reads for the optional features: magic "SHFB" then one byte (EXIT_EXTENDED, STDOUT_STDERR). */
const FEATURES = new Uint8Array([0x53, 0x48, 0x46, 0x42, 0x03]);
const EBADF = 9, EINVAL = 22, EPERM = 1, ENOENT = 2, EIO = 5;

type Handle =
  | { kind: 'console'; input: boolean }
  | { kind: 'features'; pos: number }
  | { kind: 'file'; fd: number; pos: number };

export interface SemihostingHost {
  /** A byte for the console (the machine's console, where the UART's bytes go). */
  consoleOut(byte: number): void;
  /** The guest ended the run with this status (SYS_EXIT, SYS_EXIT_EXTENDED). */
  exit(code: number): void;
  /** What SYS_GET_CMDLINE answers (QEMU: the kernel's file name and -append). */
  cmdline: string;
}

export class Semihosting {
  private readonly handles = new Map<number, Handle>();
  private nextHandle = 1;
  private errno = 0;

  constructor(private readonly hart: Hart, private readonly host: SemihostingHost) {}

  /** Whether the ebreak at `pc` is a semihosting call (the hart's current privilege must be M or S). */
  isCall(pc: number): boolean {
    if (this.hart.priv === 0) return false;
    return this.hart.peekInstruction(pc - 4) === SEMIHOST_ENTRY && this.hart.peekInstruction(pc + 4) === SEMIHOST_EXIT;
  }

  /** Perform the call in a0 with a1 and put the result in a0. */
  call(): void {
    const op = Number(this.hart.getX(10) & 0xffffffffn);
    const arg = this.hart.getX(11);
    let r: bigint;
    try {
      r = this.perform(op, arg);
    } catch (e) {
      if (!(e instanceof GuestMemoryError)) throw e;
      this.errno = EINVAL;
      r = -1n;
    }
    this.hart.setX(10, BigInt.asUintN(64, r));
  }

  /** Field i (64 bits on RV64) of the parameter block at `block`. */
  private field(block: bigint, i: number): bigint {
    const b = debugRead(this.hart, block + BigInt(8 * i), 8);
    if (b === null) throw new GuestMemoryError();
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }

  private bytes(va: bigint, len: number): Uint8Array {
    if (len < 0 || len > 1 << 26) throw new GuestMemoryError();
    const b = debugRead(this.hart, va, len);
    if (b === null) throw new GuestMemoryError();
    return b;
  }

  private cString(va: bigint, max = 4096): string {
    let s = '';
    for (let i = 0; i < max; i++) {
      const c = this.bytes(va + BigInt(i), 1)[0];
      if (c === 0) return s;
      s += String.fromCharCode(c);
    }
    throw new GuestMemoryError();
  }

  private put(va: bigint, data: Uint8Array): void {
    if (!debugWrite(this.hart, va, data)) throw new GuestMemoryError();
  }

  private fail(errno: number): bigint { this.errno = errno; return -1n; }

  private hostErrno(e: unknown): number {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? ENOENT : code === 'EACCES' || code === 'EPERM' ? EPERM : code === 'EISDIR' || code === 'EINVAL' ? EINVAL : EIO;
  }

  private perform(op: number, arg: bigint): bigint {
    switch (op) {
      case SYS.WRITEC: this.host.consoleOut(this.bytes(arg, 1)[0]); return 0n;
      case SYS.WRITE0: for (const c of Buffer.from(this.cString(arg, 1 << 20), 'latin1')) this.host.consoleOut(c); return 0n;
      case SYS.READC: return -1n;   // end of input: nothing blocks inside a run
      case SYS.OPEN: return this.open(this.cString(this.field(arg, 0)), Number(this.field(arg, 1)), Number(this.field(arg, 2)));
      case SYS.CLOSE: {
        const h = Number(this.field(arg, 0));
        const x = this.handles.get(h);
        if (!x) return this.fail(EBADF);
        if (x.kind === 'file') fs.closeSync(x.fd);
        this.handles.delete(h);
        return 0n;
      }
      case SYS.WRITE: {
        const x = this.handles.get(Number(this.field(arg, 0)));
        const len = Number(this.field(arg, 2));
        if (!x) { this.errno = EBADF; return BigInt(len); }
        const data = this.bytes(this.field(arg, 1), len);
        if (x.kind === 'console') { for (const c of data) this.host.consoleOut(c); return 0n; }
        if (x.kind === 'features') { this.errno = EBADF; return BigInt(len); }
        try { const n = fs.writeSync(x.fd, data, 0, len, x.pos); x.pos += n; return BigInt(len - n); }
        catch (e) { this.errno = this.hostErrno(e); return BigInt(len); }
      }
      case SYS.READ: {
        const x = this.handles.get(Number(this.field(arg, 0)));
        const buf = this.field(arg, 1), len = Number(this.field(arg, 2));
        if (!x) { this.errno = EBADF; return BigInt(len); }
        if (len < 0 || len > 1 << 26) return this.fail(EINVAL);
        if (x.kind === 'console') return BigInt(len);   // end of file
        const src = x.kind === 'features' ? FEATURES.subarray(Math.min(x.pos, FEATURES.length)) : null;
        let got: Uint8Array;
        if (src) got = src.subarray(0, len);
        else {
          const b = new Uint8Array(len);
          try { got = b.subarray(0, fs.readSync((x as { fd: number }).fd, b, 0, len, x.pos)); }
          catch (e) { this.errno = this.hostErrno(e); return BigInt(len); }
        }
        this.put(buf, got);
        x.pos += got.length;
        return BigInt(len - got.length);
      }
      case SYS.ISERROR: return BigInt.asIntN(64, this.field(arg, 0)) < 0n ? 1n : 0n;
      case SYS.ISTTY: {
        const x = this.handles.get(Number(this.field(arg, 0)));
        if (!x) return this.fail(EBADF);
        return x.kind === 'console' ? 1n : 0n;
      }
      case SYS.SEEK: {
        const x = this.handles.get(Number(this.field(arg, 0)));
        const pos = Number(this.field(arg, 1));
        if (!x) return this.fail(EBADF);
        if (x.kind === 'console') return this.fail(EINVAL);
        x.pos = pos;
        return 0n;
      }
      case SYS.FLEN: {
        const x = this.handles.get(Number(this.field(arg, 0)));
        if (!x) return this.fail(EBADF);
        if (x.kind === 'console') return this.fail(EINVAL);
        if (x.kind === 'features') return BigInt(FEATURES.length);
        return BigInt(fs.fstatSync(x.fd).size);
      }
      case SYS.CLOCK: return BigInt(Math.floor(this.hart.mtime() / (TICKS_PER_SECOND / 100)));   // centiseconds of guest time
      case SYS.TIME: return BigInt(Math.floor(this.hart.mtime() / TICKS_PER_SECOND));   // seconds: the RTC's epoch is 0
      case SYS.ELAPSED: {
        const t = BigInt(this.hart.mtime());
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigUint64(0, t, true);
        this.put(arg, b);
        return 0n;
      }
      case SYS.TICKFREQ: return BigInt(TICKS_PER_SECOND);
      case SYS.ERRNO: return BigInt(this.errno);
      case SYS.GET_CMDLINE: {
        const buf = this.field(arg, 0), size = Number(this.field(arg, 1));
        const text = Buffer.from(this.host.cmdline, 'latin1');
        if (text.length + 1 > size) return this.fail(EINVAL);
        this.put(buf, new Uint8Array([...text, 0]));
        this.put(arg + 8n, u64(BigInt(text.length)));
        return 0n;
      }
      case SYS.HEAPINFO: {
        // Four zero words: "not known", so the program uses its own linker symbols (as with QEMU
        // for a program loaded as an ELF with its own heap).
        const block = this.field(arg, 0);
        this.put(block, new Uint8Array(32));
        return 0n;
      }
      case SYS.EXIT: case SYS.EXIT_EXTENDED: {
        // RV64: a parameter block (reason, subcode); an application exit returns the subcode.
        const reason = this.field(arg, 0), sub = this.field(arg, 1);
        this.host.exit(reason === BigInt(ADP_STOPPED_APPLICATION_EXIT) ? Number(BigInt.asIntN(32, sub)) : 1);
        return 0n;
      }
      case SYS.SYSTEM: case SYS.REMOVE: case SYS.RENAME: case SYS.TMPNAM: return this.fail(EPERM);
      default: return this.fail(EINVAL);
    }
  }

  private open(name: string, mode: number, len: number): bigint {
    if (mode < 0 || mode > 11) return this.fail(EINVAL);
    if (len !== name.length) name = name.slice(0, len);
    let h: Handle;
    if (name === ':tt') h = { kind: 'console', input: mode < 4 };
    else if (name === ':semihosting-features') {
      if (mode > 1) return this.fail(EPERM);
      h = { kind: 'features', pos: 0 };
    } else {
      try { h = { kind: 'file', fd: fs.openSync(name, MODE_FLAGS[mode]), pos: mode >= 8 ? fileSize(name) : 0 }; }
      catch (e) { return this.fail(this.hostErrno(e)); }
    }
    const n = this.nextHandle++;
    this.handles.set(n, h);
    return BigInt(n);
  }

  /** Close every host file (the machine is done or reset). */
  closeAll(): void {
    for (const h of this.handles.values()) if (h.kind === 'file') { try { fs.closeSync(h.fd); } catch { /* already gone */ } }
    this.handles.clear();
    this.nextHandle = 1;
    this.errno = 0;
  }
}

class GuestMemoryError extends Error {}

function fileSize(name: string): number { try { return fs.statSync(name).size; } catch { return 0; } }

function u64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}
