// Which access widths each device answers. Expectations were probed on QEMU 7.2
// (qemu-system-riscv64 -M virt -cpu rv64,f=off,d=off,h=off, -bios none, a load followed by a
// report of mcause): "fault" means QEMU raised a load access fault (cause 5).
import { Machine } from '../../reference/machine/machine';
import { encode } from '../../reference/tools/disasm';
import { Asm, R } from '../cli/images';

const LOADS: Record<number, string> = { 1: 'lbu', 2: 'lh', 4: 'lw', 8: 'ld' };
const cases: [string, number, 1 | 2 | 4 | 8, 'ok' | 'fault'][] = [
  ['CLINT msip, byte', 0x2000000, 1, 'fault'],
  ['CLINT msip, halfword', 0x2000000, 2, 'fault'],
  ['CLINT mtime, doubleword', 0x200bff8, 8, 'ok'],
  ['CLINT mtimecmp, doubleword', 0x2004000, 8, 'ok'],
  ['PLIC priority, byte', 0xc000004, 1, 'fault'],
  ['PLIC priority, doubleword', 0xc000008, 8, 'fault'],
  ['PLIC claim, doubleword', 0xc201000, 8, 'fault'],
  ['UART RBR, word', 0x10000000, 4, 'ok'],
  ['UART RBR, doubleword', 0x10000000, 8, 'ok'],
  ['UART past its 8 registers', 0x10000008, 1, 'fault'],
  ['UART LSR, misaligned word', 0x10000005, 4, 'fault'],
  ['finisher, byte', 0x100000, 1, 'fault'],
  ['finisher, halfword', 0x100000, 2, 'ok'],
  ['finisher, doubleword', 0x100000, 8, 'fault'],
  ['RTC, byte', 0x101000, 1, 'fault'],
  ['RTC, doubleword', 0x101000, 8, 'ok'],
  ['empty virtio slot, byte', 0x10001000, 1, 'ok'],
  ['empty virtio slot, halfword', 0x10001000, 2, 'ok'],
  ['virtio slot 7, doubleword', 0x10008000, 8, 'ok'],
  ['nothing at 0', 0x0, 1, 'fault'],
  ['nothing at 0x103000', 0x103000, 4, 'fault'],
  ['boot ROM, doubleword', 0x1000, 8, 'ok'],
];

describe('device access widths, as QEMU 7.2 answers them', () => {
  const m = new Machine({ ramSize: 1 << 20, deviceTree: false });
  test.each(cases)('%s', (_name, addr, width, expected) => {
    m.resetEmpty();
    const prog = new Asm().la(R.s0, addr);
    prog.words.push(encode(LOADS[width], { rd: R.t3, rs1: R.s0, imm: 0 }), 0x00100073); // load; ebreak
    m.loadBytes(0x80000000n, prog.bytes());
    m.hart.setPc(0x80000000n);
    const r = m.run({ maxInsns: 20, stopOnTrap: true });
    expect(r.reason).toBe('trap');
    expect(r.cause === 5n ? 'fault' : r.cause === 3n ? 'ok' : `cause ${r.cause}`).toBe(expected);
  });
});
