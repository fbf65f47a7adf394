// `node dist/bench/mk-profile.js [PHASE] [--firmware FILE] [--kernel FILE] [--native]`: where
// the cycles of a deprivileged M-mode kernel go. Boots mk-bench.elf under the M-mode firmware,
// virtualizes it during its warm-up (as the gate does), and during the measured phase (default
// "timer": lines "bench timer: begin" .. "bench timer: end") attributes every stretch the
// firmware runs to what brought it in: the kernel instruction that trapped (by address, symbol
// and disassembly), or the interrupt. For each it prints how often, the cycles from the
// firmware's first instruction to the kernel's next one, and the firmware instructions run.
// With --native it runs the same phase never virtualized and prints the kernel's own cycles,
// so the overhead the gate shows can be split into its causes. Cycles come from the reference's
// cycle model, so every figure is exact and repeatable; this is a measuring tool, not a test.

import * as fs from 'fs';
import * as path from 'path';
import { BootSession, DOORBELL_CAUSE } from '../reference/session';
import type { Hart } from '../reference/machine/hart';
import { disassemble } from '../reference/tools/disasm';

const ROOT = path.resolve(__dirname, '../..');
const FW_BASE = 0x7ffe0000, FW_END = 0x80000000;

interface Entry { what: string; count: number; cycles: number; insns: number }

interface Profile { phaseCycles: number; firmwareCycles: number; entries: Entry[]; kernelMmodeCycles: number }

function symbolizer(symbols: { name: string; value: number | bigint; size: number }[]): (pc: number) => string {
  const funcs = symbols.filter((s) => s.size > 0 && s.name !== '').map((s) => ({ name: s.name, lo: Number(s.value), hi: Number(s.value) + s.size }));
  return (pc) => {
    const f = funcs.find((s) => pc >= s.lo && pc < s.hi);
    return f ? `${f.name}+0x${(pc - f.lo).toString(16)}` : `0x${pc.toString(16)}`;
  };
}

