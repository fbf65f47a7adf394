// Images for a service scenario: the files, the fault word the service reads (svc_fault, patched
// into a copy of the image as QEMU tests patch theirs), and the deliberately bad images the
// maintenance suite offers the firmware's create.

import { readFileSync } from 'fs';
import { join } from 'path';
import { parseElf } from '../../reference/tools/elf';

export const SERVICE_BUILD = join(__dirname, '..', '..', '..', 'reference', 'guests', 'service', 'build');
export const FIRMWARE = join(__dirname, '..', '..', '..', 'reference', 'firmware', 'build', 'microvisor.elf');

/** The faults the service can be built to commit (svc.h, enum fault). */
export const FAULTS = {
  none: 0, 'crash-boot': 1, 'hang-boot': 2, 'fail-health': 3, corrupt: 4, 'refuse-release': 5, 'ack-before-flush': 6, 'hang-after': 7, 'slow-boot': 8,
} as const;
export type FaultName = keyof typeof FAULTS;

export function serviceImage(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(SERVICE_BUILD, `${name}.elf`)));
}

/** A copy of `image` whose svc_fault word holds `fault`; the image must have the symbol. */
export function withFault(image: Uint8Array, fault: FaultName, file = 'image'): Uint8Array {
  if (fault === 'none') return image;
  const elf = parseElf(image, file);
  const sym = elf.symbols.find((s) => s.name === 'svc_fault');
  if (!sym) throw new Error(`${file}: no svc_fault symbol, so fault '${fault}' cannot be injected`);
  const seg = elf.segments.find((g) => sym.value >= g.vaddr && sym.value + 4 <= g.vaddr + g.data.length);
  if (!seg) throw new Error(`${file}: svc_fault is not in a loaded segment's file bytes`);
  const out = image.slice();
  new DataView(out.buffer).setUint32(seg.data.byteOffset + (sym.value - seg.vaddr), FAULTS[fault], true);
  return out;
}

export type BadImage = 'not-elf' | 'too-big' | 'entry-outside';

/**
 * Images create must refuse (conformance/maintenance-sbi.md, Validation): bytes that are no ELF;
 * an ELF whose memory size exceeds the partition; the v2 build linked for the bare machine, whose
 * segments and entry lie outside the partition.
 */
export function badImage(kind: BadImage, partImage: Uint8Array, bareImage: Uint8Array): Uint8Array {
  switch (kind) {
    case 'not-elf': {
      const b = new Uint8Array(8192);
      for (let i = 0; i < b.length; i++) b[i] = (i * 131 + 7) & 0xff;
      return b;
    }
    case 'too-big': {
      // The same image with its last PT_LOAD's memsz grown to 64 MiB: larger than any partition of
      // a 128 MiB machine (32 MiB).
      const out = partImage.slice();
      const dv = new DataView(out.buffer);
      const phoff = Number(dv.getBigUint64(0x20, true)), phentsize = dv.getUint16(0x36, true), phnum = dv.getUint16(0x38, true);
      let last = -1;
      for (let i = 0; i < phnum; i++) if (dv.getUint32(phoff + i * phentsize, true) === 1) last = i;
      dv.setBigUint64(phoff + last * phentsize + 0x28, 64n * 1024n * 1024n, true);
      return out;
    }
    case 'entry-outside':
      return bareImage;
  }
}
