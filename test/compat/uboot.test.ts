// U-Boot, as Debian's u-boot-qemu builds it for QEMU virt, on the reference as on QEMU 7.2: in
// S-mode under OpenSBI (with a virtio disk), in M-mode from reset (-bios none, with a reset on the
// way), and in S-mode under our Microvisor (on QEMU: the same firmware ELF as -bios). The prompt
// is driven through stdin; each run ends with `poweroff`. The console must equal QEMU's line for line, but for documented divergences.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compareConsoles, documentedDivergences, missing, qemuArgv, runQemu, runReference, runReferenceDriven, OPENSBI, OPENSBI_PKG, ROOT, UBOOT_M, UBOOT_S } from './helpers';
import { UBOOT_DIVERGENCES } from './divergences';
import { command, Step, stopAutoboot } from './uboot-script';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-uboot-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const disk = path.join(dir, 'disk.img');
// A recognisable first sector, read back through virtio and dumped by `md.b`.
fs.writeFileSync(disk, Buffer.concat([Buffer.from('devirt third-party disk, sector 0'), Buffer.alloc((1 << 20) - 33)]));
const FW_JUMP = OPENSBI_PKG.replace('fw_dynamic', 'fw_jump');
const MICROVISOR = path.join(ROOT, 'reference/firmware/build/microvisor.elf');
const used = new Set<string>();

interface Case { name: string; files: string[]; reference: string[]; qemu: string[]; steps: Step[]; maxInsns: number; expect: RegExp[] }

const CASES: Case[] = [
  {
    name: 'S-mode under OpenSBI, with a virtio-blk disk',
    files: [OPENSBI, UBOOT_S],
    reference: ['--bios', OPENSBI, '--kernel', UBOOT_S, '--drive', disk],
    qemu: ['-bios', OPENSBI, '-kernel', UBOOT_S, '-drive', `file=${disk},format=raw,if=none,id=hd0`, '-device', 'virtio-blk-device,drive=hd0'],
    steps: [stopAutoboot, command('version'), command('bdinfo'), command('fdt addr $fdtcontroladdr; fdt print /cpus'), command('virtio scan; virtio info'),
      command('virtio read 0x84000000 0 1; md.b 0x84000000 0x20'), command('mw.b 0x84000000 0x5a 0x200; virtio write 0x84000000 1 1'), command('poweroff')],
    maxInsns: 60_000_000,
    expect: [/^U-Boot 2\d{3}\.\d\d/m, /^DRAM: {2}128 MiB$/m, /^-> size {5}= 0x0000000008000000$/m, /riscv,isa = "rv64imac_zicsr_zifencei_sstc";/,
      /^Device 0: QEMU VirtIO Block Device$/m, /Capacity: 1\.0 MB = 0\.0 GB \(2048 x 512\)/,
      /^84000000: 64 65 76 69 72 74 20 74 68 69 72 64 2d 70 61 72 {2}devirt third-par$/m, /^poweroff \.\.\.$/m],
  },
  {
    name: 'S-mode under OpenSBI fw_jump (package opensbi: the device tree moved to 0x82200000), reset through SBI',
    files: [FW_JUMP, UBOOT_S],
    reference: ['--bios', FW_JUMP, '--kernel', UBOOT_S],
    qemu: ['-bios', FW_JUMP, '-kernel', UBOOT_S],
    // `reset` is an SBI SRST cold reboot, which OpenSBI carries out through the finisher (0x7777).
    steps: [stopAutoboot, command('bdinfo'), command('reset'), stopAutoboot, command('poweroff')],
    maxInsns: 80_000_000,
    expect: [/^Domain0 Next Arg1 {9}: 0x0000000082200000$/m, /^DRAM: {2}128 MiB$/m, /^resetting \.\.\.$/m, /^poweroff \.\.\.$/m],
  },
  {
    name: 'M-mode from reset (-bios none), reset and boot again',
    files: [UBOOT_M],
    reference: ['--bios', 'none', '--kernel', UBOOT_M],
    qemu: ['-bios', 'none', '-kernel', UBOOT_M],
    steps: [stopAutoboot, command('version'), command('reset'), stopAutoboot, command('fdt addr $fdtcontroladdr; fdt print /cpus'), command('poweroff')],
    maxInsns: 60_000_000,
    expect: [/^resetting \.\.\.$/m, /mmu-type = "riscv,sv39";/, /^poweroff \.\.\.$/m],
  },
  {
    // The Microvisor reserves only its 512 KiB (PMP and /reserved-memory), like OpenSBI, so
    // U-Boot's early stack, which grows down from its entry at 0x80200000, is the kernel's own.
    name: 'S-mode under the Microvisor (the default firmware; on QEMU the same ELF as -bios)',
    files: [UBOOT_S, MICROVISOR],
    reference: ['--kernel', UBOOT_S],
    qemu: ['-bios', MICROVISOR, '-kernel', UBOOT_S],
    steps: [stopAutoboot, command('bdinfo'), command('poweroff')],
    maxInsns: 40_000_000,
    expect: [/^U-Boot 2\d{3}\.\d\d/m, /^DRAM: {2}128 MiB$/m, /^poweroff \.\.\.$/m],
  },
];

