// Instruction and event traces of a run, in the forms people already read and diff:
//   in_asm  each instruction the first time it runs at its address (QEMU -d in_asm: guest code as
//           it is translated, `IN: symbol` headers, address, bits, disassembly);
//   exec    every retired instruction with the register and memory it wrote, in Spike's
//           --log-commits form (`core   0: 3 0x... (0x...) x5  0x...`, ` mem 0x... 0x...`);
//   int     every trap and interrupt with cause, epc and tval (QEMU -d int's riscv_cpu_do_interrupt line);
//   cpu     the register file at each trap entry and at the start and end of the trace window
//           (QEMU -d cpu dumps it per translation block, which has no equivalent here);
//   insn    devirt's own readable trace (`--trace`): privilege, pc, bits, disassembly, symbol and
//           the register written, one line per retired instruction;
// plus doorbell deliveries and the window's start and stop instruction counts whenever tracing.
//
// Speed: the hart calls `beforeInstruction` before each instruction only while tracing; the
// line of an instruction is completed when the next one starts (its results are then known),
// disassembly and symbols are computed once per address, and output is written in large blocks.

import type { Hart } from '../machine/hart';
import { disassemble, ABI_NAMES } from '../tools/disasm';
import { Symbolizer } from '../tools/elf';
import { EXCEPTION_NAMES, INTERRUPT_NAMES } from '../machine/trap-causes';
import { accessOf, MemoryAccess } from './access';
import { debugRead } from './memory-view';
import { CSR_NAMES } from '../machine/csr';
import { decode, Decoded } from '../machine/isa/decode';
import { Op } from '../machine/isa/opcodes';

export const TRACE_ITEMS = ['in_asm', 'exec', 'int', 'cpu', 'insn'] as const;
export type TraceItem = typeof TRACE_ITEMS[number];

const PRIV_LETTER = ['U', 'S', 'H', 'M'];

const BYTE_HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex8 = (v: number) => BYTE_HEX[(v >>> 24) & 255] + BYTE_HEX[(v >>> 16) & 255] + BYTE_HEX[(v >>> 8) & 255] + BYTE_HEX[v & 255];
const hex16 = (lo: number, hi: number) => hex8(hi) + hex8(lo);
/** Without leading zeros, for devirt's compact trace. */
const hexShort = (lo: number, hi: number) => (hi === 0 ? (lo >>> 0).toString(16) : (hi >>> 0).toString(16) + hex8(lo));
const hexPc = (pc: number) => (pc < 0 ? BigInt.asUintN(64, BigInt(pc)).toString(16) : pc.toString(16)).padStart(16, '0');

/** What is known of the instruction at one address, computed once (until its bits change). */
interface PcInfo {
  bits: number;
  rd: number;
  /** `0x<pc> (0x<bits>)` of the commit log. */
  commit: string;
  /** ` 0x<pc> (<bits>) <disassembly>  <symbol>` of devirt's trace. */
  insn: string;
  rdName: string;
}

/** Where trace text goes: buffered, written in large blocks. */
export interface TraceSink { write(text: string): void; flush(): void }

export class TraceLog {
  private readonly on: Record<TraceItem, boolean>;
  private readonly text = new Map<number, { bits: number; asm: string; sym: string | null }>();
  private readonly info = new Map<number, PcInfo>();
  private readonly seen = new Map<number, number>();
  private readonly sym: Symbolizer;
  // The instruction whose line is completed when the next one starts (no object per instruction).
  private pending = false;
  private pInfo: PcInfo = null!;
  private pPriv = 0;
  private pInstret = 0;
  private pAccess: MemoryAccess | null = null;
  private lastInSym: string | null | undefined = undefined;
  private lastInPc = NaN;
  /** Instructions seen and retired while tracing. */
  traced = 0;

  constructor(items: Iterable<TraceItem>, private readonly sink: TraceSink, symbols: Symbolizer) {
    const set = new Set(items);
    this.on = Object.fromEntries(TRACE_ITEMS.map((i) => [i, set.has(i)])) as Record<TraceItem, boolean>;
    this.sym = symbols;
  }

