// `devirt boot`'s maintenance instance (conformance/maintenance-sbi.md, out-of-band path): the
// image, initrd and command line of instance 1 (--maint-kernel, --maint-initrd, --maint-append),
// when the host virtualizes, creates and starts it through the doorbell (--maint-at), and where
// its console goes (--maint-console FILE or stderr, as lines prefixed "[instance 1] ").

import * as fs from 'fs';
import { CliError } from './exit-codes';
import { writeAllSync } from './files';
import { parseCount } from './size';
import { DOORBELL_CAUSE, DoorbellEvent } from '../reference/session';
import { placeMaintenance } from '../reference/maintenance-image';
import { MachineError } from '../reference/machine/machine';

export interface MaintFlags {
  maintKernel?: string; maintInitrd?: string; maintAppend?: string; maintAt?: string; maintConsole?: string;
}

/**
 * Instructions between the three rings (virtualize, create, start): the firmware answers a ring
 * within a few thousand instructions, and a ring before the previous one was acknowledged would
 * replace its cause.
 */
export const MAINT_STEP = 100_000;
export const CONSOLE1_PREFIX = '[instance 1] ';

export interface Maintenance {
  /** The doorbell events of --maint-at (none when instance 1 is created in band by instance 0). */
  events: DoorbellEvent[];
  onConsole1: (byte: number) => void;
  /** Write out what is buffered (at the end of the run). */
  flush: () => void;
}

function readFile(file: string, flag: string): Uint8Array {
  try { return new Uint8Array(fs.readFileSync(file)); } catch (e) {
    throw new CliError(`${flag}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * The maintenance events and console sink the flags ask for. Without --maint-kernel there are no
 * events, but instance 1's console still has a sink: instance 0 may create it in band.
 */
export function parseMaintFlags(flags: MaintFlags): Maintenance {
  if (!flags.maintKernel) {
    for (const [flag, v] of [['--maint-initrd', flags.maintInitrd], ['--maint-append', flags.maintAppend], ['--maint-at', flags.maintAt]] as const)
      if (v !== undefined) throw new CliError(`${flag}: needs --maint-kernel IMAGE (the maintenance instance it belongs to)`);
    return { events: [], ...consoleSink(flags.maintConsole ?? 'stderr') };
  }
  if (flags.maintAt === undefined) throw new CliError('--maint-kernel: needs --maint-at N (the instruction count at which the host creates and starts it)');
  if (!/^\d+$/.test(flags.maintAt)) throw new CliError(`--maint-at: '${flags.maintAt}' is not an instruction count (a whole number of instructions retired)`);
  const at = parseCount(flags.maintAt, '--maint-at');
  const image = readFile(flags.maintKernel, '--maint-kernel');
  const initrd = flags.maintInitrd ? readFile(flags.maintInitrd, '--maint-initrd') : null;
  if (flags.maintAppend !== undefined && flags.maintAppend.includes('\0')) throw new CliError('--maint-append: contains a NUL byte');
  const prepare = (m: Parameters<NonNullable<DoorbellEvent['prepare']>>[0]) => {
    try {
      return placeMaintenance(m, { image, imageName: flags.maintKernel, initrd, initrdName: flags.maintInitrd, bootargs: flags.maintAppend });
    } catch (e) {
      if (e instanceof MachineError) throw new CliError(e.message);
      throw e;
    }
  };
  const events: DoorbellEvent[] = [
    { at, cause: DOORBELL_CAUSE.virtualize, label: 'virtualize' },
    { at: at + MAINT_STEP, cause: DOORBELL_CAUSE.create, label: 'create', prepare },
    { at: at + 2 * MAINT_STEP, cause: DOORBELL_CAUSE.start, label: 'start', args: [1n] },
  ];
  return { events, ...consoleSink(flags.maintConsole ?? 'stderr') };
}

function consoleSink(where: string): { onConsole1: (byte: number) => void; flush: () => void } {
  let fd: number;
  const prefixed = where === 'stderr';
  if (prefixed) fd = 2;
  else {
    try { fd = fs.openSync(where, 'w'); } catch (e) {
      throw new CliError(`--maint-console: cannot write ${where}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const buf: number[] = [];
  let lineStart = true;
  const flush = () => { if (buf.length) { writeAllSync(fd, Buffer.from(buf)); buf.length = 0; } };
  const onConsole1 = (b: number) => {
    if (prefixed && lineStart) for (const c of Buffer.from(CONSOLE1_PREFIX)) buf.push(c);
    buf.push(b);
    lineStart = b === 10;
    if (b === 10 || buf.length >= 4096) flush();
  };
  return { onConsole1, flush };
}