const norm = (s: string) => s.replace(/\r\n/g, '\n');

describe.each(CASES)('U-Boot $name', (c) => {
  const skip = missing(c.files);
  if (skip) console.warn(`skipped: ${skip}`);
  let reference: ReturnType<typeof runReference>;
  (skip ? test.skip : test)('reaches the prompt on the reference, runs the commands typed on stdin and powers off', () => {
    reference = runReference(c.reference, c.steps.map((s) => s.send), c.maxInsns);
    expect({ status: reference.status, stderr: reference.stderr }).toEqual({ status: 0, stderr: '' });
    const out = norm(reference.console);
    for (const re of c.expect) expect(out).toMatch(re);
    // U-Boot's virtio write reached the disk file: sector 1 is the pattern it wrote.
    if (c.reference.includes(disk)) expect(fs.readFileSync(disk).subarray(512, 1024).every((b) => b === 0x5a)).toBe(true);
    // Every command was typed and echoed at a prompt.
    for (const s of c.steps.filter((x) => x.waitFor === '=> ')) expect(out).toContain(`=> ${s.send.trimEnd()}\n`);
  });

  (skip ? test.skip : test)('QEMU\'s exact command line, with devirt boot in qemu-system-riscv64\'s place, gives the same console', () => {
    // QEMU's spelling gets QEMU 7.2's default legacy virtio-mmio transport, which U-Boot drives too.
    const r = runReference(qemuArgv(c.qemu), c.steps.map((s) => s.send), c.maxInsns);
    expect(r.status).toBe(0);
    const notes = r.stderr.split('\n').filter((l) => l && !/^devirt: note: -drive file=.*: no format= given|^$/.test(l));
    expect(notes).toEqual([]);
    expect(norm(r.console)).toBe(norm(reference.console));
  });

  const q = skip ?? missing([], true);
  (q ? test.skip : test)('the same console as on QEMU 7.2, line for line, but for documented divergences', async () => {
    const qemu = await runQemu(c.qemu, c.steps);
    expect(qemu.status).toBe(0);
    const cmp = compareConsoles(qemu.console, reference.console, UBOOT_DIVERGENCES);
    expect(cmp.unexplained).toEqual([]);
    cmp.used.forEach((k) => used.add(k));
  });
});

(missing([UBOOT_M]) ? test.skip : test)('driven like QEMU, through a pipe that stays open, the reference shows each prompt before it waits and gives the same console as the piped script', async () => {
  const c = CASES.find((x) => x.name.startsWith('M-mode'))!;
  const piped = runReference(c.reference, c.steps.map((s) => s.send), c.maxInsns);
  const driven = await runReferenceDriven(c.reference, c.steps);
  expect(driven.status).toBe(0);
  expect(driven.console).toBe(piped.console);
});

(missing([OPENSBI, FW_JUMP, UBOOT_S, UBOOT_M, MICROVISOR], true) ? test.skip : test)('every divergence the U-Boot comparison allows is documented, and QEMU still shows each one', () => {
  const documented = documentedDivergences();
  const keys = new Set(UBOOT_DIVERGENCES.map((d) => d.key));
  for (const k of keys) expect({ key: k, documented: documented.has(k) }).toEqual({ key: k, documented: true });
  expect([...used].sort()).toEqual([...keys].sort());
});