  /** Instruction-level items need the hart's per-instruction hook; int alone does not. */
  get perInstruction(): boolean { return this.on.in_asm || this.on.exec || this.on.insn; }
  get traps(): boolean { return this.on.int || this.on.cpu; }

  beforeInstruction(h: Hart, pc: number, bits: number, len: number): void {
    if (this.pending) this.settle(h);
    if (this.on.in_asm) this.inAsm(pc, bits, len);
    if (this.on.exec || this.on.insn) {
      let info = this.info.get(pc);
      if (info === undefined || info.bits !== bits) { info = this.describePc(pc, bits, len); this.info.set(pc, info); }
      this.pInfo = info;
      this.pPriv = h.priv;
      this.pInstret = h.instret;
      this.pAccess = this.on.exec && MAY_ACCESS[bits & 0x7f] ? accessOf(h, bits) : null;
      this.pending = true;
    }
  }

  private describePc(pc: number, bits: number, len: number): PcInfo {
    const raw = (len === 2 ? bits & 0xffff : bits >>> 0).toString(16).padStart(len * 2, '0');
    const t = this.describe(pc, bits, len);
    const rd = rdOf(bits);
    return {
      bits, rd,
      commit: `0x${hexPc(pc)} (0x${raw})`,
      insn: ` 0x${BigInt.asUintN(64, BigInt(pc)).toString(16)} (${raw}) ${t.asm}${t.sym !== null ? `  <${t.sym}>` : ''}`,
      rdName: ABI_NAMES[rd],
    };
  }

  onTrap(h: Hart, cause: bigint, tval: bigint, epc: bigint, fromPriv: number, rnmi = false): void {
    if (this.pending) this.settle(h);
    const async = cause >> 63n === 1n;
    const code = Number(cause & 0xffffn);
    if (this.on.int) {
      // An RNMI's cause is the platform's (the doorbell's), not an interrupt number (Smrnmi).
      const desc = rnmi ? `resumable NMI ${code}` : (async ? INTERRUPT_NAMES[code] : EXCEPTION_NAMES[code]) ?? `cause ${code}`;
      this.sink.write(`riscv_cpu_do_interrupt: hart:${h.hartid}, async:${async ? 1 : 0}, cause:${cause.toString(16).padStart(16, '0')}, epc:0x${epc.toString(16).padStart(16, '0')}, tval:0x${tval.toString(16).padStart(16, '0')}, desc=${desc.replace(/[ /]/g, '_')} (from ${PRIV_LETTER[fromPriv]})\n`);
    }
    if (this.on.cpu) this.cpu(h, `trap ${cause.toString(16)}`);
  }

  /** Write out what is buffered (before a message on the same stream). */
  flush(): void { this.sink.flush(); }

  /** A line of its own among the instructions (doorbell deliveries, window start and stop), after the last instruction's. */
  note(text: string, h?: Hart): void {
    if (this.pending && h) this.settle(h);
    this.sink.write(`${text}\n`);
  }

  start(h: Hart): void {
    this.note(`devirt: trace starts at instruction ${h.instret}`);
    if (this.on.cpu) this.cpu(h, 'start');
  }

  /** Complete the last instruction's line, note where tracing stops, and write everything out. */
  stop(h: Hart): void {
    if (this.pending) this.settle(h);
    if (this.on.cpu) this.cpu(h, 'stop');
    this.note(`devirt: trace stops at instruction ${h.instret}${this.perInstruction ? ` (${this.traced} instructions traced)` : ''}`);
    this.sink.flush();
  }

  /** The pending instruction's results are known now: it retired if instret moved on. */
  private settle(h: Hart): void {
    this.pending = false;
    if (h.instret !== this.pInstret + 1) return; // it trapped: the int line says so
    this.traced++;
    const x = h.x, p = this.pInfo, rd = p.rd;
    if (this.on.exec) {
      let line = `core   0: ${this.pPriv} ${p.commit}`;
      if (rd !== 0) line += ` x${rd < 10 ? rd + ' ' : rd} 0x${hex16(x[2 * rd], x[2 * rd + 1])}`;
      const a = this.pAccess;
      if (a !== null) line += memoryText(h, a);
      this.sink.write(line + '\n');
    }
    if (this.on.insn) {
      this.sink.write(rd !== 0
        ? `${PRIV_LETTER[this.pPriv]}${p.insn}  ${p.rdName}=0x${hexShort(x[2 * rd], x[2 * rd + 1])}\n`
        : `${PRIV_LETTER[this.pPriv]}${p.insn}\n`);
    }
  }

