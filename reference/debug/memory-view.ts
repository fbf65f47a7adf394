// The hart's view of memory for a debugger or a trace: virtual addresses translated through the
// current data translation (privilege with mstatus.MPRV, satp's Sv39 tables), as QEMU's gdbstub
// reads memory through cpu_memory_rw_debug. Unlike a guest access it has no side effects: no
// A/D bit updates, no TLB fill, no cycles, no PMP check (a debugger is not the guest), and no
// device registers (a read of a UART register would pop its FIFO): only RAM and the boot ROM.

import type { Hart } from '../machine/hart';
import { MS_MPP_SHIFT, MS_MPRV } from '../machine/mstatus';

const SV39_LIMIT = 2 ** 38;

/** The physical address `va` maps to for data accesses at the hart's current privilege, or null. */
export function debugTranslate(h: Hart, va: bigint): number | null {
  const dataPriv = h.priv === 3 && (h.mstatus & MS_MPRV) ? (h.mstatus >> MS_MPP_SHIFT) & 3 : h.priv;
  if (dataPriv === 3 || h.satpMode === 0) return va < 2n ** 56n ? Number(va) : null;
  const v = Number(BigInt.asIntN(64, va));
  if (v < -SV39_LIMIT || v >= SV39_LIMIT) return null;
  const u = v < 0 ? v + 2 * SV39_LIMIT : v;
  let table = h.satpRoot;
  for (let level = 2; level >= 0; level--) {
    const pte = readPhysU64(h, table + (Math.floor(u / 2 ** (12 + 9 * level)) % 512) * 8);
    if (pte === null || (pte & 1n) === 0n || (pte & 6n) === 4n) return null;
    const ppn = Number((pte >> 10n) & ((1n << 44n) - 1n));
    if ((pte & 10n) === 0n) { table = ppn * 4096; continue; }
    const span = 2 ** (9 * level);
    if (ppn % span !== 0) return null;
    return (ppn + (Math.floor(u / 4096) % span)) * 4096 + (u % 4096);
  }
  return null;
}

function physBytes(h: Hart, pa: number, len: number): Uint8Array | null {
  const off = pa - h.ramBase;
  if (off >= 0 && off + len <= h.ramSize) return h.ram.subarray(off, off + len);
  const rom = h.bus.romAt(pa);
  if (rom !== null && pa - rom.base + len <= rom.bytes.length) return rom.bytes.subarray(pa - rom.base, pa - rom.base + len);
  return null;
}

function readPhysU64(h: Hart, pa: number): bigint | null {
  const b = physBytes(h, pa, 8);
  return b === null ? null : new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
}

/** Read `len` bytes at virtual address `va`, page by page; null when any byte is unreadable. */
export function debugRead(h: Hart, va: bigint, len: number): Uint8Array | null {
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const a = BigInt.asUintN(64, va + BigInt(done));
    const pa = debugTranslate(h, a);
    if (pa === null) return null;
    const n = Math.min(len - done, 4096 - (pa % 4096));
    const b = physBytes(h, pa, n);
    if (b === null) return null;
    out.set(b, done);
    done += n;
  }
  return out;
}

/** Write bytes at virtual address `va` (RAM only, keeping decoded code honest); false when not writable. */
export function debugWrite(h: Hart, va: bigint, data: Uint8Array): boolean {
  // Translate every page first, so that a write either happens entirely or not at all.
  const parts: { pa: number; from: number; n: number }[] = [];
  let done = 0;
  while (done < data.length) {
    const pa = debugTranslate(h, BigInt.asUintN(64, va + BigInt(done)));
    if (pa === null) return false;
    const n = Math.min(data.length - done, 4096 - (pa % 4096));
    const off = pa - h.ramBase;
    if (!(off >= 0 && off + n <= h.ramSize)) return false;
    parts.push({ pa, from: done, n });
    done += n;
  }
  for (const p of parts) h.writeRam(p.pa, data.subarray(p.from, p.from + p.n));
  return true;
}
