// --trace labels: a symbol names only the addresses inside it (its size), or inside its section or
// segment when it has no size. With the Microvisor ELF as firmware and a raw kernel, the kernel's
// addresses used to come out as `__stack_top+0x1faf54`.
import * as fs from 'fs';
import * as path from 'path';
import { ElfSymbol, parseElf, Symbolizer } from '../../reference/tools/elf';

const ROOT = path.resolve(__dirname, '../../..');
const FIRMWARE = path.join(ROOT, 'reference/firmware/build/microvisor.elf');
const KERNEL_ENTRY = 0x80200000;

const sym = (name: string, value: number, size: number, limit: number): ElfSymbol => ({ name, value, size, isFunction: size > 0, limit });

describe('Symbolizer', () => {
  test('a sized symbol names its own bytes only; an unsized one up to its limit; nothing names a gap', () => {
    const s = new Symbolizer([
      sym('section_label', 0x1000, 0, 0x1100),
      sym('f', 0x1010, 0x10, 0x1020),
      sym('g', 0x1040, 0x8, 0x1048),
      sym('marker', 0x2000, 0, 0x2001),
    ]);
    expect(s.lookup(0x1000)).toBe('section_label');
    expect(s.lookup(0x1014)).toBe('f+0x4');
    expect(s.lookup(0x101f)).toBe('f+0xf');
    // Past f, before g: the section's label still covers it (same section), f does not.
    expect(s.lookup(0x1030)).toBe('section_label+0x30');
    expect(s.lookup(0x1044)).toBe('g+0x4');
    expect(s.lookup(0x10ff)).toBe('section_label+0xff');
    expect(s.lookup(0x1100)).toBeNull();
    expect(s.lookup(0x2000)).toBe('marker');
    expect(s.lookup(0x2008)).toBeNull();
    expect(s.lookup(0xfff)).toBeNull();
  });

  test('the Microvisor ELF: its symbols do not name a raw kernel at 0x80200000, and still name the firmware', () => {
    const elf = parseElf(new Uint8Array(fs.readFileSync(FIRMWARE)), FIRMWARE);
    const by = (n: string) => {
      const found = elf.symbols.find((x) => x.name === n);
      if (!found) throw new Error(`${n} not in ${FIRMWARE}`);
      return found;
    };
    const s = new Symbolizer(elf.symbols);
    // Linker-script markers past the end of .bss name their own address and nothing after it.
    const top = by('__stack_top');
    expect(top.limit).toBe(top.value + 1);
    expect(s.lookup(top.value)).toBe('__stack_top');
    for (const a of [KERNEL_ENTRY, KERNEL_ENTRY + 0xf54, top.value + 8, by('__stack_bottom').value + 0x10]) expect(s.lookup(a)).toBeNull();
    // A function names its own bytes, and the byte after it belongs to someone else.
    const main = by('fw_main');
    expect(main.size).toBeGreaterThan(4);
    expect(s.lookup(main.value + 4)).toBe('fw_main+0x4');
    expect(s.lookup(main.value + main.size)).not.toMatch(/^fw_main/);
    // An unsized label in .text (the trap vector) names the code after it, within .text.
    const text = elf.segments[0];
    const entry = by('trap_entry');
    expect(entry.limit).toBeGreaterThan(entry.value);
    expect(entry.limit).toBeLessThanOrEqual(text.vaddr + text.memsz);
    expect(s.lookup(entry.value + 2)).toBe('trap_entry+0x2');
  });
});
