// `devirt vectors list | show | export`: the vectors as something to read and take away. list
// prints one line per vector (id, suite, title, clause); show prints one vector whole, its
// program disassembled and every allowed outcome with its choices; export writes a standalone
// self-checking program of one state vector (harness/export).

import { Command } from 'commander';
import * as fs from 'fs';
import { allowedOutcomes, StateExpectation } from '../conformance/state-check';
import { ExportError, exportVector } from '../harness/export/export';
import { Item, loadSuites } from '../harness/load';
import { regionBytes } from '../reference/state';
import { disassemble } from '../reference/tools/disasm';
import { VECTORS_DIR } from '../vectors/format';
import type { StateVector, Vector } from '../vectors/schema/types';
import { CliError } from './exit-codes';
import { checkOutputPath, writeFileAtomic } from './files';

interface ListFlags { suite?: string[]; filter?: string[]; tag?: string[]; vectors: string; json?: boolean }

function vectorsOf(dir: string): Vector[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new CliError(`--vectors: no directory ${dir}`);
  return loadSuites(dir).filter((it: Item) => it.vector && !it.duplicateOf).map((it) => it.vector!);
}

function find(dir: string, id: string): Vector {
  const v = vectorsOf(dir).find((x) => x.id === id);
  if (!v) throw new CliError(`no vector ${id} in ${dir} (devirt vectors list shows the ids)`);
  return v;
}

/** The vector's code, instruction by instruction, from the region that holds its entry pc. */
function program(v: StateVector): string[] {
  const pc = BigInt(v.inputs.hart.pc);
  const region = v.inputs.memory.find((r) => pc >= BigInt(r.base) && pc < BigInt(r.base) + BigInt(regionBytes(r).length));
  if (!region) return [`  (no code at the entry pc ${v.inputs.hart.pc} in the vector's memory)`];
  const bytes = regionBytes(region);
  const out: string[] = [];
  let off = Number(pc - BigInt(region.base));
  for (let n = 0; n < 4096 && off + 2 <= bytes.length; n++) {
    const lo = bytes[off] | (bytes[off + 1] << 8);
    const wide = (lo & 3) === 3;
    if (wide && off + 4 > bytes.length) break;
    const bits = wide ? (lo | (bytes[off + 2] << 16) | (bytes[off + 3] << 24)) >>> 0 : lo;
    const at = BigInt(region.base) + BigInt(off);
    out.push(`  0x${at.toString(16).padStart(16, '0')}  ${(wide ? bits.toString(16).padStart(8, '0') : bits.toString(16).padStart(4, '0').padEnd(8))}  ${disassemble(bits, Number(at))}`);
    off += wide ? 4 : 2;
  }
  return out;
}

function show(v: Vector): string {
  const out = [`${v.id}  (${v.suite})`, `title: ${v.title}`, `specification: ${v.spec}`, `tags: ${v.tags.join(', ')}`, `provenance: ${JSON.stringify(v.provenance)}`];
  if (v.inputs.kind === 'state') {
    const sv = v as StateVector;
    const h = sv.inputs.hart;
    out.push(`starts: pc ${h.pc}, ${h.priv ?? 'M'}-mode, stop ${JSON.stringify(sv.inputs.stop)}`);
    out.push(`registers: ${Object.entries(h.x ?? {}).map(([k, x]) => `${k}=${x}`).join(' ') || '(all zero)'}`);
    if (h.csrs && Object.keys(h.csrs).length) out.push(`csrs: ${Object.entries(h.csrs).map(([k, x]) => `${k}=${x}`).join(' ')}`);
    out.push(`memory: ${sv.inputs.memory.map((r) => `${r.base} (${regionBytes(r).length} bytes)`).join(', ')}`);
    out.push('program:', ...program(sv));
    const outcomes = allowedOutcomes(sv.expected as StateExpectation);
    outcomes.forEach((o, i) => {
      out.push(i === 0 ? 'expected (the reference\'s outcome):' : `allowed alternative ${i} (choices: ${o.choices.join(', ')}):`);
      out.push(`  exit: ${JSON.stringify(o.exit)}`);
      const x = Object.entries(o.x).map(([k, val]) => `${k}=${val}`).join(' ');
      out.push(`  registers changed: ${x || '(none)'}${o.any.size ? `; any value: ${[...o.any].join(' ')}` : ''}`);
      if (o.pc) out.push(`  pc: ${o.pc}`);
      if (o.csrs && Object.keys(o.csrs).length) out.push(`  csrs: ${Object.entries(o.csrs).map(([k, val]) => `${k}=${val}`).join(' ')}`);
      for (const m of o.memory ?? []) out.push(`  memory ${m.base}: ${m.bytes}`);
      if (o.instret !== undefined) out.push(`  instret: ${o.instret}`);
    });
  } else {
    out.push(`inputs: ${JSON.stringify(v.inputs)}`, `expected: ${JSON.stringify(v.expected)}`);
  }
  return out.join('\n') + '\n';
}

export function registerVectorBrowsing(vectors: Command): void {
  vectors.command('list').description('one line per vector: id, suite, title, specification clause')
    .option('--suite <name...>', 'only these suites')
    .option('--filter <text...>', 'only vectors whose id, title or file contains every TEXT')
    .option('--tag <tag...>', 'only vectors with every TAG')
    .option('--json', 'as JSON lines')
    .option('--vectors <dir>', 'the vectors directory', VECTORS_DIR)
    .action((o: ListFlags) => {
      const all = vectorsOf(o.vectors);
      const chosen = all.filter((v) => (!o.suite || o.suite.includes(v.suite))
        && (o.filter ?? []).every((f) => v.id.includes(f) || v.title.includes(f))
        && (o.tag ?? []).every((t) => v.tags.includes(t)));
      for (const v of chosen) process.stdout.write(o.json ? JSON.stringify({ id: v.id, suite: v.suite, title: v.title, spec: v.spec, tags: v.tags }) + '\n' : `${v.id}\t${v.suite}\t${v.title}\t${v.spec}\n`);
      process.stderr.write(`${chosen.length} of ${all.length} vectors\n`);
    });

  vectors.command('show').description('one vector whole: inputs, its program disassembled, every allowed outcome, provenance')
    .argument('<id>', 'the vector id')
    .option('--vectors <dir>', 'the vectors directory', VECTORS_DIR)
    .action((id: string, o: { vectors: string }) => { process.stdout.write(show(find(o.vectors, id))); });

  vectors.command('export').description('a standalone program of one state vector that checks itself (UART, finisher, HTIF)')
    .argument('<id>', 'the vector id')
    .requiredOption('--elf <file>', 'the program to write')
    .option('--vectors <dir>', 'the vectors directory', VECTORS_DIR)
    .action((id: string, o: { elf: string; vectors: string }) => {
      checkOutputPath(o.elf, '--elf');
      const v = find(o.vectors, id);
      let bytes;
      try { bytes = exportVector(v as StateVector); } catch (e) { if (e instanceof ExportError) throw new CliError(e.message); throw e; }
      writeFileAtomic(o.elf, bytes, '--elf');
      process.stderr.write(`${o.elf}: ${v.id} as a self-checking program; run it with: qemu-system-riscv64 -M virt -bios none -nographic -kernel ${o.elf}\n`);
    });
}
