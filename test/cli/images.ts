// Tiny guest images for the command-line tests: a few instructions assembled with the project's
// encoder, wrapped in a minimal ELF64 (RISC-V, one PT_LOAD per segment, optional symbol table).

import { encode } from '../../reference/tools/disasm';

export const R = { zero: 0, ra: 1, sp: 2, t0: 5, t1: 6, t2: 7, s0: 8, s1: 9, a0: 10, a1: 11, a2: 12, t3: 28 } as const;
export const UART = 0x10000000, FINISHER = 0x100000, RAM = 0x80000000;

/** A growing program of 32-bit instructions. */
export class Asm {
  readonly words: number[] = [];
  private op(name: string, o: Parameters<typeof encode>[1]): this { this.words.push(encode(name, o)); return this; }
  get here(): number { return this.words.length * 4; }
  /** rd = a 32-bit value, sign-extended as lui + addi produce it. */
  li(rd: number, value: number): this {
    const v = value | 0;
    const lo = (v << 20) >> 20;
    const hi = (v - lo) | 0;
    if (hi !== 0) { this.op('lui', { rd, imm: hi }); if (lo) this.op('addi', { rd, rs1: rd, imm: lo }); } else this.op('addi', { rd, rs1: 0, imm: lo });
    return this;
  }
  /** rd = an address above 2 GiB, zero-extended (li alone would sign-extend it). */
  la(rd: number, addr: number): this { return this.li(rd, addr).slli(rd, rd, 32).srli(rd, rd, 32); }
  addi(rd: number, rs1: number, imm: number): this { return this.op('addi', { rd, rs1, imm }); }
  andi(rd: number, rs1: number, imm: number): this { return this.op('andi', { rd, rs1, imm }); }
  or(rd: number, rs1: number, rs2: number): this { return this.op('or', { rd, rs1, rs2 }); }
  slli(rd: number, rs1: number, imm: number): this { return this.op('slli', { rd, rs1, imm }); }
  srli(rd: number, rs1: number, imm: number): this { return this.op('srli', { rd, rs1, imm }); }
  sb(rs2: number, rs1: number, imm = 0): this { return this.op('sb', { rs1, rs2, imm }); }
  sw(rs2: number, rs1: number, imm = 0): this { return this.op('sw', { rs1, rs2, imm }); }
  lbu(rd: number, rs1: number, imm = 0): this { return this.op('lbu', { rd, rs1, imm }); }
  lw(rd: number, rs1: number, imm = 0): this { return this.op('lw', { rd, rs1, imm }); }
  ld(rd: number, rs1: number, imm = 0): this { return this.op('ld', { rd, rs1, imm }); }
  jalr(rs1: number): this { return this.op('jalr', { rd: 0, rs1, imm: 0 }); }
  /** Branch to a byte offset in the program (absolute within it). */
  beq(rs1: number, rs2: number, to: number): this { return this.op('beq', { rs1, rs2, imm: to - this.here }); }
  bne(rs1: number, rs2: number, to: number): this { return this.op('bne', { rs1, rs2, imm: to - this.here }); }
  wfi(): this { this.words.push(0x10500073); return this; }
  /** j . */
  spin(): this { return this.op('jal', { rd: 0, imm: 0 }); }
  /** Print a string on the UART (no waiting: the reference and QEMU transmit at once). */
  print(text: string): this {
    this.li(R.t0, UART);
    for (const c of Buffer.from(text, 'latin1')) this.addi(R.t1, 0, c).sb(R.t1, R.t0);
    return this;
  }
  pass(): this { return this.li(R.t0, FINISHER).li(R.t1, 0x5555).sw(R.t1, R.t0).spin(); }
  fail(code: number): this { return this.li(R.t0, FINISHER).li(R.t1, (code << 16) | 0x3333).sw(R.t1, R.t0).spin(); }
  /** Fail with the low byte of register `rs` as the code. */
  failWith(rs: number): this {
    return this.andi(R.t1, rs, 0xff).slli(R.t1, R.t1, 16).li(R.t2, 0x3333).or(R.t1, R.t1, R.t2).li(R.t0, FINISHER).sw(R.t1, R.t0).spin();
  }
  bytes(): Uint8Array { return new Uint8Array(Uint32Array.from(this.words).buffer); }
}

