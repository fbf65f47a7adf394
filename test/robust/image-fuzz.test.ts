// Random bytes as whole images never crash the loader or the machine: an image is loaded and runs
// (then whatever it does is architectural), or it is refused as bad input (ElfError or
// MachineError, which the command line prints as one line with exit code 2). Deterministic;
// DEVIRT_FUZZ_SEEDS=N runs more seeds locally.

import { ElfError, parseElf } from '../../reference/tools/elf';
import { Machine, MachineError } from '../../reference/machine/machine';
import { Prng } from '../../vectors/generators/prng';

const SEEDS = Number(process.env.DEVIRT_FUZZ_SEEDS ?? 150);

function bytes(r: Prng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 8) {
    const v = r.next64();
    for (let k = 0; k < 8 && i + k < n; k++) out[i + k] = Number((v >> BigInt(8 * k)) & 0xffn);
  }
  return out;
}

/**
 * A well-formed ELF64 RISC-V image (program headers loading random bytes into RAM), then a few
 * random fields overwritten: the checks past the magic are what gets exercised.
 */
function plausibleElf(r: Prng): Uint8Array {
  const b = bytes(r, 512 + r.below(4096));
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  dv.setUint16(18, 243, true);
  const phnum = 1 + r.below(3);
  dv.setBigUint64(24, 0x80000000n, true);
  dv.setBigUint64(32, 64n, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(56, phnum, true);
  if (r.below(2)) dv.setBigUint64(40, 0n, true); // no section headers half the time
  for (let i = 0; i < phnum; i++) {
    const o = 64 + 56 * i;
    const offset = 256 + r.below(b.length - 256), filesz = r.below(b.length - offset);
    dv.setUint32(o, 1, true);
    dv.setBigUint64(o + 8, BigInt(offset), true);
    dv.setBigUint64(o + 16, BigInt(0x80000000 + i * 0x10000), true);
    dv.setBigUint64(o + 24, BigInt(0x80000000 + i * 0x10000), true);
    dv.setBigUint64(o + 32, BigInt(filesz), true);
    dv.setBigUint64(o + 40, BigInt(filesz + r.below(0x1000)), true);
  }
  // Corrupt a few fields of the headers, with a random value or an edge value.
  for (let k = r.below(4); k > 0; k--) {
    const at = r.below(64 + 56 * phnum) & ~7;
    dv.setBigUint64(at, r.below(2) ? r.next64() : r.interesting64(), true);
  }
  return b;
}

function outcome(run: () => void): string {
  try { run(); return 'ok'; }
  catch (e) { return e instanceof ElfError || e instanceof MachineError ? 'bad input' : `internal: ${(e as Error).stack}`; }
}

test(`${SEEDS} random and half-plausible images are loaded or refused as bad input, never crash`, () => {
  const failures: string[] = [];
  const tally = new Map<string, number>();
  for (let seed = 0; seed < SEEDS; seed++) {
    const r = new Prng(0x1e1f_0000 + seed);
    const image = seed % 3 === 0 ? bytes(r, r.below(8192)) : plausibleElf(r);
    const asElf = outcome(() => parseElf(image, 'fuzz.elf'));
    tally.set(asElf, (tally.get(asElf) ?? 0) + 1);
    if (asElf.startsWith('internal')) failures.push(`seed ${seed} parseElf: ${asElf}`);
    // As -kernel (a raw image when it is not an ELF, by its name) and as -bios, then a short run.
    for (const [name, opts] of [['fuzz.bin', { bios: null }], ['fuzz.elf', {}]] as const) {
      const r2 = outcome(() => {
        const m = new Machine({ ramSize: 2 << 20, kernel: image, kernelName: name, captureConsole: false, ...opts, ...(name === 'fuzz.elf' ? { bios: image, biosName: name, kernel: null } : {}) });
        m.run({ maxInsns: 2000 });
      });
      if (r2.startsWith('internal')) failures.push(`seed ${seed} ${name}: ${r2}`);
    }
    if (failures.length >= 5) break;
  }
  expect(failures).toEqual([]);
  // The generator is worth something only if both outcomes occur.
  expect([tally.get('ok') ?? 0, tally.get('bad input') ?? 0].every((n) => n > 0)).toBe(true);
});
