// A guest that pokes device registers and prints what it reads back, run on `devirt boot` and
// on QEMU 7.2 (when installed): the two transcripts must be identical. Covers register rules that
// the unit tests state from the specifications, against the oracle.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encode } from '../../reference/tools/disasm';
import { Asm, R, RAM, elf } from './images';

const hasQemu = spawnSync('sh', ['-c', 'command -v qemu-system-riscv64']).status === 0;
const HEX = RAM + 0x8000;
const T4 = 29, T5 = 30, T6 = 31, S2 = 18;

/** Build the probe: each step writes registers, then prints one register's value in hex. */
function probeImage(): Uint8Array {
  const a = new Asm().la(S2, HEX).li(R.s1, 0x10000000);
  const emit = (name: string, o: Parameters<typeof encode>[1]) => a.words.push(encode(name, o));
  const w32 = (addr: number, v: number) => { a.la(R.s0, addr).li(R.t1, v); emit('sw', { rs1: R.s0, rs2: R.t1, imm: 0 }); };
  const w8 = (addr: number, v: number) => { a.la(R.s0, addr).li(R.t1, v); emit('sb', { rs1: R.s0, rs2: R.t1, imm: 0 }); };
  // Transmit T6 once THR is empty (QEMU's transmitter is not instantaneous, so a driver waits).
  const putc = () => {
    const top = a.here;
    emit('lbu', { rd: T5, rs1: R.s1, imm: 5 });
    emit('andi', { rd: T5, rs1: T5, imm: 0x20 });
    a.beq(T5, 0, top);
    emit('sb', { rs1: R.s1, rs2: T6, imm: 0 });
  };
  const show = (addr: number, width: 1 | 4) => {
    a.la(R.s0, addr);
    emit(width === 1 ? 'lbu' : 'lw', { rd: R.t3, rs1: R.s0, imm: 0 });
    for (let i = 7; i >= 0; i--) {
      emit('srli', { rd: T4, rs1: R.t3, imm: 4 * i });
      emit('andi', { rd: T4, rs1: T4, imm: 15 });
      emit('add', { rd: T5, rs1: S2, rs2: T4 });
      emit('lbu', { rd: T6, rs1: T5, imm: 0 });
      putc();
    }
    a.addi(T6, 0, 10); putc();
  };
  const U = 0x10000000, P = 0xc000000, C = 0x2000000, RTC = 0x101000;
  // UART
  show(U + 5, 1); show(U + 2, 1); show(U + 6, 1);
  w8(U + 1, 0x02); show(U + 2, 1); show(U + 2, 1); // THRE raised, then acknowledged by the read
  w8(U + 1, 0x00); w8(U + 1, 0x02); show(U + 2, 1); // re-enabling THRI raises it again
  show(P + 0x1000, 4); // PLIC pending: the UART's line (source 10) with no enable needed
  w8(U + 1, 0x00); show(P + 0x1000, 4);
  w8(U + 2, 0x01); show(U + 2, 1); w8(U + 2, 0x00); show(U + 2, 1);
  w8(U + 3, 0x83); w8(U + 0, 0x55); w8(U + 1, 0x01); show(U + 0, 1); show(U + 1, 1); w8(U + 3, 0x03); show(U + 1, 1); show(U + 3, 1);
  w8(U + 7, 0xa5); show(U + 7, 1); w8(U + 4, 0xff); w8(U + 4, 0x03); show(U + 4, 1);
  // PLIC
  w32(P + 4 * 10, 0xffffffff); show(P + 4 * 10, 4);
  w32(P + 0x200000, 0xffffffff); show(P + 0x200000, 4);
  w32(P + 0x2000, 0xffffffff); show(P + 0x2000, 4); show(P + 0x2008, 4);
  w8(U + 1, 0x02); show(P + 0x1000, 4); show(P + 0x200004, 4); // threshold 7 masks priority 7: claim gives 0
  w32(P + 0x200000, 6); show(P + 0x200004, 4); show(P + 0x1000, 4); show(P + 0x200004, 4);
  w32(P + 0x200004, 10); show(P + 0x1000, 4);
  // Source 0 has no priority register; a claimed source is hidden from the other context; a
  // completion is accepted even with the source disabled.
  w32(P, 7); show(P, 4);
  w32(P + 0x200000, 0); w32(P + 0x201000, 0); w32(P + 0x2080, 1 << 10);
  show(P + 0x200004, 4); show(P + 0x201004, 4); w32(P + 0x2000, 0); w32(P + 0x200004, 10); show(P + 0x1000, 4); show(P + 0x201004, 4);
  w32(P + 0x201004, 10);
  w8(U + 1, 0x00); w32(P + 0x200000, 0); w32(P + 0x2000, 0); w32(P + 0x2080, 0);
  // CLINT
  w32(C, 0xffffffff); show(C, 4); w32(C, 0); show(C, 4);
  w32(C + 0x4000, 0x12345678); show(C + 0x4000, 4); show(C + 0x4004, 4);
  // RTC: alarm far in the future is running; enable bit reads back
  w32(RTC + 0xc, 0x7fffffff); w32(RTC + 0x8, 0); show(RTC + 0x18, 4); w32(RTC + 0x14, 1); show(RTC + 0x18, 4);
  w32(RTC + 0x10, 3); show(RTC + 0x10, 4); show(RTC + 0xc, 4);
  // virtio slots (a drive in slot 7)
  for (const off of [0, 4, 8, 0xc, 0x34, 0x70]) show(0x10001000 + off, 4);
  for (const off of [8, 0x34, 0x100, 0x104, 0x114]) show(0x10008000 + off, 4);
  a.pass();
  const code = a.bytes();
  return elf([{ addr: RAM, data: code }, { addr: HEX, data: new Uint8Array(Buffer.from('0123456789abcdef')) }]);
}

(hasQemu ? test : test.skip)('device registers read the same on devirt boot and on QEMU 7.2', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-devq-'));
  const img = path.join(dir, 'probe.elf');
  fs.writeFileSync(img, probeImage());
  const disk = path.join(dir, 'disk.img');
  fs.writeFileSync(disk, Buffer.alloc(64 * 1024));
  const q = spawnSync('qemu-system-riscv64', [
    '-M', 'virt', '-cpu', 'rv64,f=off,d=off,h=off', '-m', '128M', '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
    '-global', 'virtio-mmio.force-legacy=false', '-drive', `file=${disk},format=raw,if=none,id=d0`, '-device', 'virtio-blk-device,drive=d0',
    '-bios', 'none', '-kernel', img], { encoding: 'latin1', input: '', timeout: 30_000 });
  const d = spawnSync(process.execPath, [path.resolve(__dirname, '../../../bin/devirt.js'), 'boot', '--bios', 'none', '--kernel', img, '--drive', disk],
    { encoding: 'latin1', input: '', timeout: 30_000 });
  fs.rmSync(dir, { recursive: true });
  expect(q.status).toBe(0);
  const qLines = q.stdout.split('\n'), dLines = d.stdout.split('\n');
  expect(dLines.length).toBeGreaterThan(40);
  expect(dLines.map((l, i) => `${i}: ${l}`)).toEqual(qLines.map((l, i) => `${i}: ${l}`));
  expect(d.status).toBe(0);
});