  private describe(pc: number, bits: number, len: number): { bits: number; asm: string; sym: string | null } {
    let t = this.text.get(pc);
    if (t === undefined || t.bits !== bits) {
      t = { bits, asm: disassemble(len === 2 ? bits & 0xffff : bits, pc), sym: this.sym.lookup(pc) };
      this.text.set(pc, t);
    }
    return t;
  }

  private inAsm(pc: number, bits: number, len: number): void {
    const contiguous = pc === this.lastInPc;
    this.lastInPc = pc + len;
    if (this.seen.get(pc) === bits) return;
    this.seen.set(pc, bits);
    const t = this.describe(pc, bits, len);
    const symBase = t.sym?.replace(/\+0x[0-9a-f]+$/, '') ?? null;
    if (!contiguous || symBase !== this.lastInSym) {
      this.sink.write(`----------------\nIN: ${symBase ?? ''}\n`);
      this.lastInSym = symBase;
    }
    const raw = (len === 2 ? bits & 0xffff : bits >>> 0).toString(16).padStart(len * 2, '0');
    this.sink.write(`0x${hexPc(pc)}:  ${raw.padEnd(8)}          ${t.asm}\n`);
  }

  private cpu(h: Hart, why: string): void {
    const lines = [`cpu (${why}): pc 0x${h.getPc().toString(16).padStart(16, '0')} priv ${PRIV_LETTER[h.priv]} instret ${h.instret}`];
    for (let i = 0; i < 32; i += 4) {
      lines.push([0, 1, 2, 3].map((k) => ` x${(i + k).toString().padEnd(2)}/${ABI_NAMES[i + k].padEnd(4)} ${h.getX(i + k).toString(16).padStart(16, '0')}`).join(''));
    }
    for (const csr of [0x300, 0x305, 0x341, 0x342, 0x343, 0x344, 0x304, 0x100, 0x105, 0x141, 0x142, 0x143, 0x180]) {
      lines.push(` ${CSR_TEXT.get(csr)} ${h.readCsr(csr).toString(16).padStart(16, '0')}`);
    }
    this.sink.write(lines.join('\n') + '\n');
  }
}

/** Major opcodes that access memory (loads, stores, AMOs) or are compressed (some of which do). */
const MAY_ACCESS = Array.from({ length: 128 }, (_, op) => (op & 3) !== 3 || op === 0x03 || op === 0x23 || op === 0x2f);

/** Spike's ` mem ADDR [VALUE]`: the value for a write that happened, the address alone for a read. */
function memoryText(h: Hart, a: MemoryAccess): string {
  const addr = ` mem 0x${a.va.toString(16).padStart(16, '0')}`;
  if (!a.write) return a.read ? addr : '';
  if (a.conditional && h.getX(a.rd) !== 0n) return ''; // a failed SC wrote nothing
  let v = a.value;
  if (v === undefined) {
    const b = debugRead(h, a.va, a.size);
    if (b === null) return addr;
    v = b.reduceRight((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
  }
  return `${addr} 0x${v.toString(16).padStart(a.size * 2, '0')}`;
}

const CSR_TEXT = new Map([...CSR_NAMES].map(([n, name]) => [n, name.padEnd(8)]));

const scratch: Decoded = { op: Op.ILLEGAL, rd: 0, rs1: 0, rs2: 0, imm: 0, len: 4 };
/** The register an instruction writes (0: none), from the one decoder. */
function rdOf(bits: number): number { return decode(bits >>> 0, scratch).rd; }

/** Parse QEMU's -d list (comma-separated); unknown items are named in the error. */
export function parseTraceItems(text: string, flag: string): TraceItem[] {
  const out: TraceItem[] = [];
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(TRACE_ITEMS as readonly string[]).includes(item)) throw new Error(`${flag}: unknown trace item '${item}' (devirt knows ${TRACE_ITEMS.join(', ')})`);
    out.push(item as TraceItem);
  }
  return out;
}
