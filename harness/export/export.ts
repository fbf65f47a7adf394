// `devirt vectors export ID --elf FILE`: one state vector as a standalone program that sets up the
// vector's state, runs it, and checks the result against every outcome the specification allows,
// inside the guest (harness/export/selfcheck.c). The committed build/selfcheck.elf is copied and
// its VECTOR section filled; nothing needs a compiler. The program runs on QEMU virt
// (`qemu-system-riscv64 -M virt -bios none -kernel FILE`), on the reference (`devirt boot
// --bios none --kernel FILE`) and on anything with the virt layout or HTIF, and gdb can debug it.

import * as fs from 'fs';
import * as path from 'path';
import { allowedOutcomes, AllowedOutcome, StateExpectation } from '../../conformance/state-check';
import { CSR_NUMBERS } from '../../reference/machine/csr';
import { regionBytes } from '../../reference/state';
import { parseElf } from '../../reference/tools/elf';
import type { StateVector } from '../../vectors/schema/types';
import { packVector, qemuEntryProblem, u64 } from '../oracle/qemu-state';

export const SELFCHECK = path.resolve(__dirname, '../../../harness/export/build/selfcheck.elf');
const EXIT_CAUSE = 1n, EXIT_TVAL = 2n, EXIT_EPC = 4n;

export class ExportError extends Error {}

function str(s: string): Buffer[] {
  const b = Buffer.from(s, 'utf8');
  const padded = Buffer.alloc(Math.ceil(b.length / 8) * 8);
  b.copy(padded);
  return [u64(b.length), padded];
}

function packOutcome(o: AllowedOutcome, initialX: Record<string, string>): Buffer[] {
  if (o.exit.kind !== 'trap') throw new ExportError(`an outcome that ends with ${o.exit.kind}, not a trap into M-mode, cannot be checked by the exported program`);
  const parts: Buffer[] = [];
  let flags = 0n;
  if (o.exit.cause !== undefined) flags |= EXIT_CAUSE;
  if (o.exit.tval !== undefined) flags |= EXIT_TVAL;
  if (o.exit.epc !== undefined) flags |= EXIT_EPC;
  parts.push(u64(flags), u64(BigInt(o.exit.cause ?? '0')), u64(BigInt(o.exit.tval ?? '0')), u64(BigInt(o.exit.epc ?? '0')));
  let xmask = 0n;
  const x: bigint[] = [];
  for (let i = 0; i < 32; i++) {
    const k = 'x' + i;
    if (i > 0 && !o.any.has(k)) xmask |= 1n << BigInt(i);
    x.push(i === 0 ? 0n : BigInt(o.x[k] ?? initialX[k] ?? '0'));
  }
  parts.push(u64(xmask), ...x.map(u64));
  const csrs = Object.entries(o.csrs ?? {});
  parts.push(u64(csrs.length));
  for (const [name, value] of csrs) {
    const n = CSR_NUMBERS[name];
    if (n === undefined) throw new ExportError(`unknown CSR ${name} in the expectation`);
    parts.push(u64(n), u64(BigInt(value)));
  }
  const mem = o.memory ?? [];
  parts.push(u64(mem.length));
  for (const r of mem) {
    const bytes = Buffer.from(r.bytes, 'hex');
    const padded = Buffer.alloc(Math.ceil(bytes.length / 8) * 8);
    bytes.copy(padded);
    parts.push(u64(BigInt(r.base)), u64(bytes.length), padded);
  }
  parts.push(...str(o.choices.join(', ')));
  return parts;
}

/** The blob of VECTOR: the vector's inputs, its allowed outcomes, its id. */
export function vectorBlob(v: StateVector): Buffer {
  const problem = qemuEntryProblem(v.inputs);
  if (problem) throw new ExportError(`${v.id}: cannot be exported: ${problem}`);
  const outcomes = allowedOutcomes(v.expected as StateExpectation);
  const observe = v.observe ?? [];
  const parts = [...packVector(v.inputs, observe), u64(outcomes.length)];
  for (const o of outcomes) {
    try { parts.push(...packOutcome(o, v.inputs.hart.x ?? {})); }
    catch (e) { throw new ExportError(`${v.id}: ${(e as Error).message}`); }
  }
  parts.push(...str(v.id));
  return Buffer.concat(parts);
}

/** The self-checking program of `v`, as ELF bytes. */
export function exportVector(v: StateVector, program = SELFCHECK): Uint8Array {
  if (v.inputs.kind !== 'state') throw new ExportError(`${(v as { id: string }).id}: only state vectors can be exported (image vectors already are programs: their images are in vectors/images)`);
  for (const r of v.inputs.memory) {
    const end = BigInt(r.base) + BigInt(regionBytes(r).length);
    if (BigInt(r.base) < 0x80000000n || end > 0x80024000n) throw new ExportError(`${v.id}: memory at ${r.base} is outside the first 144 KiB of RAM the exported program gives a vector`);
  }
  const bytes = new Uint8Array(fs.readFileSync(program));
  const elf = parseElf(bytes, program);
  const sym = elf.symbols.find((s) => s.name === 'VECTOR');
  if (!sym) throw new ExportError(`${program}: no VECTOR symbol (rebuild harness/export)`);
  const seg = elf.segments.find((s) => sym.value >= s.paddr && sym.value + sym.size <= s.paddr + s.data.length);
  if (!seg) throw new ExportError(`${program}: VECTOR is not in a loaded segment`);
  const blob = vectorBlob(v);
  if (blob.length > sym.size) throw new ExportError(`${v.id}: ${blob.length} bytes of vector do not fit the program's ${sym.size}`);
  seg.data.set(blob, sym.value - seg.paddr);
  return bytes;
}
