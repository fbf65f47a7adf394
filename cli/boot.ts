// `devirt boot`: run a kernel on the reference machine the way `qemu-system-riscv64 -M virt`
// would. stdout carries exactly what the guest printed; the command's own messages go to stderr.

import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { BlockBackend, InternalError, MachineError } from '../reference/machine/machine';
import { FileBlockBackend } from '../reference/machine/devices/block-file';
import { ElfError, Symbolizer } from '../reference/tools/elf';
import { disassemble } from '../reference/tools/disasm';
import { CliError, EXIT, signalExitCode } from './exit-codes';
import { BootSession, DOORBELL_CAUSE, DoorbellEvent, SessionStop } from '../reference/session';
import { parseCount, parseSize } from './size';

export const DEFAULT_FIRMWARE = path.resolve(__dirname, '../../reference/firmware/build/microvisor.elf');
export const DEFAULT_MMODE_FIRMWARE = path.resolve(__dirname, '../../reference/firmware/mmode/build/mmode-fw.elf');

interface BootFlags {
  kernel: string; bios?: string; mmode?: string | boolean; doorbell?: string; drive?: string; mem?: string; maxInsns?: string; trace?: boolean; append?: string;
}

function readImage(file: string, flag: string): Uint8Array {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new CliError(`${flag}: ${file} is not a file`);
    if (st.size === 0) throw new CliError(`${flag}: ${file} is empty (0 bytes)`);
    return new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${flag}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function registerBoot(program: Command): void {
  program
    .command('boot')
    .description('boot a kernel on the reference machine (QEMU virt layout)')
    .requiredOption('--kernel <file>', 'kernel image (ELF or raw binary)')
    .option('--bios <none|file>', 'firmware: "none" runs the kernel in M-mode from reset; default: the Microvisor')
    .option('--mmode [firmware]', 'the kernel owns M-mode (a -bios none kernel): start it under the Microvisor\'s M-mode firmware (default: the built one)')
    .option('--doorbell <events>', 'ring the management doorbell at instruction counts, e.g. 2000:virtualize,30000:devirtualize')
    .option('--drive <file>', 'raw disk image for a virtio-blk device')
    .option('--mem <size>', 'RAM size as QEMU -m: 128M, 1G, 134217728B; a bare number is MiB (default 128M)')
    .option('--max-insns <n>', 'stop after this many instructions (exit 124)')
    .option('--append <args>', 'kernel command line (/chosen/bootargs)')
    .option('--trace', 'print a symbolized, disassembled instruction trace on stderr')
    .action(async (flags: BootFlags) => {
      process.exitCode = await boot(flags);
    });
}

async function boot(flags: BootFlags): Promise<number> {
  const ramSize = flags.mem ? parseSize(flags.mem, '--mem') : 128 * 1024 * 1024;
  const maxInsns = flags.maxInsns ? parseCount(flags.maxInsns, '--max-insns') : Infinity;
  const kernel = readImage(flags.kernel, '--kernel');
  let bios: Uint8Array | null;
  let biosName = flags.bios ?? DEFAULT_FIRMWARE;
  let mmodeFirmware: Uint8Array | null = null;
  const mmodeName = typeof flags.mmode === 'string' ? flags.mmode : DEFAULT_MMODE_FIRMWARE;
  if (flags.mmode !== undefined) {
    if (flags.bios !== undefined && flags.bios !== 'none') throw new CliError(`--mmode: cannot be combined with --bios ${flags.bios} (a kernel that owns M-mode has no SBI firmware)`);
    mmodeFirmware = readImage(mmodeName, '--mmode');
    bios = null;
    biosName = 'none';
  } else if (flags.bios === 'none') bios = null;
  else if (flags.bios) bios = readImage(flags.bios, '--bios');
  else if (fs.existsSync(DEFAULT_FIRMWARE)) bios = readImage(DEFAULT_FIRMWARE, '--bios');
  else throw new CliError(`default firmware ${DEFAULT_FIRMWARE} is not built; pass --bios none or --bios FILE`);
  const rings = parseDoorbell(flags.doorbell);
  const drive = flags.drive ? new TrackedDrive(openDrive(flags.drive)) : null;
  const signals = new SignalStop();
  try {
    return await bootWith(flags, { ramSize, maxInsns, kernel, bios, biosName, drive, signals, mmodeFirmware, mmodeName, rings });
  } finally {
    signals.detach();
    // Everything the guest wrote reaches the disk file, however the run ended.
    drive?.close();
  }
}

/** The disk, knowing whether anything was written since the last fsync. */
class TrackedDrive implements BlockBackend {
  private dirty = false;
  constructor(private readonly inner: BlockBackend) {}
  get size(): number { return this.inner.size; }
  get readOnly(): boolean | undefined { return this.inner.readOnly; }
  read(offset: number, length: number): Uint8Array { return this.inner.read(offset, length); }
  write(offset: number, data: Uint8Array): void { this.dirty = true; this.inner.write(offset, data); }
  flush(): void { this.inner.flush(); this.dirty = false; }
  /** fsync only when there is something to sync. */
  sync(): void { if (this.dirty) this.flush(); }
  close(): void { this.inner.close?.(); }
}

/**
 * SIGINT and SIGTERM end the run between chunks, so the console and the disk are flushed and
 * fsynced before devirt exits (128 + the signal number). While devirt blocks reading piped input
 * (where no handler could run), the default action applies again: the disk was synced just before.
 */
class SignalStop {
  stoppedBy: NodeJS.Signals | null = null;
  /** Wakes a wait for terminal input. */
  onStop: (() => void) | null = null;
  private readonly handler = (signal: NodeJS.Signals) => {
    if (this.stoppedBy) process.exit(signalExitCode(signal));
    this.stoppedBy = signal;
    this.onStop?.();
  };
  constructor() { this.attach(); }
  attach(): void { process.on('SIGINT', this.handler); process.on('SIGTERM', this.handler); }
  detach(): void { process.off('SIGINT', this.handler); process.off('SIGTERM', this.handler); }
}

function openDrive(file: string): BlockBackend {
  if (!fs.existsSync(file)) throw new CliError(`--drive: ${file} does not exist`);
  try {
    return new FileBlockBackend(file);
  } catch (e) {
    throw new CliError(`--drive: cannot open ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

interface BootInputs {
  ramSize: number; maxInsns: number; kernel: Uint8Array; bios: Uint8Array | null; biosName: string;
  drive: TrackedDrive | null; signals: SignalStop;
  mmodeFirmware: Uint8Array | null; mmodeName: string; rings: DoorbellEvent[];
}

/** The run as a terminal program: the session runs the machine; this moves bytes and picks the exit code. */
async function bootWith(flags: BootFlags, { ramSize, maxInsns, kernel, bios, biosName, drive, signals, mmodeFirmware, mmodeName, rings }: BootInputs): Promise<number> {
  const out: number[] = [];
  // When whoever reads stdout goes away (`devirt boot ... | head`), the run ends as a pipeline's
  // writer does, quietly with SIGPIPE's status; the guest's output has nowhere to go.
  let stdoutGone = false;
  const flushOut = () => {
    if (!out.length) return;
    if (!stdoutGone) {
      try { writeAllSync(1, Buffer.from(out)); } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
        stdoutGone = true;
        session?.pause();
      }
    }
    out.length = 0;
  };
  let session: BootSession;
  try {
    session = new BootSession({
      ramSize, bios, kernel, drive, biosName, kernelName: flags.kernel, bootargs: flags.append,
      mmodeFirmware, mmodeFirmwareName: mmodeName,
      captureConsole: false,
      onConsole: (b) => { out.push(b); if (out.length >= 4096 || b === 10) flushOut(); },
      schedule: rings, maxInsns, onReset: 'reboot',
    });
  } catch (e) {
    if (e instanceof ElfError || e instanceof MachineError) throw new CliError(/^bad memory size/.test(e.message) ? `--mem: ${e.message}` : e.message);
    // The host may not have the memory asked for: that is the flag's value, not a bug.
    if (e instanceof RangeError && /allocation failed/i.test(e.message)) throw new CliError(`--mem: cannot allocate ${ramSize} bytes of guest RAM on this host (${e.message})`);
    throw e;
  }
  const m = session.machine;
  if (flags.trace) {
    const sym = new Symbolizer(m.symbols);
    m.hart.tracer = (h, pc, bits) => {
      const s = sym.lookup(pc);
      const text = disassemble(bits, pc);
      const raw = (bits & 3) === 3 ? (bits >>> 0).toString(16).padStart(8, '0') : (bits & 0xffff).toString(16).padStart(4, '0');
      process.stderr.write(`${'MSxU'[h.priv === 3 ? 0 : h.priv === 1 ? 1 : 3]} 0x${pc.toString(16).padStart(16, '0')} (${raw}) ${text}${s ? `  <${s}>` : ''}\n`);
    };
  }

  const stdinIsTty = process.stdin.isTTY === true;
  const input = stdinIsTty ? new TerminalInput() : null;
  signals.onStop = () => input?.interrupt();
  // Piped or redirected stdin is read as the guest asks for it, so runs are reproducible. What the
  // guest printed so far (a prompt without a newline) is out before the read may block, so that a
  // program driving the guest through a pipe sees the prompt it waits for, as with QEMU.
  if (!stdinIsTty) {
    m.uart.setInputSource(() => {
      flushOut();
      drive?.sync();
      signals.detach();
      try { return readStdinSync(); } finally { signals.attach(); }
    });
  }

  const stopped = (signal: NodeJS.Signals) => {
    flushOut();
    process.stderr.write(`devirt: stopped by ${signal} (pc 0x${m.hart.getPc().toString(16)}); console and disk flushed\n`);
    return signalExitCode(signal);
  };
  const terminated = () => { flushOut(); process.stderr.write('devirt: terminated (Ctrl-A x)\n'); return EXIT.hang; };
  // Terminal input and signals get in between chunks of this many instructions.
  const CHUNK = 2_000_000;
  try {
    for (;;) {
      if (input?.pending.length) m.uart.pushInput(Uint8Array.from(input.pending.splice(0)));
      let stop: SessionStop;
      try {
        stop = session.run({ insns: CHUNK });
      } catch (e) {
        if (e instanceof InternalError) throw new CliError(e.message, EXIT.internal);
        throw e;
      }
      if (stdoutGone) return signalExitCode('SIGPIPE');
      switch (stop.kind) {
        case 'exit':
          flushOut();
          return stop.code;
        case 'limit':
          flushOut();
          process.stderr.write(`devirt: stopped after --max-insns ${maxInsns} instructions (pc 0x${m.hart.getPc().toString(16)})\n`);
          return EXIT.hang;
        case 'idle': {
          flushOut();
          // Only input can wake the guest now.
          const more = input === null ? m.uart.pullInput() : await input.next();
          if (signals.stoppedBy) return stopped(signals.stoppedBy);
          if (more) continue;
          if (input?.quit) return terminated();
          process.stderr.write(`devirt: guest is waiting for an interrupt that can never come (wfi at pc 0x${m.hart.getPc().toString(16)}, no timer armed, no input)\n`);
          return EXIT.hang;
        }
        case 'slice':
        case 'paused':
        case 'breakpoint':
          // Keys typed before Ctrl-A x have had this chunk to reach the guest.
          if (input?.quit) return terminated();
          // Let terminal input and signals in between chunks.
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (signals.stoppedBy) return stopped(signals.stoppedBy);
      }
    }
  } finally {
    flushOut();
    input?.close();
  }
}

/**
 * Write all of `buf`, waiting while a slow reader keeps the pipe full (stdout may be non-blocking:
 * then a write can be partial or fail with EAGAIN, which is not an error of the run).
 */
function writeAllSync(fd: number, buf: Buffer): void {
  let done = 0;
  while (done < buf.length) {
    try { done += fs.writeSync(fd, buf, done, buf.length - done); }
    catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

/** Blocking read of whatever stdin has next (a pipe or file); null at end of input. */
function readStdinSync(): Uint8Array | null {
  const buf = Buffer.alloc(4096);
  for (;;) {
    try {
      const n = fs.readSync(0, buf, 0, buf.length, null);
      return n === 0 ? null : new Uint8Array(buf.subarray(0, n));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); continue; }
      if (code === 'EOF') return null;
      throw new CliError(`cannot read stdin: ${code ?? (e as Error).message}`);
    }
  }
}

/** Keys typed on an interactive terminal, delivered to the UART between chunks as they arrive. */
class TerminalInput {
  readonly pending: number[] = [];
  quit = false;
  private escape = false;
  private ended = false;
  private wake: (() => void) | null = null;
  constructor() {
    const stdin = process.stdin;
    stdin.setRawMode?.(true);
    stdin.on('data', (d: Buffer) => {
      for (const b of d) {
        // Ctrl-A x leaves, as in QEMU's -nographic console (raw mode swallows Ctrl-C).
        if (this.quit) break;
        if (this.escape && (b === 0x78 || b === 0x58)) { this.quit = true; this.ended = true; }
        else if (!(this.escape = b === 0x01)) this.pending.push(b);
      }
      this.wake?.();
    });
    stdin.on('end', () => { this.ended = true; this.wake?.(); });
    stdin.on('error', () => { this.ended = true; this.wake?.(); });
  }
  /** A signal arrived: stop waiting for keys. */
  interrupt(): void { this.ended = true; this.wake?.(); }
  /** Wait for a key; false once the terminal has closed. */
  async next(): Promise<boolean> {
    if (!this.pending.length && !this.ended) await new Promise<void>((resolve) => { this.wake = resolve; });
    this.wake = null;
    return this.pending.length > 0;
  }
  close(): void {
    process.stdin.setRawMode?.(false);
    process.stdin.pause();
    process.stdin.destroy();
  }
}

/** `AT:ACTION,...` with ACTION virtualize, devirtualize or a numeric doorbell cause. */
function parseDoorbell(text: string | undefined): DoorbellEvent[] {
  if (text === undefined) return [];
  const out = text.split(',').map((item) => {
    const m = /^(\d+):(virtualize|devirtualize|\d+)$/.exec(item.trim());
    if (!m) throw new CliError(`--doorbell: bad event '${item}' (expected AT:virtualize, AT:devirtualize or AT:CAUSE)`);
    const cause = m[2] === 'virtualize' ? DOORBELL_CAUSE.virtualize : m[2] === 'devirtualize' ? DOORBELL_CAUSE.devirtualize : Number(m[2]);
    return { at: Number(m[1]), cause, label: m[2] };
  });
  return out.sort((a, b) => a.at - b.at);
}
