// `devirt boot` end to end: spawn the real command on tiny images built here and check stdout,
// stderr and every exit code of the README (0 pass, the FAIL code, 2 bad input, 3 internal
// error, 124 no finish). Where QEMU is installed, the same images run on it give the same output.
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Asm, R, RAM, elf } from './images';
import { DEFAULT_FIRMWARE } from '../../cli/boot';
import { parseSize } from '../../cli/size';
import { encode } from '../../reference/tools/disasm';
import { Machine, MachineError } from '../../reference/machine/machine';
import { ElfError } from '../../reference/tools/elf';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/devirt.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-boot-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(data: Uint8Array | string, name = `img${n++}.elf`): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
}
const kernel = (a: Asm, opts: Parameters<typeof elf>[1] = {}) => file(elf([{ addr: RAM, data: a.bytes() }], opts));

function boot(args: string[], input = '', nodeArgs: string[] = []): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...nodeArgs, BIN, 'boot', ...args], { input, encoding: 'utf8', timeout: 60_000 });
}
/** A bad-input run: exit 2 and exactly one line on stderr that contains `what`. */
function expectBadInput(r: SpawnSyncReturns<string>, what: RegExp): void {
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr: expect.stringMatching(what) });
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stdout).toBe('');
}

const hello = kernel(new Asm().print('hello, world\n').pass(), { symbols: [{ name: '_start', value: RAM, size: 64 }] });