export function profile(kernel: Uint8Array, firmware: Uint8Array, phaseName: string, virtualize: boolean): Profile {
  let line = '';
  let inPhase = false, done = false;
  let phaseStart = 0, phaseEnd = 0;
  const session = new BootSession({
    kernel, bios: null, mmodeFirmware: firmware, maxInsns: 20_000_000, onReset: 'stop', captureConsole: false,
    schedule: virtualize ? [{ at: 2000, cause: DOORBELL_CAUSE.virtualize, label: 'virtualize' }] : [],
    onConsole: (b) => {
      if (b !== 10) { line += String.fromCharCode(b); return; }
      if (line === `bench ${phaseName}: begin`) { inPhase = true; phaseStart = session.machine.hart.cycles; }
      else if (inPhase && line.startsWith(`bench ${phaseName}: end`)) { inPhase = false; done = true; phaseEnd = session.machine.hart.cycles; session.pause(); }
      line = '';
    },
  });
  const m = session.machine;
  const sym = symbolizer(m.symbols);
  // mk-bench's M-mode part: its entry code (below m_boot's text) and the functions named m_*.
  const mText = (pc: number) => { const s = sym(pc); return s.startsWith('m_') || s.startsWith('0x8000'); };
  const entries = new Map<string, Entry>();
  let inFw = false, fwStart = 0, fwInsns = 0, what = '';
  let firmwareCycles = 0, kernelMmodeCycles = 0;
  let lastKernelPc = 0, lastKernelCycles = 0, lastKernelPriv = 0;
  // The kernel's M-mode code: real M-mode (native) or, virtualized, U-mode in its M-mode text.
  const isKernelMmode = () => lastKernelPriv === 3 || (virtualize && lastKernelPriv === 0 && mText(lastKernelPc));
  m.hart.tracer = (h: Hart, pc: number) => {
    if (!inPhase) { inFw = false; return; }
    const fw = pc >= FW_BASE && pc < FW_END;
    if (fw && !inFw) {
      const fromPriv = lastKernelPriv < 0 ? h.priv : lastKernelPriv;
      inFw = true; fwStart = h.cycles; fwInsns = 0;
      // The trapping instruction and its trap entry are the kernel's stretch; the firmware's starts here.
      if (isKernelMmode()) kernelMmodeCycles += h.cycles - lastKernelCycles;
      lastKernelPriv = -1;
      const cause = h.mcause;
      if (cause >> 63n) what = `interrupt ${cause & 0xffn} (kernel in ${"USHM"[fromPriv]}-mode)`;
      else {
        const epc = Number(h.mepc);
        const bits = h.peekInstruction(epc);
        what = `${sym(epc)}: ${bits === null ? '?' : disassemble(bits, epc)} (cause ${cause})`;
      }
    }
    if (fw) { fwInsns++; return; }
    if (inFw) {
      inFw = false;
      const c = h.cycles - fwStart;
      firmwareCycles += c;
      const e = entries.get(what) ?? { what, count: 0, cycles: 0, insns: 0 };
      e.count++; e.cycles += c; e.insns += fwInsns;
      entries.set(what, e);
    }
    if (isKernelMmode()) kernelMmodeCycles += h.cycles - lastKernelCycles;
    lastKernelPc = pc; lastKernelCycles = h.cycles; lastKernelPriv = h.priv;
  };
  while (!done) {
    const stop = session.run();
    if (stop.kind !== 'paused') break;
  }
  if (!done) throw new Error(`phase '${phaseName}' not found (no lines "bench ${phaseName}: begin" .. "end")`);
  return { phaseCycles: phaseEnd - phaseStart, firmwareCycles, kernelMmodeCycles, entries: [...entries.values()].sort((a, b) => b.cycles - a.cycles) };
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : dflt; };
  const firmwareFile = opt('--firmware', path.join(ROOT, 'reference/firmware/mmode/build/mmode-fw.elf'));
  const kernelFile = opt('--kernel', path.join(ROOT, 'reference/guests/mkernels/build/mk-bench.elf'));
  const native = args.includes('--native');
  const phaseName = args.filter((a) => !a.startsWith('--'))[0] ?? 'timer';
  for (const f of [firmwareFile, kernelFile]) if (!fs.existsSync(f)) { console.error(`mk-profile: no file ${f}`); process.exit(2); }
  const kernel = new Uint8Array(fs.readFileSync(kernelFile)), firmware = new Uint8Array(fs.readFileSync(firmwareFile));
  const v = profile(kernel, firmware, phaseName, true);
  const n = native ? profile(kernel, firmware, phaseName, false) : null;
  console.log(`phase ${phaseName}: ${v.phaseCycles} cycles virtualized${n ? `, ${n.phaseCycles} native (overhead ${(((v.phaseCycles - n.phaseCycles) / n.phaseCycles) * 100).toFixed(3)}%)` : ''}`);
  console.log(`in the firmware: ${v.firmwareCycles} cycles (${((v.firmwareCycles / v.phaseCycles) * 100).toFixed(2)}% of the phase); kernel M-mode code: ${v.kernelMmodeCycles} cycles virtualized${n ? `, ${n.kernelMmodeCycles} native` : ''}`);
  if (n) console.log(`rest (TLB refills, timing): ${v.phaseCycles - n.phaseCycles - v.firmwareCycles - (v.kernelMmodeCycles - n.kernelMmodeCycles)} cycles`);
  console.log('count    cycles     per entry  fw insns/entry  what brought the firmware in');
  for (const e of v.entries) {
    console.log(`${String(e.count).padEnd(9)}${String(e.cycles).padEnd(11)}${(e.cycles / e.count).toFixed(1).padEnd(11)}${(e.insns / e.count).toFixed(1).padEnd(16)}${e.what}`);
  }
}

if (require.main === module) main();
