// `devirt boot` with QEMU's command line (issue 13): every QEMU option the platform has is
// accepted and does what QEMU does with it, every other one is refused with one line (exit 2);
// drives land in the slots QEMU gives them; -initrd, -append and dumpdtb give QEMU's /chosen; and
// a kernel written the way teaching kernels are boots with its QEMU line on QEMU and on the
// reference with the same console and the same disk afterwards.
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isQemuLine, KnownOption, QEMU_OPTIONS, translateQemuArgs } from '../../cli/qemu-args';
import { CliError } from '../../cli/exit-codes';
import { findNode, propCells, propStrings, readDtb } from '../../reference/tools/fdt';
import { Asm, RAM, elf } from './images';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/devirt.js');
const TEACH_DIR = path.join(ROOT, 'reference/guests/teaching');
const TEACH = path.join(TEACH_DIR, 'build/teach.elf');
const HAVE_QEMU = spawnSync('qemu-system-riscv64', ['--version']).status === 0;
const withQemu = HAVE_QEMU ? test : test.skip;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-qemu-line-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const boot = (args: string[], input = ''): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, [BIN, 'boot', ...args], { input, encoding: 'latin1', timeout: 120_000 });
const qemu = (args: string[]): SpawnSyncReturns<string> =>
  spawnSync('qemu-system-riscv64', args, { encoding: 'latin1', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });

/** `devirt boot`'s long options, as main.ts hands them to the translator. */
function bootOptions(): Map<string, KnownOption> {
  const { Command } = require('commander') as typeof import('commander');
  const { registerBoot } = require('../../cli/boot') as typeof import('../../cli/boot');
  const program = new Command();
  registerBoot(program);
  const b = program.commands.find((c) => c.name() === 'boot')!;
  return new Map(b.options.filter((o) => o.long).map((o) => [o.long!, { takesValue: o.required || o.optional }]));
}
const KNOWN = bootOptions();
const translate = (args: string[], notes: string[] = []) => translateQemuArgs(args, KNOWN, notes);
const refusal = (args: string[]): string => {
  try { translate(args); } catch (e) { if (e instanceof CliError) return e.message; throw e; }
  throw new Error(`accepted: ${args.join(' ')}`);
};

function disk(name: string, first: string): string {
  const p = path.join(dir, name);
  const b = Buffer.alloc(16 * 512);
  b.write(first, 0, 'latin1');
  fs.writeFileSync(p, b);
  return p;
}

