// `devirt boot`: run a kernel on the reference machine the way `qemu-system-riscv64 -M virt`
// would. stdout carries exactly what the guest printed; the command's own messages go to stderr.

import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { BlockBackend, InternalError, Machine, MachineError } from '../reference/machine/machine';
import { FileBlockBackend } from '../reference/machine/devices/block-file';
import { ElfError, Symbolizer } from '../reference/tools/elf';
import { disassemble } from '../reference/tools/disasm';
import { CliError, EXIT } from './exit-codes';
import { DOORBELL_CAUSE } from '../reference/run-image';
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
  const drive = flags.drive ? openDrive(flags.drive) : null;
  try {
    return await bootWith(flags, { ramSize, maxInsns, kernel, bios, biosName, drive, mmodeFirmware, mmodeName, rings });
  } finally {
    // Everything the guest wrote reaches the disk file, however the run ended.
    drive?.close?.();
  }
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
  ramSize: number; maxInsns: number; kernel: Uint8Array; bios: Uint8Array | null; biosName: string; drive: BlockBackend | null;
  mmodeFirmware: Uint8Array | null; mmodeName: string; rings: { at: number; cause: number }[];
}

async function bootWith(flags: BootFlags, { ramSize, maxInsns, kernel, bios, biosName, drive, mmodeFirmware, mmodeName, rings }: BootInputs): Promise<number> {

  const out: number[] = [];
  const flushOut = () => { if (out.length) { fs.writeSync(1, Buffer.from(out)); out.length = 0; } };
  let m: Machine;
  try {
    m = new Machine({
      ramSize, bios, kernel, drive, biosName, kernelName: flags.kernel, bootargs: flags.append,
      mmodeFirmware, mmodeFirmwareName: mmodeName,
      captureConsole: false,
      onConsole: (b) => { out.push(b); if (out.length >= 4096 || b === 10) flushOut(); },
    });
  } catch (e) {
    if (e instanceof ElfError || e instanceof MachineError) throw new CliError(e.message);
    throw e;
  }
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
  // Piped or redirected stdin is read as the guest asks for it, so runs are reproducible. What the
  // guest printed so far (a prompt without a newline) is out before the read may block, so that a
  // program driving the guest through a pipe sees the prompt it waits for, as with QEMU.
  if (!stdinIsTty) m.uart.setInputSource(() => { flushOut(); return readStdinSync(); });

  const terminated = () => { flushOut(); process.stderr.write('devirt: terminated (Ctrl-A x)\n'); return EXIT.hang; };
  const CHUNK = 2_000_000;
  // Budget used so far, across guest-requested resets (which zero instret). A run that stops at
  // its limit used all of its budget, even when that was a storm of traps retiring nothing.
  let executed = 0;
  try {
    for (;;) {
      if (input?.pending.length) m.uart.pushInput(Uint8Array.from(input.pending.splice(0)));
      while (rings.length && rings[0].at <= m.hart.instret) m.doorbell.ring(rings.shift()!.cause);
      const budget = Math.min(CHUNK, maxInsns - executed, rings.length ? rings[0].at - m.hart.instret : Infinity);
      if (budget <= 0) {
        flushOut();
        process.stderr.write(`devirt: stopped after --max-insns ${maxInsns} instructions (pc 0x${m.hart.getPc().toString(16)})\n`);
        return EXIT.hang;
      }
      let r;
      const before = m.hart.instret;
      try {
        r = m.run({ maxInsns: budget });
      } catch (e) {
        if (e instanceof InternalError) throw new CliError(e.message, EXIT.internal);
        throw e;
      }
      executed += r.reason === 'limit' ? budget : m.hart.instret - before;
      if (r.reason === 'finisher' || r.reason === 'tohost') {
        flushOut();
        const f = m.finisherState;
        if (r.reason === 'finisher' && f?.kind === 'reset') {
          // As QEMU without -no-reboot: the machine starts again from the reset vector.
          m.reboot();
          continue;
        }
        return r.code ?? 0;
      }
      if (r.reason === 'idle' && rings.length) { m.doorbell.ring(rings.shift()!.cause); continue; }
      if (r.reason === 'idle') {
        flushOut();
        // Only input can wake the guest now.
        if (input === null ? m.uart.pullInput() : await input.next()) continue;
        if (input?.quit) return terminated();
        process.stderr.write(`devirt: guest is waiting for an interrupt that can never come (wfi at pc 0x${m.hart.getPc().toString(16)}, no timer armed, no input)\n`);
        return EXIT.hang;
      }
      // Keys typed before Ctrl-A x have had this chunk to reach the guest.
      if (input?.quit) return terminated();
      // Let terminal input in between chunks.
      if (input) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    flushOut();
    input?.close();
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
function parseDoorbell(text: string | undefined): { at: number; cause: number }[] {
  if (text === undefined) return [];
  const out = text.split(',').map((item) => {
    const m = /^(\d+):(virtualize|devirtualize|\d+)$/.exec(item.trim());
    if (!m) throw new CliError(`--doorbell: bad event '${item}' (expected AT:virtualize, AT:devirtualize or AT:CAUSE)`);
    const cause = m[2] === 'virtualize' ? DOORBELL_CAUSE.virtualize : m[2] === 'devirtualize' ? DOORBELL_CAUSE.devirtualize : Number(m[2]);
    return { at: Number(m[1]), cause };
  });
  return out.sort((a, b) => a.at - b.at);
}