export interface Segment { addr: number; data: Uint8Array; memsz?: number }
export interface ElfOptions { entry?: number; machine?: number; symbols?: { name: string; value: number; size?: number }[] }

/** A little-endian ELF64 executable with one PT_LOAD per segment and an optional .symtab. */
export function elf(segments: Segment[], opts: ElfOptions = {}): Uint8Array {
  const EH = 64, PH = 56, SH = 64;
  const phoff = EH;
  let off = phoff + PH * segments.length;
  const placed = segments.map((s) => { const at = off; off += s.data.length; return at; });
  const syms = opts.symbols ?? [];
  const strtab = Buffer.from('\0' + syms.map((s) => s.name + '\0').join(''), 'latin1');
  const symtab = Buffer.alloc(24 * (syms.length + 1));
  let nameAt = 1;
  syms.forEach((s, i) => {
    const o = 24 * (i + 1);
    symtab.writeUInt32LE(nameAt, o); nameAt += s.name.length + 1;
    symtab[o + 4] = 0x12; // STB_GLOBAL, STT_FUNC
    symtab.writeUInt16LE(1, o + 6);
    symtab.writeBigUInt64LE(BigInt(s.value), o + 8);
    symtab.writeBigUInt64LE(BigInt(s.size ?? 0), o + 16);
  });
  const symOff = off; off += symtab.length;
  const strOff = off; off += strtab.length;
  const shoff = (off + 7) & ~7;
  const nsh = syms.length ? 3 : 0;
  const out = Buffer.alloc(shoff + SH * nsh);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  out.writeUInt16LE(2, 16); // ET_EXEC
  out.writeUInt16LE(opts.machine ?? 243, 18);
  out.writeUInt32LE(1, 20);
  out.writeBigUInt64LE(BigInt(opts.entry ?? segments[0].addr), 24);
  out.writeBigUInt64LE(BigInt(phoff), 32);
  out.writeBigUInt64LE(BigInt(nsh ? shoff : 0), 40);
  out.writeUInt16LE(EH, 52); out.writeUInt16LE(PH, 54); out.writeUInt16LE(segments.length, 56);
  out.writeUInt16LE(SH, 58); out.writeUInt16LE(nsh, 60); out.writeUInt16LE(0, 62);
  segments.forEach((s, i) => {
    const o = phoff + PH * i;
    out.writeUInt32LE(1, o); out.writeUInt32LE(7, o + 4);
    out.writeBigUInt64LE(BigInt(placed[i]), o + 8);
    out.writeBigUInt64LE(BigInt(s.addr), o + 16); out.writeBigUInt64LE(BigInt(s.addr), o + 24);
    out.writeBigUInt64LE(BigInt(s.data.length), o + 32); out.writeBigUInt64LE(BigInt(s.memsz ?? s.data.length), o + 40);
    out.writeBigUInt64LE(0x1000n, o + 48);
    out.set(s.data, placed[i]);
  });
  if (nsh) {
    out.set(symtab, symOff); out.set(strtab, strOff);
    const sh = (i: number, type: number, o: number, size: number, link: number, entsize: number) => {
      const b = shoff + SH * i;
      out.writeUInt32LE(type, b + 4);
      out.writeBigUInt64LE(BigInt(o), b + 24); out.writeBigUInt64LE(BigInt(size), b + 32);
      out.writeUInt32LE(link, b + 40); out.writeBigUInt64LE(BigInt(entsize), b + 56);
    };
    sh(1, 2, symOff, symtab.length, 2, 24); // SHT_SYMTAB, strings in section 2
    sh(2, 3, strOff, strtab.length, 0, 0); // SHT_STRTAB
  }
  return new Uint8Array(out);
}
