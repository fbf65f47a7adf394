// Unmodified software written for QEMU virt, from Debian's packages: OpenSBI (generic platform,
// fw_dynamic) as --bios finds every device through our device tree and boots U-Boot in S-mode,
// whose own ns16550 and virtio-blk drivers then read and write the --drive file, and whose
// poweroff goes through SBI SRST to the finisher. Skipped when the packages are not installed
// (apt-get install opensbi u-boot-qemu).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const OPENSBI = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.elf';
const UBOOT = '/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf';
const present = fs.existsSync(OPENSBI) && fs.existsSync(UBOOT);

(present ? test : test.skip)(`OpenSBI + U-Boot boot, use the disk and power off${present ? '' : ' (skipped: opensbi and u-boot-qemu are not installed)'}`, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-uboot-'));
  const disk = path.join(dir, 'disk.img');
  const img = Buffer.alloc(64 * 1024);
  img.write('devirt disk', 0, 'latin1');
  img.write('sector one', 512, 'latin1');
  fs.writeFileSync(disk, img);
  // U-Boot swallows typed-ahead keys (to stop autoboot, and when it checks for Ctrl-C), so the
  // input starts with a throw-away line and every command with a space.
  const input = ['xyz', ' virtio info', ' virtio read 0x84000000 0 2', ' md.b 0x84000200 0x10', ' virtio write 0x84000000 3 1', ' poweroff', ''].join('\n');
  const r = spawnSync(process.execPath, [path.resolve(__dirname, '../../../bin/devirt.js'), 'boot', '--bios', OPENSBI, '--kernel', UBOOT,
    '--drive', disk, '--max-insns', '600000000'], { input, encoding: 'latin1', timeout: 120_000 });
  const after = fs.readFileSync(disk);
  fs.rmSync(dir, { recursive: true });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  for (const line of [
    'OpenSBI v',
    'Platform Console Device   : uart8250',
    'Platform Timer Device     : aclint-mtimer @ 10000000Hz',
    'Platform Shutdown Device  : sifive_test',
    'Domain0 Next Address      : 0x0000000080200000',
    'Domain0 Next Arg1         : 0x0000000087e00000',
    'Boot HART ISA Extensions  : time,sstc',
    'CPU:   rv64imac_zicsr_zifencei_sstc',
    'Device 0: QEMU VirtIO Block Device',
    'Capacity: 0.0 MB = 0.0 GB (128 x 512)',
    '2 blocks read: OK',
    '84000200: 73 65 63 74 6f 72 20 6f 6e 65 00 00 00 00 00 00  sector one......',
    '1 blocks written: OK',
    'poweroff ...',
  ]) expect(r.stdout).toContain(line);
  expect(after.subarray(1536, 2048).equals(img.subarray(0, 512))).toBe(true);
});