describe('devirt boot: results', () => {
  test('PASS: exit 0, stdout carries exactly the guest\'s bytes, nothing on stderr', () => {
    const r = boot(['--bios', 'none', '--kernel', hello]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('hello, world\n');
    expect(r.stderr).toBe('');
  });

  test('FAIL: the exit code is the guest\'s', () => {
    const r = boot(['--bios', 'none', '--kernel', kernel(new Asm().print('x').fail(7))]);
    expect(r.status).toBe(7);
    expect(r.stdout).toBe('x');
  });

  test('--max-insns: 124 and a note on stderr', () => {
    const r = boot(['--bios', 'none', '--kernel', kernel(new Asm().spin()), '--max-insns', '1000']);
    expect(r.status).toBe(124);
    expect(r.stderr).toMatch(/--max-insns 1000/);
  });

  test('waiting for an interrupt nothing can raise: 124', () => {
    const r = boot(['--bios', 'none', '--kernel', kernel(new Asm().wfi().spin())]);
    expect(r.status).toBe(124);
    expect(r.stderr).toMatch(/wfi/);
  });

  test('stdin reaches the UART and the guest reads it at its own pace', () => {
    const echo = new Asm().li(R.t0, 0x10000000);
    const top = echo.here;
    echo.lbu(R.t1, R.t0, 5).andi(R.t1, R.t1, 1).beq(R.t1, R.zero, top)
      .lbu(R.t2, R.t0, 0).sb(R.t2, R.t0, 0).addi(R.t3, R.zero, 10).bne(R.t2, R.t3, top).pass();
    const img = kernel(echo);
    const text = 'a line longer than the sixteen-byte receive FIFO, echoed back\n';
    const r = boot(['--bios', 'none', '--kernel', img], text + 'not read');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(text);
    // EOF before the newline: the guest keeps polling; --max-insns ends it.
    const eof = boot(['--bios', 'none', '--kernel', img, '--max-insns', '20000'], 'ab');
    expect(eof.status).toBe(124);
    expect(eof.stdout).toBe('ab');
  });

  test('--bios none: a0 = 0 and a1 = the device tree at QEMU\'s address, which --mem moves', () => {
    const img = kernel(new Asm().srli(R.t3, R.a1, 20).failWith(R.t3));
    expect(boot(['--bios', 'none', '--kernel', img]).status).toBe(0x7e); // 0x87e00000
    expect(boot(['--bios', 'none', '--kernel', img, '--mem', '64M']).status).toBe(0x3e); // 0x83e00000
    expect(boot(['--bios', 'none', '--kernel', img, '--mem', '1G']).status).toBe(0xfe); // 0xbfe00000
    // The size syntax itself (B suffix, bare MiB, fractions) is checked without spawning.
    expect([`${64 * 1024 * 1024}B`, '64', '65536K', '0.0625G'].map((t) => parseSize(t, '--mem'))).toEqual(Array(4).fill(64 * 1024 * 1024));
    expect(() => parseSize('1.5', '--mem')).not.toThrow();
    expect(() => parseSize('0.3B', '--mem')).toThrow(/not a whole number/);
  });

  test('--bios FILE: firmware at the start of RAM finds the kernel through fw_dynamic (a2)', () => {
    const fw = file(elf([{ addr: RAM, data: new Asm().ld(R.t0, R.a2, 16).jalr(R.t0).bytes() }]));
    const k = file(elf([{ addr: 0x80200000, data: new Asm().print('kernel\n').pass().bytes() }]));
    const r = boot(['--bios', fw, '--kernel', k]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('kernel\n');
  });

  test('--drive: a virtio-blk device appears in the highest slot (0x10008000)', () => {
    const img = kernel(new Asm().li(R.s0, 0x10008000).lw(R.t3, R.s0, 8).addi(R.t3, R.t3, 40).failWith(R.t3));
    const disk = file(new Uint8Array(4096), 'id.img');
    expect(boot(['--bios', 'none', '--kernel', img, '--drive', disk]).status).toBe(42);
    expect(boot(['--bios', 'none', '--kernel', img]).status).toBe(40);
  });

  describe('--drive: what the guest wrote is in the file however the run ends', () => {
    // A polling virtio-blk driver: all rings and the request are data in the image; the code
    // only programs the transport and notifies. It writes sector 1 from the data page.
    const page = 0x80001000;
    const data = new Uint8Array(0x600);
    const dv = new DataView(data.buffer);
    const desc = (i: number, addr: number, len: number, flags: number, next: number) => {
      dv.setBigUint64(16 * i, BigInt(addr), true); dv.setUint32(16 * i + 8, len, true);
      dv.setUint16(16 * i + 12, flags, true); dv.setUint16(16 * i + 14, next, true);
    };
    desc(0, page + 0x300, 16, 1, 1); desc(1, page + 0x400, 512, 1, 2); desc(2, page + 0x310, 1, 2, 0);
    dv.setUint16(0x102, 1, true); // avail.idx = 1, ring[0] = 0
    dv.setUint32(0x300, 1, true); dv.setBigUint64(0x308, 1n, true); // VIRTIO_BLK_T_OUT, sector 1
    data[0x310] = 0xff;
    for (let i = 0; i < 512; i++) data[0x400 + i] = (i * 13 + 5) & 0xff;
    const driver = () => {
      const a = new Asm().li(R.s0, 0x10008000);
      const reg = (off: number, v: number) => a.li(R.t1, v).sw(R.t1, R.s0, off);
      reg(0x70, 1); reg(0x70, 3); reg(0x24, 1); reg(0x20, 1); reg(0x70, 11);
      reg(0x30, 0); reg(0x38, 4); reg(0x80, page); reg(0x90, page + 0x100); reg(0xa0, page + 0x200);
      reg(0x44, 1); reg(0x70, 15); reg(0x50, 0);
      return a;
    };
    const check = (disk: string) => expect(new Uint8Array(fs.readFileSync(disk)).slice(512, 1024)).toEqual(data.slice(0x400, 0x600));
    const image = (tail: (a: Asm) => Asm) => file(elf([{ addr: RAM, data: tail(driver()).bytes() }, { addr: page, data }]));

    test('on guest FAIL', () => {
      const disk = file(new Uint8Array(4096), 'fail.img');
      // Fail with the request's status byte + 50: 50 means VIRTIO_BLK_S_OK.
      const r = boot(['--bios', 'none', '--kernel', image((a) => a.la(R.t0, page + 0x310).lbu(R.t3, R.t0).addi(R.t3, R.t3, 50).failWith(R.t3)), '--drive', disk]);
      expect(r.status).toBe(50);
      check(disk);
    });
    test('at --max-insns', () => {
      const disk = file(new Uint8Array(4096), 'limit.img');
      const r = boot(['--bios', 'none', '--kernel', image((a) => a.spin()), '--drive', disk, '--max-insns', '5000']);
      expect(r.status).toBe(124);
      check(disk);
    });
  });

  test('a guest-requested reset (finisher 0x7777) restarts the machine from the reset vector', () => {
    // The guest counts its boots in RAM; a reset reloads the image, so the count starts over each time.
    const counter = RAM + 0x800;
    const a = new Asm().la(R.s0, counter).lw(R.t3, R.s0).addi(R.t3, R.t3, 1).sw(R.t3, R.s0);
    a.li(R.t2, 2).beq(R.t3, R.t2, 0 /* placeholder, patched below */);
    const branchAt = a.words.length - 1;
    a.print('boot\n').li(R.t0, 0x100000).li(R.t1, 0x7777).sw(R.t1, R.t0).spin();
    const done = a.here;
    a.print('again?\n').pass();
    a.words[branchAt] = encode('beq', { rs1: R.t3, rs2: R.t2, imm: done - 4 * branchAt });
    const r = boot(['--bios', 'none', '--kernel', kernel(a), '--max-insns', '400']);
    // Never "again?": the counter word is reloaded as 0 on every reset. The budget spans the boots.
    expect(r.status).toBe(124);
    expect(r.stdout).not.toContain('again?');
    expect(r.stdout.split('boot\n').length - 1).toBeGreaterThan(5);
  });

  test('--append reaches /chosen/bootargs', () => {
    // The guest fails with the number of bytes from the tree's start up to the first 'Z' of the
    // bootargs, found by scanning; with a different --append the position moves.
    const scan = new Asm().addi(R.t2, R.zero, 0x5a).addi(R.s1, R.a1, 0);
    const top = scan.here;
    scan.lbu(R.t3, R.s1, 0).addi(R.s1, R.s1, 1).bne(R.t3, R.t2, top).li(R.t0, 1).addi(R.s1, R.s1, -1);
    const img = kernel(scan.addi(R.t3, R.s1, 0).failWith(R.t3)); // low byte of the address
    const a = boot(['--bios', 'none', '--kernel', img, '--append', 'Z']);
    const b = boot(['--bios', 'none', '--kernel', img, '--append', 'xxZ']);
    expect(a.status).not.toBe(b.status);
    expect((b.status! - a.status!) & 0xff).toBe(2);
  });

  test('--trace: every instruction, symbolized, on stderr; stdout stays the guest\'s', () => {
    const r = boot(['--bios', 'none', '--kernel', hello, '--trace']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('hello, world\n');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.some((l) => /^M 0x80000000 .*lui t0.*<_start>  t0=0x10000000$/.test(l))).toBe(true); // with the value written
    expect(lines.some((l) => /^M 0x1000 .*auipc t0, 0x0  t0=0x1000$/.test(l))).toBe(true); // the boot ROM
    expect(lines.filter((l) => / sb /.test(l))).toHaveLength('hello, world\n'.length);
    expect(lines[0]).toBe('devirt: trace starts at instruction 0');
    expect(lines[lines.length - 1]).toMatch(/^devirt: trace stops at instruction \d+ \(\d+ instructions traced\)$/);
  });

  test('an internal fault of the emulator: exit 3 with the pc and the instruction', () => {
    const preload = file(`require(${JSON.stringify(path.join(ROOT, 'dist/reference/machine/devices/doorbell.js'))}).Doorbell.prototype.write = () => { throw new Error('injected fault'); };\n`, 'fault.js');
    const img = kernel(new Asm().li(R.t0, 0x102000).sw(R.t0, R.t0).pass());
    const r = boot(['--bios', 'none', '--kernel', img], '', ['-r', preload]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/internal error at pc 0x80000004 \(sw t0, 0\(t0\)\): injected fault/);
  });
});

describe('devirt boot: bad input is one line and exit 2', () => {
  const ok = new Asm().pass().bytes();
  test('not an ELF', () => expectBadInput(boot(['--bios', 'none', '--kernel', file('just text\n', 'notes.txt')]), /notes\.txt: not an ELF/));
  test('a 32-bit ELF', () => {
    const e = elf([{ addr: RAM, data: ok }]); e[4] = 1;
    expectBadInput(boot(['--bios', 'none', '--kernel', file(e)]), /not a 64-bit ELF/);
  });
  test('a non-RISC-V ELF', () => expectBadInput(boot(['--bios', 'none', '--kernel', file(elf([{ addr: RAM, data: ok }], { machine: 62 }))]), /not a RISC-V ELF \(e_machine=62/));
  test('a segment outside RAM', () => expectBadInput(boot(['--bios', 'none', '--kernel', file(elf([{ addr: 0x40000000, data: ok }]))]), /segment at 0x40000000 .*outside RAM/));
  test('a segment past the end of RAM, given --mem', () => {
    const img = file(elf([{ addr: 0x84000000, data: ok }]));
    expectBadInput(boot(['--bios', 'none', '--kernel', img, '--mem', '64M']), /runs past the end of RAM|outside RAM/);
    expect(boot(['--bios', 'none', '--kernel', img, '--max-insns', '100']).status).toBe(124); // fits in 128M
  });
  test('a huge segment size', () => expectBadInput(boot(['--bios', 'none', '--kernel', file(elf([{ addr: RAM, data: ok, memsz: 2 ** 52 }]))]), /RAM/));
  test('truncated or corrupted ELFs are bad input, never an internal error', () => {
    const full = elf([{ addr: RAM, data: ok }], { symbols: [{ name: 'main', value: RAM }] });
    const loaded = 64 + 56 + ok.length;
    // Every cut, in-process (what the command does with the error is checked on two of them).
    for (let cut = 0; cut <= full.length; cut += cut < loaded + 8 ? 1 : 16) {
      let outcome = 'runs';
      try { new Machine({ ramSize: 1 << 20, kernel: full.slice(0, cut), kernelName: 'k.elf', deviceTree: false }); } catch (e) {
        outcome = e instanceof ElfError || e instanceof MachineError ? 'bad input' : `internal: ${(e as Error).stack}`;
      }
      // Cut inside the headers or the loaded bytes: bad input. Cut only into the symbol table: it runs.
      expect({ cut, outcome }).toEqual({ cut, outcome: cut < loaded ? 'bad input' : 'runs' });
    }
    // Seeded corruption of header bytes: still bad input or a run, never anything else.
    let seed = 12345;
    const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
    for (let i = 0; i < 120; i++) {
      const bad = full.slice();
      for (let k = 0; k < 3; k++) bad[rnd() % 120] = rnd() & 0xff;
      bad.set([0x7f, 0x45, 0x4c, 0x46], 0);
      try { new Machine({ ramSize: 1 << 20, kernel: bad, kernelName: 'k.elf', deviceTree: false }); } catch (e) {
        if (!(e instanceof ElfError || e instanceof MachineError)) throw e;
      }
    }
    expectBadInput(boot(['--bios', 'none', '--kernel', file(full.slice(0, 100))]), /program header table out of bounds/);
    expect(boot(['--bios', 'none', '--kernel', file(full.slice(0, full.length - 30)), '--max-insns', '1000']).status).toBe(0);
  });
  test('a missing kernel', () => expectBadInput(boot(['--bios', 'none', '--kernel', path.join(dir, 'nope.elf')]), /--kernel: cannot read .*nope\.elf: no such file\n?$/));
  test('a missing drive file', () => expectBadInput(boot(['--bios', 'none', '--kernel', hello, '--drive', path.join(dir, 'nope.img')]), /--drive: .*nope\.img does not exist/));
  test('a bad --mem', () => {
    expectBadInput(boot(['--bios', 'none', '--kernel', hello, '--mem', '12Q']), /--mem: bad size '12Q'/);
    expectBadInput(boot(['--bios', 'none', '--kernel', hello, '--mem', '512K']), /bad memory size 524288/);
  });
  test('a bad --max-insns', () => expectBadInput(boot(['--bios', 'none', '--kernel', hello, '--max-insns', 'lots']), /--max-insns: bad count 'lots'/));
  (fs.existsSync(DEFAULT_FIRMWARE) ? test.skip : test)('no --bios while the default firmware is not built (skipped once it is)', () => {
    expectBadInput(boot(['--kernel', hello]), /default firmware .*microvisor\.elf is not built/);
  });
});

const hasQemu = spawnSync('sh', ['-c', 'command -v qemu-system-riscv64']).status === 0;
(hasQemu ? describe : describe.skip)('devirt boot against QEMU 7.2 on the same images', () => {
  const qemu = (img: string, extra: string[] = []) => spawnSync('qemu-system-riscv64', [
    '-M', 'virt', '-cpu', 'rv64,f=off,d=off,h=off', '-m', '128M', '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
    '-bios', 'none', '-kernel', img, ...extra], { encoding: 'utf8', timeout: 30_000 });
  test('console output and exit codes agree', () => {
    const a1 = kernel(new Asm().srli(R.t3, R.a1, 20).failWith(R.t3));
    const fail = kernel(new Asm().print('bye\n').fail(9));
    for (const img of [hello, a1, fail]) {
      const q = qemu(img), d = boot(['--bios', 'none', '--kernel', img]);
      expect({ stdout: d.stdout, status: d.status }).toEqual({ stdout: q.stdout, status: q.status });
    }
  });
});
