// Run a guest program on QEMU and on the reference the same way, and describe the outcome
// by what a user sees: the console text and the exit code.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BlockBackend, Machine, MachineError } from '../../reference/machine/machine';
import { GuestSpec, imagePath, makeDriveImage } from '../../reference/guests/catalog';

export interface Outcome {
  console: string;
  /** Exit code (finisher or tohost), or null when the run did not end that way. */
  code: number | null;
  /** Why the run stopped, when not through the finisher or tohost. */
  stop?: string;
  /** The drive's bytes after the run. */
  drive?: Uint8Array;
}

export const QEMU = 'qemu-system-riscv64';
export const QEMU_CPU = ['-cpu', 'rv64,f=off,d=off,h=off'];

export function qemuVersion(): string | null {
  const p = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  return p.error || p.status !== 0 ? null : p.stdout.split('\n')[0];
}

export function runQemu(spec: GuestSpec): Outcome {
  const machine = spec.qemuMachine ?? 'virt';
  const args = ['-M', machine, ...(machine === 'virt' ? QEMU_CPU : []), '-bios', 'none', '-nographic', '-m', '128M', '-kernel', imagePath(spec.name)];
  let drivePath: string | null = null;
  if (spec.drive) {
    drivePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-guest-')), 'disk.img');
    fs.writeFileSync(drivePath, makeDriveImage());
    args.push('-global', 'virtio-mmio.force-legacy=false', '-drive', `file=${drivePath},format=raw,if=none,id=d0`, '-device', 'virtio-blk-device,drive=d0');
  }
  try {
    const p = spawnSync(QEMU, args, { input: spec.input ?? '', encoding: 'latin1', timeout: 60_000 });
    if (p.error) throw p.error;
    const out: Outcome = { console: p.stdout.replace(/\r\n/g, '\n'), code: p.status };
    if (p.signal) { out.code = null; out.stop = `killed by ${p.signal}`; }
    if (drivePath) out.drive = new Uint8Array(fs.readFileSync(drivePath));
    return out;
  } finally {
    if (drivePath) fs.rmSync(path.dirname(drivePath), { recursive: true, force: true });
  }
}

/** A drive held in memory, for the in-process machine. */
export function memoryDrive(bytes: Uint8Array): BlockBackend {
  return {
    size: bytes.length,
    read: (offset, length) => bytes.slice(offset, offset + length),
    write: (offset, data) => { bytes.set(data, offset); },
    flush: () => {},
  };
}

/** Null when the reference has a virtio-blk model; otherwise why it cannot run drive programs. */
export function referenceDriveGap(): string | null {
  try {
    new Machine({ drive: memoryDrive(makeDriveImage()), deviceTree: false });
    return null;
  } catch (e) {
    if (e instanceof MachineError) return e.message;
    throw e;
  }
}

const DEVIRT = path.resolve(__dirname, '../../../bin/devirt.js');

/** Run through `devirt boot --bios none`, as a user would: stdout is the console. */
export function runReferenceCli(spec: GuestSpec): Outcome {
  const args = [DEVIRT, 'boot', '--bios', 'none', '--kernel', imagePath(spec.name), '--max-insns', String(spec.maxInsns ?? 50e6)];
  let drivePath: string | null = null;
  if (spec.drive) {
    drivePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-guest-')), 'disk.img');
    fs.writeFileSync(drivePath, makeDriveImage());
    args.push('--drive', drivePath);
  }
  try {
    const p = spawnSync(process.execPath, args, { input: spec.input ?? '', encoding: 'latin1', timeout: 120_000 });
    if (p.error) throw p.error;
    const out: Outcome = { console: p.stdout, code: p.status };
    if (p.status === 124 || p.signal) { out.code = null; out.stop = p.stderr.trim() || `killed by ${p.signal}`; }
    if (drivePath) out.drive = new Uint8Array(fs.readFileSync(drivePath));
    return out;
  } finally {
    if (drivePath) fs.rmSync(path.dirname(drivePath), { recursive: true, force: true });
  }
}

/** Run on an in-process Machine (as the harness does); heavy programs go through the CLI. */
export function runReference(spec: GuestSpec): Outcome {
  if (spec.heavy) return runReferenceCli(spec);
  const drive = spec.drive ? makeDriveImage() : null;
  const m = new Machine({ bios: null, kernel: new Uint8Array(fs.readFileSync(imagePath(spec.name))), kernelName: spec.name, drive: drive ? memoryDrive(drive) : null });
  if (spec.input) m.uart.pushInput(new Uint8Array(Buffer.from(spec.input, 'latin1')));
  const r = m.run({ maxInsns: spec.maxInsns ?? 50e6 });
  const out: Outcome = { console: m.console, code: null };
  if (r.reason === 'finisher' || r.reason === 'tohost') out.code = r.code ?? 0;
  else out.stop = `${r.reason} at pc 0x${m.hart.getPc().toString(16)}`;
  if (drive) out.drive = drive;
  return out;
}
