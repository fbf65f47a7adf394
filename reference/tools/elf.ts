// ELF64 reader for RISC-V images: loadable segments, entry point and the symbol table (for
// --trace symbolization and the HTIF `tohost` convention). Small and strict: every malformed
// field is named in the error, which the CLI prints as one line with exit code 2.

export class ElfError extends Error {}

export interface ElfSegment { paddr: number; vaddr: number; data: Uint8Array; memsz: number }
/** `limit`: the first address the symbol no longer names (value + size for a sized symbol, else the
 *  end of its section, or of its segment when it has no section; value + 1 when it lies outside both,
 *  like a linker-script marker past the end of .bss). */
export interface ElfSymbol { name: string; value: number; size: number; isFunction: boolean; limit: number }
export interface ElfImage {
  entry: number;
  segments: ElfSegment[];
  symbols: ElfSymbol[];
}

const EM_RISCV = 243;
const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const SHF_ALLOC = 2;
const SHN_LORESERVE = 0xff00;

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

export function parseElf(bytes: Uint8Array, file = 'image'): ElfImage {
  const fail = (what: string): never => { throw new ElfError(`${file}: ${what}`); };
  if (bytes.length === 0) fail('empty file (0 bytes)');
  if (!isElf(bytes)) fail('not an ELF file (bad magic)');
  if (bytes.length < 64) fail('truncated ELF header');
  if (bytes[4] !== 2) fail(`not a 64-bit ELF (EI_CLASS=${bytes[4]}); the platform is RV64`);
  if (bytes[5] !== 1) fail(`not little-endian (EI_DATA=${bytes[5]})`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_RISCV) fail(`not a RISC-V ELF (e_machine=${machine}, expected ${EM_RISCV})`);
  const u64 = (o: number) => {
    if (o + 8 > bytes.length) fail(`field at offset ${o} past end of file`);
    const v = dv.getBigUint64(o, true);
    return Number(BigInt.asIntN(64, v));
  };
  const entry = u64(24);
  const phoff = u64(32), shoff = u64(40);
  const phentsize = dv.getUint16(54, true), phnum = dv.getUint16(56, true);
  const shentsize = dv.getUint16(58, true), shnum = dv.getUint16(60, true);
  if (phnum > 0 && (phentsize < 56 || phoff < 0 || phoff + phnum * phentsize > bytes.length)) fail('program header table out of bounds');
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (dv.getUint32(o, true) !== PT_LOAD) continue;
    const offset = u64(o + 8), vaddr = u64(o + 16), paddr = u64(o + 24), filesz = u64(o + 32), memsz = u64(o + 40);
    if (filesz < 0 || offset < 0 || offset + filesz > bytes.length) fail(`segment ${i} data out of file bounds`);
    if (memsz < filesz) fail(`segment ${i} memsz < filesz`);
    segments.push({ paddr, vaddr, data: bytes.subarray(offset, offset + filesz), memsz });
  }
  if (segments.length === 0) fail('no loadable segments');
  const symbols: ElfSymbol[] = [];
  if (shnum > 0 && shoff > 0 && shentsize >= 64 && shoff + shnum * shentsize <= bytes.length) {
    const within = (v: number, start: number, len: number) => v >= start && v < start + len;
    const limitOf = (value: number, size: number, shndx: number): number => {
      if (size > 0) return value + size;
      if (shndx > 0 && shndx < SHN_LORESERVE && shndx < shnum) {
        const o = shoff + shndx * shentsize;
        const flags = u64(o + 8), addr = u64(o + 16), len = u64(o + 32);
        return (flags & SHF_ALLOC) && within(value, addr, len) ? addr + len : value + 1;
      }
      const seg = segments.find((g) => within(value, g.vaddr, g.memsz));
      return seg ? seg.vaddr + seg.memsz : value + 1;
    };
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      if (dv.getUint32(o + 4, true) !== SHT_SYMTAB) continue;
      const off = u64(o + 24), size = u64(o + 32), link = dv.getUint32(o + 40, true), entsize = u64(o + 56) || 24;
      // Symbols only symbolize traces (and find tohost): a corrupt table is ignored, not fatal.
      if (link >= shnum || entsize < 24) continue;
      const so = shoff + link * shentsize;
      const strOff = u64(so + 24), strSize = u64(so + 32);
      if (off < 0 || size < 0 || strOff < 0 || strSize < 0 || off + size > bytes.length || strOff + strSize > bytes.length) continue;
      for (let s = off; s + 24 <= off + size; s += entsize) {
        const nameOff = dv.getUint32(s, true);
        const info = bytes[s + 4];
        const type = info & 0xf;
        if (type !== 0 && type !== 1 && type !== 2) continue;
        if (nameOff === 0 || nameOff >= strSize) continue;
        let end = strOff + nameOff;
        while (end < strOff + strSize && bytes[end] !== 0) end++;
        const name = Buffer.from(bytes.subarray(strOff + nameOff, end)).toString('latin1');
        if (name.startsWith('$') || name === '') continue;
        const value = u64(s + 8), size = u64(s + 16);
        symbols.push({ name, value, size, isFunction: type === 2, limit: limitOf(value, size, dv.getUint16(s + 6, true)) });
      }
    }
  }
  return { entry, segments, symbols };
}

/** A sorted index from address to the nearest preceding symbol that still names it (within the
 *  symbol's size, or its section or segment: elf.ts `limit`), for trace output. */
export class Symbolizer {
  private readonly addrs: number[];
  private readonly limits: number[];
  /** The highest limit among the symbols up to each index: below it, none of them names the address. */
  private readonly reach: number[];
  private readonly names: string[];
  constructor(symbols: ElfSymbol[]) {
    const sorted = symbols.filter((s) => s.value !== 0).sort((a, b) => a.value - b.value);
    this.addrs = sorted.map((s) => s.value);
    this.limits = sorted.map((s) => s.limit);
    this.names = sorted.map((s) => s.name);
    let reach = -Infinity;
    this.reach = this.limits.map((l) => (reach = Math.max(reach, l)));
  }
  lookup(addr: number): string | null {
    let lo = 0, hi = this.addrs.length - 1, best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.addrs[mid] <= addr) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    for (let i = best; i >= 0 && this.reach[i] > addr; i--) {
      if (this.limits[i] <= addr) continue;
      const d = addr - this.addrs[i];
      return d === 0 ? this.names[i] : `${this.names[i]}+0x${d.toString(16)}`;
    }
    return null;
  }
}