describe('QEMU options: each accepted one becomes devirt\'s option, each other one is one line', () => {
  const K = ['-kernel', 'k.elf'];
  const accepted: [string, string[], string[]][] = [
    ['-machine virt', ['-machine', 'virt'], []],
    ['-M virt with harmless properties', ['-M', 'virt,aclint=off,aia=none,accel=tcg'], []],
    ['-M virt,dumpdtb=FILE', ['-M', 'virt,dumpdtb=x.dtb'], ['--dump-dtb', 'x.dtb']],
    ['-bios none', ['-bios', 'none'], ['--bios', 'none']],
    ['-bios default (the platform\'s firmware, the Microvisor)', ['-bios', 'default'], []],
    ['-bios FILE', ['-bios', 'fw.bin'], ['--bios', 'fw.bin']],
    ['-initrd', ['-initrd', 'rd.img'], ['--initrd', 'rd.img']],
    ['-append', ['-append', 'console=ttyS0 root=/dev/vda'], ['--append', 'console=ttyS0 root=/dev/vda']],
    ['-dtb', ['-dtb', 't.dtb'], ['--dtb', 't.dtb']],
    ['-m', ['-m', '256M'], ['--mem', '256M']],
    ['-m size=', ['-m', 'size=1G'], ['--mem', '1G']],
    ['-smp 1', ['-smp', '1'], []],
    ['-smp cpus=1,sockets=1', ['-smp', 'cpus=1,sockets=1'], []],
    ['-cpu rv64 with what the hart lacks turned off', ['-cpu', 'rv64,f=off,d=off,h=off,zba=off,zbb=off,zbc=off,zbs=off,Zihintpause=off'], []],
    ['-nographic', ['-nographic'], []],
    ['-serial mon:stdio', ['-serial', 'mon:stdio'], []],
    ['-serial stdio', ['-serial', 'stdio'], []],
    ['-monitor none', ['-monitor', 'none'], []],
    ['-display none', ['-display', 'none'], []],
    ['-no-reboot', ['-no-reboot'], ['--no-reboot']],
    ['-global virtio-mmio.force-legacy=false', ['-global', 'virtio-mmio.force-legacy=false'], []],
    ['-drive if=none + -device virtio-blk-device (highest free slot)', ['-global', 'virtio-mmio.force-legacy=false', '-drive', 'file=d.img,if=none,format=raw,id=x0', '-device', 'virtio-blk-device,drive=x0'], ['--drive', 'd.img,slot=7']],
    ['-device ...,bus=virtio-mmio-bus.0', ['-global', 'virtio-mmio.force-legacy=false', '-drive', 'file=d.img,if=none,format=raw,id=x0', '-device', 'virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0'], ['--drive', 'd.img,slot=0']],
    ['-drive if=virtio (on virtio-mmio: the platform has no PCI)', ['-global', 'virtio-mmio.force-legacy=false', '-drive', 'file=d.img,if=virtio,format=raw'], ['--drive', 'd.img,slot=7']],
    ['devirt-style options mixed in', ['-global', 'virtio-mmio.force-legacy=false', '--max-insns', '1000', '--trace'], ['--max-insns', '1000', '--trace']],
  ];
  test.each(accepted)('%s', (_name, args, out) => {
    const line = [...K, ...args];
    const legacy = args.includes('virtio-mmio.force-legacy=false') ? [] : ['--virtio-legacy'];
    expect(translate(line)).toEqual(['--kernel', 'k.elf', ...out, ...legacy]);
  });

  test('-smp with more than one CPU runs on the one hart, with a note saying so (xv6 passes -smp 3)', () => {
    const notes: string[] = [];
    expect(translate([...K, '-smp', '3', '-global', 'virtio-mmio.force-legacy=false'], notes)).toEqual(['--kernel', 'k.elf']);
    expect(notes).toEqual([expect.stringMatching(/^-smp 3: the platform has one hart; the guest runs on hart 0 alone/)]);
    const none: string[] = [];
    translate([...K, '-smp', 'cpus=1,sockets=1'], none);
    expect(none).toEqual([]);
  });

  test('-global virtio-mmio.force-legacy=true, and QEMU 7.2\'s default (legacy) when a QEMU line does not say', () => {
    expect(translate([...K, '-global', 'virtio-mmio.force-legacy=true'])).toEqual(['--kernel', 'k.elf', '--virtio-legacy']);
    expect(translate([...K])).toEqual(['--kernel', 'k.elf', '--virtio-legacy']);
  });

  const refused: [string, string[], RegExp][] = [
    ['-smp cpus=0', ['-smp', 'cpus=0'], /^-smp: cpus=0 is not a positive number/],
    ['-machine sifive_u', ['-machine', 'sifive_u'], /^-machine: machine 'sifive_u' is not the platform/],
    ['-M virt,aia=aplic-imsic', ['-M', 'virt,aia=aplic-imsic'], /^-M: virt property aia=aplic-imsic is not what the platform has/],
    ['-M virt,highmem=on (unknown property)', ['-M', 'virt,highmem=on'], /^-M: virt property 'highmem' is not supported/],
    ['-cpu sifive-u54', ['-cpu', 'sifive-u54'], /^-cpu: 'sifive-u54': the platform's hart is rv64/],
    ['-cpu rv64,v=on', ['-cpu', 'rv64,v=on'], /^-cpu: v=on: the platform's hart does not have v/],
    ['-cpu rv64,c=off', ['-cpu', 'rv64,c=off'], /^-cpu: c=off: the platform's hart always has c/],
    ['-netdev tap (only the socket and user backends)', ['-netdev', 'tap,id=n0'], /^-netdev: 'tap': the platform's network backends are socket,udp=HOST:PORT,localaddr=HOST:PORT/],
    ['-netdev user,hostfwd=tcp:', ['-netdev', 'user,id=n0,hostfwd=tcp::2222-:22'], /^-netdev: hostfwd=tcp::2222-:22: devirt forwards UDP only/],
    ['-netdev socket,listen=', ['-netdev', 'socket,id=n0,listen=:1234'], /^-netdev: socket listen=: devirt connects over UDP only/],
    ['-netdev socket,udp= without localaddr=', ['-netdev', 'socket,id=n0,udp=127.0.0.1:5555'], /^-netdev: socket,udp= needs localaddr=HOST:PORT, as on QEMU$/],
    ['a second -netdev', ['-netdev', 'socket,id=a,udp=h:1,localaddr=h:2', '-netdev', 'socket,id=b,udp=h:3,localaddr=h:4'], /^-netdev: the platform has one link from its switch to the host/],
    ['-device virtio-net-device on a netdev that does not exist', ['-device', 'virtio-net-device,netdev=n0'], /^-device: virtio-net-device,netdev=n0: there is no -netdev \.\.\.,id=n0$/],
    ['one netdev for two cards', ['-netdev', 'socket,id=n,udp=h:1,localaddr=h:2', '-device', 'virtio-net-device,netdev=n', '-device', 'virtio-net-device,netdev=n'], /netdev=n: the netdev is already attached to another device$/],
    ['-device virtio-net-pci', ['-device', 'virtio-net-pci,netdev=n0'], /^-device: virtio-net-pci: the platform has no PCI; its network card is virtio-net-device$/],
    ['-device virtio-net-device,mac= multicast', ['-device', 'virtio-net-device,mac=01:00:5e:00:00:01'], /^-device: mac=01:00:5e:00:00:01 is a multicast address/],
    ['-nic without model=virtio-net-device', ['-nic', 'socket,udp=h:1,localaddr=h:2'], /^-nic: model=\(default: virtio-net-pci\): the platform has no PCI/],
    ['-device of an unknown model', ['-device', 'virtio-gpu-device'], /^-device: device model 'virtio-gpu-device' is not on the platform/],
    ['-device virtio-blk-device without its -drive', ['-device', 'virtio-blk-device,drive=x9'], /^-device: drive=x9: no -drive \.\.\.,if=none,id=x9 before it$/],
    ['-device on a bus that does not exist', ['-drive', 'file=d,if=none,format=raw,id=a', '-device', 'virtio-blk-device,drive=a,bus=virtio-mmio-bus.8'], /virtio-mmio-bus\.8 does not exist/],
    ['two devices on one bus', ['-drive', 'file=d,if=none,format=raw,id=a', '-drive', 'file=e,if=none,format=raw,id=b', '-device', 'virtio-blk-device,drive=a,bus=virtio-mmio-bus.3', '-device', 'virtio-blk-device,drive=b,bus=virtio-mmio-bus.3'], /virtio-mmio-bus\.3 already holds a device/],
    ['-drive format=qcow2', ['-drive', 'file=d.qcow2,if=none,format=qcow2,id=a'], /^-drive: format=qcow2: the platform's virtio-blk takes raw images only$/],
    ['-drive if=ide', ['-drive', 'file=d.img,format=raw'], /^-drive: if=ide: the platform has no ide controller/],
    ['-global of another property', ['-global', 'virtio-mmio.foo=1'], /^-global: 'virtio-mmio\.foo=1': devirt knows only virtio-mmio\.force-legacy/],
    ['-serial pty', ['-serial', 'pty'], /^-serial: 'pty': the UART is on stdio/],
    ['a second -serial', ['-serial', 'stdio', '-serial', 'stdio'], /^-serial: the platform has one UART/],
    ['-monitor stdio', ['-monitor', 'stdio'], /^-monitor: 'stdio': devirt has no QEMU monitor/],
    ['-display gtk', ['-display', 'gtk'], /^-display: 'gtk': the platform has no display/],
    ['-S without a debugger', ['-S'], /^-S: stops the machine until a debugger or monitor resumes it/],
    ['-hda', ['-hda', 'd.img'], /^-hda: the platform has no IDE disk/],
    ['a bare image (QEMU\'s -hda)', ['d.img'], /^d\.img: a bare image/],
    ['an option QEMU has that devirt does not know', ['-audiodev', 'none,id=a'], /^-audiodev: QEMU option not supported by devirt boot/],
    ['-enable-kvm', ['-enable-kvm'], /^-enable-kvm: devirt is an emulator/],
    ['a value missing at the end', ['-m'], /^-m: needs a value$/],
  ];
  test.each(refused)('%s', (_name, args, line) => {
    expect(refusal([...K, ...args])).toMatch(line);
  });

  // Whether the GDB stub (another part of issue 13) is in this build decides between a
  // translation and a refusal; both are checked against what boot's options say.
  test('-s, -S and -gdb become --gdb PORT [--gdb-wait], or one line when the stub is not built in', () => {
    const lines: [string[], string[]][] = [
      [['-s'], ['--gdb', '1234']],
      [['-s', '-S'], ['--gdb', '1234', '--gdb-wait']],
      [['-gdb', 'tcp::4321', '-S'], ['--gdb', '4321', '--gdb-wait']],
    ];
    for (const [args, out] of lines) {
      const line = ['-kernel', 'k', '-global', 'virtio-mmio.force-legacy=false', ...args];
      if (out.every((o) => !o.startsWith('--') || KNOWN.has(o))) expect(translate(line)).toEqual(['--kernel', 'k', ...out]);
      else expect(refusal(line)).toMatch(/^-s, -S and -gdb: the GDB stub is not in this build of devirt boot$/);
    }
    expect(refusal(['-gdb', 'udp::1'])).toMatch(/^-gdb: 'udp::1': devirt's GDB stub listens on tcp::PORT$/);
  });

  test('a devirt-style line whose only single-dash options are -d/-D keeps devirt\'s modern virtio', () => {
    const line = ['--kernel', 'k', '-d', 'int'];
    expect(isQemuLine(line)).toBe(true);
    if (KNOWN.has('--log')) expect(translate(line)).toEqual(['--kernel', 'k', '--log', 'int']);
    expect(translate(['--kernel', 'k', '-m', '64'])).toEqual(['--kernel', 'k', '--mem', '64', '--virtio-legacy']);
  });

  test('-d and -D become --log and --logfile (QEMU-style tracing), or one line when it is not built in', () => {
    const line = ['-kernel', 'k', '-global', 'virtio-mmio.force-legacy=false', '-d', 'in_asm,int', '-D', 'trace.txt'];
    if (KNOWN.has('--log') && KNOWN.has('--logfile')) expect(translate(line)).toEqual(['--kernel', 'k', '--log', 'in_asm,int', '--logfile', 'trace.txt']);
    else expect(refusal(line)).toBe('-d and -D: QEMU-style tracing is not in this build of devirt boot (--trace prints every instruction)');
  });

  test('the table refuses what it lists as refused, and a line is QEMU-style only with a single-dash option', () => {
    for (const [name, o] of Object.entries(QEMU_OPTIONS)) {
      if (o.refuse) expect(refusal(['-kernel', 'k', name, ...(o.arg ? ['x'] : [])])).toBe(`${name}: ${o.refuse}`);
    }
    expect(isQemuLine(['--kernel', 'k', '--bios', 'none'])).toBe(false);
    expect(isQemuLine(['--kernel', 'k', '-m', '64'])).toBe(true);
  });

  test('through the command: a refused option is one line on stderr and exit 2; an accepted line runs', () => {
    const r = boot(['-M', 'virt', '-bios', 'none', '-kernel', TEACH, '-usb']);
    expect({ status: r.status, stderr: r.stderr, stdout: r.stdout }).toEqual({ status: 2, stderr: 'devirt: -usb: the platform has no USB\n', stdout: '' });
    const hello = path.join(dir, 'hello.elf');
    fs.writeFileSync(hello, elf([{ addr: RAM, data: new Asm().print('hi\n').pass().bytes() }]));
    const ok = boot(['-machine', 'virt', '-bios', 'none', '-kernel', hello, '-m', '64M', '-smp', '1', '-nographic', '-serial', 'mon:stdio', '-monitor', 'none', '-display', 'none']);
    expect({ status: ok.status, stdout: ok.stdout, stderr: ok.stderr }).toEqual({ status: 0, stdout: 'hi\n', stderr: '' });
  });
});

describe('device placement and /chosen as QEMU 7.2 virt gives them', () => {
  // Three disks: two without bus= and one with, in an order where the explicit one comes last.
  const line = (files: string[]) => [
    '-drive', `file=${files[0]},if=none,format=raw,id=a`, '-drive', `file=${files[1]},if=none,format=raw,id=b`, '-drive', `file=${files[2]},if=none,format=raw,id=c`,
    '-device', 'virtio-blk-device,drive=a', '-device', 'virtio-blk-device,drive=b', '-device', 'virtio-blk-device,drive=c,bus=virtio-mmio-bus.2',
  ];

  test('without bus= the highest free slot first, an explicit bus= honoured', () => {
    const out = translate(['-kernel', 'k', ...line(['a.img', 'b.img', 'c.img'])]);
    expect(out.filter((_, i) => out[i - 1] === '--drive')).toEqual(['a.img,slot=7', 'b.img,slot=6', 'c.img,slot=2']);
  });

  withQemu('QEMU 7.2 puts the same drives on the same buses (info qtree)', () => {
    const files = ['a', 'b', 'c'].map((n) => disk(`${n}.img`, n));
    const r = spawnSync('qemu-system-riscv64', ['-M', 'virt', '-bios', 'none', '-S', '-display', 'none', '-serial', 'none', '-monitor', 'stdio', ...line(files)],
      { input: 'info qtree\nquit\n', encoding: 'latin1', timeout: 30_000 });
    const buses = new Map<string, number>();
    let bus = -1;
    for (const l of r.stdout.split('\n')) {
      const b = /bus: virtio-mmio-bus\.(\d+)/.exec(l);
      if (b) bus = Number(b[1]);
      const d = /drive = "([abc])"/.exec(l);
      if (d && bus >= 0) buses.set(d[1], bus);
    }
    expect(Object.fromEntries(buses)).toEqual({ a: 7, b: 6, c: 2 });
  });

  test('the guest finds each disk in its slot (DeviceID 2 there, 0 in the empty slots)', () => {
    const files = ['a', 'b', 'c'].map((n) => disk(`p${n}.img`, n));
    // Reads DeviceID of slots 0..7 and prints one digit per slot.
    const a = new Asm();
    for (let s = 0; s < 8; s++) a.li(5, 0x10001000 + s * 0x1000 + 8).lw(6, 5).addi(6, 6, 0x30).li(7, 0x10000000).sb(6, 7);
    a.li(6, 10).li(7, 0x10000000).sb(6, 7).pass();
    const k = path.join(dir, 'slots.elf');
    fs.writeFileSync(k, elf([{ addr: RAM, data: a.bytes() }]));
    const r = boot(['-M', 'virt', '-bios', 'none', '-kernel', k, ...line(files)]);
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: '00200022\n' });
  });

  withQemu('-initrd, -append and the virtio nodes: dumpdtb gives QEMU\'s /chosen and slots', () => {
    const rd = path.join(dir, 'initrd.img');
    fs.writeFileSync(rd, Buffer.alloc(5000, 7));
    const files = ['a', 'b', 'c'].map((n) => disk(`t${n}.img`, n));
    for (const extra of [['-bios', 'none'], ['-bios', 'none', '-m', '512M']]) {
      const common = [...extra, '-kernel', TEACH, '-initrd', rd, '-append', 'console=ttyS0 quiet', ...line(files)];
      const q = path.join(dir, 'q.dtb'), d = path.join(dir, 'd.dtb');
      expect(qemu(['-M', `virt,dumpdtb=${q}`, '-display', 'none', ...common]).status).toBe(0);
      const r = boot(['-M', `virt,dumpdtb=${d}`, ...common]);
      expect(r.status).toBe(0);
      const [qt, dt] = [q, d].map((f) => readDtb(new Uint8Array(fs.readFileSync(f))));
      for (const prop of ['linux,initrd-start', 'linux,initrd-end']) {
        expect(propCells(findNode(dt, '/chosen')!.props.get(prop))).toEqual(propCells(findNode(qt, '/chosen')!.props.get(prop)));
      }
      expect(propStrings(findNode(dt, '/chosen')!.props.get('bootargs'))).toEqual(['console=ttyS0 quiet']);
      const slots = (t: typeof qt) => findNode(t, '/soc')!.children.filter((c) => c.name.startsWith('virtio_mmio')).map((c) => c.name);
      expect(slots(dt)).toEqual(slots(qt));
    }
  });

  test('-dtb: the given tree is handed over, with /chosen set from -append', () => {
    const d = path.join(dir, 'own.dtb'), out = path.join(dir, 'own-out.dtb');
    expect(boot(['-M', `virt,dumpdtb=${d}`, '-bios', 'none', '-kernel', TEACH]).status).toBe(0);
    const r = boot(['-M', `virt,dumpdtb=${out}`, '-bios', 'none', '-kernel', TEACH, '-dtb', d, '-append', 'from -append']);
    expect(r.status).toBe(0);
    const t = readDtb(new Uint8Array(fs.readFileSync(out)));
    expect(propStrings(findNode(t, '/chosen')!.props.get('bootargs'))).toEqual(['from -append']);
    expect(findNode(t, '/soc/serial@10000000')).toBeDefined();
  });

  test('-no-reboot: a guest-requested reset ends the run with 0 (without it the machine starts again)', () => {
    const a = new Asm().print('up\n').li(5, 0x100000).li(6, 0x7777).sw(6, 5).spin();
    const k = path.join(dir, 'reset.elf');
    fs.writeFileSync(k, elf([{ addr: RAM, data: a.bytes() }]));
    const once = boot(['-M', 'virt', '-bios', 'none', '-kernel', k, '-no-reboot']);
    expect({ status: once.status, stdout: once.stdout }).toEqual({ status: 0, stdout: 'up\n' });
    const again = boot(['-M', 'virt', '-bios', 'none', '-kernel', k, '--max-insns', '2000']);
    expect(again.status).toBe(124);
    expect(again.stdout.startsWith('up\nup\nup\n')).toBe(true);
  });
});

withQemu('the PLIC keeps a UART request when the line drops, on QEMU 7.2 and the reference (both gateways)', () => {
  // Prints PLIC pending bit 10 after IER.THRI raises the UART's line, and again after IER = 0 lowers it.
  const U = 0x10000000, P = 0xc000000;
  const a = new Asm();
  const show = () => a.li(5, P + 0x1000).lw(6, 5).srli(6, 6, 10).andi(6, 6, 1).addi(6, 6, 0x30).li(7, U).sb(6, 7);
  a.li(5, U + 1).li(6, 2).sb(6, 5);
  show();
  a.li(5, U + 1).li(6, 0).sb(6, 5);
  show();
  a.li(6, 10).li(7, U).sb(6, 7).pass();
  const k = path.join(dir, 'plic-lower.elf');
  fs.writeFileSync(k, elf([{ addr: RAM, data: a.bytes() }]));
  const line = ['-M', 'virt', '-bios', 'none', '-kernel', k, '-nographic'];
  expect(qemu(line).stdout).toBe('11\n');
  expect(boot(line).stdout).toBe('11\n');
  expect(boot([...line, '--plic-gateway', 'spec']).stdout).toBe('11\n');
});

describe('a kernel written the way teaching kernels are, with its QEMU line', () => {
  // reference/guests/teaching/Makefile's QEMUOPTS.
  const teachLine = (img: string, more: string[] = []) => [
    '-machine', 'virt', '-bios', 'none', '-kernel', TEACH, '-m', '128M', '-smp', '1', '-nographic',
    ...more, '-drive', `file=${img},if=none,format=raw,id=x0`, '-device', 'virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0',
  ];
  const MODERN = ['-global', 'virtio-mmio.force-legacy=false'];
  const EXPECTED = [
    'teach: booted in M-mode, timer, PLIC and UART interrupts on',
    'teach: 3 timer ticks',
    'teach: virtio disk in slot 0, FEATURES_OK kept without VERSION_1',
    'teach: sector 0 says: devirt teaching disk',
    'teach: sector 1 written and read back',
    'teach: done',
    '',
  ].join('\n');

  let referenceDisk: Buffer;
  test('runs on the reference: M-mode timer, IIR-less UART driver, low-word-only virtio in slot 0', () => {
    const img = disk('teach-ref.img', 'devirt teaching disk');
    const r = boot([...teachLine(img, MODERN), '--max-insns', '50000000']);
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: EXPECTED, stderr: '' });
    referenceDisk = fs.readFileSync(img);
    expect(referenceDisk.subarray(512, 528).toString('latin1')).toBe('written by teach');
  });

  withQemu('the same console and the same disk afterwards on QEMU 7.2, with the same line', () => {
    const img = disk('teach-qemu.img', 'devirt teaching disk');
    const q = qemu(teachLine(img, MODERN));
    expect({ status: q.status, stdout: q.stdout }).toEqual({ status: 0, stdout: EXPECTED });
    expect(fs.readFileSync(img).equals(referenceDisk)).toBe(true);
  });

  withQemu('without -global, both give QEMU 7.2\'s legacy transport, which this modern-only driver does not find', () => {
    const lines = ['teach: booted in M-mode, timer, PLIC and UART interrupts on', 'teach: 3 timer ticks', 'teach: could not find virtio disk', ''].join('\n');
    const q = qemu(teachLine(disk('l-q.img', 'x')));
    const r = boot([...teachLine(disk('l-r.img', 'x')), '--max-insns', '50000000']);
    expect({ status: q.status, stdout: q.stdout }).toEqual({ status: 2, stdout: lines });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 2, stdout: lines });
  });

  test('under the PLIC specification\'s gateway (--plic-gateway spec) its UART interrupt never ends, as issue 13 found', () => {
    const r = boot([...teachLine(disk('spec.img', 'x'), MODERN), '--plic-gateway', 'spec', '--max-insns', '3000000']);
    expect(r.status).toBe(124);
    expect(r.stdout).toBe('');
  });
});
