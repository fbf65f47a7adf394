// The out-of-band path to a maintenance instance (conformance/maintenance-sbi.md, doorbell cause 3):
// the host writes the image, and optionally an initrd and bootargs, into the maintenance partition
// of a running machine, then rings create with ARG0 = the image, ARG1 = its length, ARG2 = the
// descriptor naming the initrd and bootargs. The firmware validates all of it as `create` does.
//
// Where things go in the partition [base, base + size):
//   base                         a Linux `Image` (it must run there: the firmware enters it at base)
//   top - 64 KiB .. top          instance 1's device tree, written by the firmware at start
//   below that, one page         the descriptor and the bootargs
//   below that, page aligned     the initrd, then (an ELF image) the ELF file, whose segments the
//                                firmware loads to their addresses (never where the file lies)

import { Machine, MachineError } from './machine/machine';
import { DOORBELL_RESULT_NONE } from './machine/devices/doorbell';

/** The top of the partition that holds instance 1's device tree (firmware: instance.c FDT_AREA). */
export const FDT_AREA = 0x10000;
const PAGE = 0x1000;
/** "DVMAINT1", the descriptor's magic (firmware: instance.c MAINT_DESCRIPTOR_MAGIC). */
export const DESCRIPTOR_MAGIC = 0x31544e49414d5644n;
export const BOOTARGS_MAX = 1024;

export interface Partition { base: number; size: number }

/** The partition as the firmware laid it out (its `mv_layout`), once the firmware has booted. */
export function partitionOf(m: Machine): Partition {
  const sym = m.symbols.find((s) => s.name === 'mv_layout' && s.size >= 32);
  if (!sym) throw new MachineError('the firmware has no mv_layout symbol: not the Microvisor, so there is no maintenance partition');
  const b = m.readBytes(BigInt(sym.value), 32);
  const dv = new DataView(b.buffer, b.byteOffset);
  return { base: Number(dv.getBigUint64(16, true)), size: Number(dv.getBigUint64(24, true)) };
}

export interface MaintenanceImage {
  image: Uint8Array;
  imageName?: string;
  initrd?: Uint8Array | null;
  initrdName?: string;
  bootargs?: string;
}

const isElf = (b: Uint8Array) => b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
const alignDown = (v: number, a: number) => Math.floor(v / a) * a;

/** Write the image (and initrd, bootargs) into the partition; returns ARG0..ARG2 for cause 3. */
export function placeMaintenance(m: Machine, img: MaintenanceImage): bigint[] {
  const p = partitionOf(m);
  const name = img.imageName ?? 'maintenance image';
  if (p.size === 0) throw new MachineError(`${name}: this machine has no maintenance partition (RAM too small)`);
  const top = p.base + p.size - FDT_AREA;
  const descriptor = top - PAGE;
  const bootargs = Buffer.from(img.bootargs ?? '', 'latin1');
  if (bootargs.length > BOOTARGS_MAX) throw new MachineError(`--maint-append: ${bootargs.length} bytes, at most ${BOOTARGS_MAX}`);
  if (bootargs.includes(0)) throw new MachineError('--maint-append: contains a NUL byte');
  let low = descriptor;
  let initrd = { pa: 0, len: 0 };
  if (img.initrd && img.initrd.length) {
    const pa = alignDown(low - img.initrd.length, PAGE);
    if (pa < p.base) throw new MachineError(`${img.initrdName ?? 'initrd'}: ${img.initrd.length} bytes do not fit in the partition (${p.size} bytes)`);
    initrd = { pa, len: img.initrd.length };
    m.loadBytes(BigInt(pa), img.initrd);
    low = pa;
  }
  let imagePa: number;
  if (isElf(img.image)) {
    imagePa = alignDown(low - img.image.length, PAGE);
    if (imagePa < p.base) throw new MachineError(`${name}: ${img.image.length} bytes do not fit in the partition with its initrd`);
  } else {
    imagePa = p.base;
    if (p.base + img.image.length > low) throw new MachineError(`${name}: ${img.image.length} bytes do not fit in the partition (${low - p.base} bytes free below its initrd and device tree)`);
  }
  m.loadBytes(BigInt(imagePa), img.image);
  const d = new DataView(new ArrayBuffer(40 + bootargs.length));
  const words = [DESCRIPTOR_MAGIC, BigInt(initrd.pa), BigInt(initrd.len), BigInt(descriptor + 40), BigInt(bootargs.length)];
  words.forEach((w, i) => d.setBigUint64(i * 8, w, true));
  const bytes = new Uint8Array(d.buffer);
  bytes.set(bootargs, 40);
  m.loadBytes(BigInt(descriptor), bytes);
  return [BigInt(imagePa), BigInt(img.image.length), BigInt(descriptor)];
}

/**
 * Ring the doorbell with `cause` and ARG0..2 and run until the firmware has answered (RESULT is
 * set to "no answer" first); returns the SBI error it answered, or null if it did not within
 * `limit` instructions.
 */
export function ringAndWait(m: Machine, cause: number, args: bigint[] = [], limit = 2_000_000): bigint | null {
  m.doorbell.result = DOORBELL_RESULT_NONE;
  m.doorbell.ring(cause, args);
  for (let ran = 0; ran < limit && m.doorbell.result === DOORBELL_RESULT_NONE; ran += 1000) {
    if (m.run({ maxInsns: 1000 }).reason !== 'limit') break;
  }
  return m.doorbell.result === DOORBELL_RESULT_NONE ? null : BigInt.asIntN(64, m.doorbell.result);
}

/** Run until the console (instance 0's) contains `text`; false if it did not within `limit` instructions. */
export function runUntilConsole(m: Machine, text: string, limit = 2_000_000): boolean {
  for (let ran = 0; ran < limit && !m.console.includes(text); ran += 1000) {
    if (m.run({ maxInsns: 1000 }).reason !== 'limit') break;
  }
  return m.console.includes(text);
}
