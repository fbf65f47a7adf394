import { Hart, HartBus } from '../../reference/machine/hart';
import { encode } from '../../reference/tools/disasm';

const nobus: HartBus = { read: () => NaN, write: () => false, romAt: () => null };

function run(words: number[], setup?: (h: Hart) => void): Hart {
  const h = new Hart(0x80000000, 1 << 20, nobus);
  const bytes = new Uint8Array(new Uint32Array(words).buffer);
  h.writeRam(0x80000000, bytes);
  h.setPc(0x80000000n);
  h.stopOnTrap = true;
  setup?.(h);
  h.run(10000);
  return h;
}

test('addi/add/sub chain and ebreak stop', () => {
  const h = run([
    encode('addi', { rd: 5, rs1: 0, imm: -1 }),
    encode('addi', { rd: 6, rs1: 0, imm: 1 }),
    encode('add', { rd: 7, rs1: 5, rs2: 6 }),
    encode('sub', { rd: 8, rs1: 0, rs2: 6 }),
    encode('ebreak'),
  ]);
  expect(h.getX(5)).toBe(0xffffffffffffffffn);
  expect(h.getX(7)).toBe(0n);
  expect(h.getX(8)).toBe(0xffffffffffffffffn);
  expect(h.lastTrap?.cause).toBe(3n);
  expect(h.lastTrap?.epc).toBe(0x80000010n);
});
