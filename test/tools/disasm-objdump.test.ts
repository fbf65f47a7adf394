// The disassembler prints compressed instructions as riscv64-unknown-elf-objdump -M no-aliases
// does: only the operands the encoding has (`c.mv s0, sp`, not `c.mv s0, zero, sp`). Checked on
// every 16-bit encoding, and on every compressed instruction of the committed guest and firmware
// images. Operand separators differ only in the space after the comma.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { disassemble } from '../../reference/tools/disasm';

const ROOT = path.resolve(__dirname, '../../..');
const OBJDUMP = 'riscv64-unknown-elf-objdump';
const hasObjdump = spawnSync(OBJDUMP, ['--version']).status === 0;
const maybe = hasObjdump ? test : test.skip;

/** objdump's lines for 16-bit instructions: address, halfword, text without symbol or comment. */
function objdump16(args: string[]): { pc: number; half: number; text: string }[] {
  const r = spawnSync(OBJDUMP, ['-M', 'no-aliases', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  expect(r.status).toBe(0);
  const out: { pc: number; half: number; text: string }[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*([0-9a-f]+):\s+([0-9a-f]{4})\s+\t(.*)$/.exec(line);
    if (!m) continue;
    // Branch targets: objdump names the symbol and prints the address without 0x in ELF files.
    const text = m[3].replace(/\t/, ' ').replace(/ # .*$/, '').replace(/ ([0-9a-f]+) <[^>]*>$/, ' 0x$1').replace(/,([0-9a-f]+) <[^>]*>$/, ',0x$1').trim();
    out.push({ pc: parseInt(m[1], 16), half: parseInt(m[2], 16), text });
  }
  return out;
}

const ours = (half: number, pc: number) => disassemble(half, pc).replace(/, /g, ',');

/** Encodings RV64IMAC does not have that objdump decodes anyway: D-extension loads and stores, and reserved code points. */
const NOT_RV64IMAC = /^(c\.fld|c\.fsd|c\.fldsp|c\.fsdsp|c\.unimp|c\.addi16sp sp,0$)/;

maybe('every 16-bit encoding disassembles as objdump prints it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-rvc-'));
  try {
    const halves: number[] = [];
    for (let h = 0; h < 65536; h++) if ((h & 3) !== 3) halves.push(h);
    const blob = Buffer.alloc(halves.length * 2);
    halves.forEach((h, i) => blob.writeUInt16LE(h, i * 2));
    const file = path.join(dir, 'all.bin');
    fs.writeFileSync(file, blob);
    const lines = objdump16(['-D', '-b', 'binary', '-m', 'riscv:rv64', '--adjust-vma=0x80000000', file]);
    expect(lines).toHaveLength(halves.length);
    const mismatches: string[] = [];
    const names = new Set<string>();
    for (const l of lines) {
      const mine = ours(l.half, l.pc);
      if (NOT_RV64IMAC.test(l.text)) { expect(mine).toBe(`.2byte 0x${l.half.toString(16)}`); continue; }
      names.add(mine.split(' ')[0]);
      if (mine !== l.text) mismatches.push(`${l.half.toString(16)}: objdump "${l.text}", devirt "${mine}"`);
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
    // Every compressed form of RV64C appears (the HINT shifts too).
    for (const n of ['c.addi4spn', 'c.lw', 'c.ld', 'c.sw', 'c.sd', 'c.addi', 'c.addiw', 'c.li', 'c.addi16sp', 'c.lui', 'c.srli', 'c.srai',
      'c.andi', 'c.sub', 'c.xor', 'c.or', 'c.and', 'c.subw', 'c.addw', 'c.j', 'c.beqz', 'c.bnez', 'c.slli', 'c.lwsp', 'c.ldsp', 'c.jr',
      'c.mv', 'c.ebreak', 'c.jalr', 'c.add', 'c.swsp', 'c.sdsp', 'c.slli64', 'c.srli64', 'c.srai64']) expect(names).toContain(n);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

maybe('every compressed instruction of the committed guest and firmware images disassembles as objdump prints it', () => {
  const images = ['reference/guests/sbi/build', 'reference/guests/workloads/build', 'reference/guests/mkernels/build', 'reference/firmware/build', 'reference/firmware/mmode/build']
    .flatMap((d) => fs.existsSync(path.join(ROOT, d)) ? fs.readdirSync(path.join(ROOT, d)).filter((f) => f.endsWith('.elf')).map((f) => path.join(ROOT, d, f)) : []);
  expect(images.length).toBeGreaterThan(5);
  let checked = 0;
  const mismatches: string[] = [];
  for (const img of images) {
    for (const l of objdump16(['-d', img])) {
      // Zero halfwords are padding between functions (the defined-illegal all-zero encoding).
      if (l.half === 0) continue;
      const mine = ours(l.half, l.pc);
      checked++;
      if (mine !== l.text) mismatches.push(`${path.basename(img)} 0x${l.pc.toString(16)}: objdump "${l.text}", devirt "${mine}"`);
    }
  }
  expect(mismatches.slice(0, 20)).toEqual([]);
  expect(checked).toBeGreaterThan(1000);
});
