// Instruction counts and reference speed of the third-party boots in conformance/third-party.md:
//   npx tsc -p . && node dist/test/compat/measure.js
// Each case runs in-process as `devirt boot` runs it (same machine, same scripted input), to the
// guest's poweroff; speed is guest instructions per second of this process's CPU time.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Machine } from '../../reference/machine/machine';
import { FileBlockBackend } from '../../reference/machine/devices/block-file';
import { OPENSBI, OPENSBI_PKG, ROOT, UBOOT_M, UBOOT_S } from './helpers';
import { sbiPayload } from './sbi-payload';
import { command, stopAutoboot } from './uboot-script';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-measure-'));
const payload = path.join(dir, 'payload.bin');
fs.writeFileSync(payload, sbiPayload());
const disk = path.join(dir, 'disk.img');
fs.writeFileSync(disk, Buffer.alloc(1 << 20));

const cases: { name: string; bios: string | null; kernel: string; drive?: string; script: string[]; stopAtPrompt?: boolean }[] = [
  { name: 'OpenSBI (qemu-system-data) + payload', bios: OPENSBI, kernel: payload, script: [] as string[] },
  { name: 'OpenSBI fw_jump (opensbi) + payload', bios: OPENSBI_PKG.replace('fw_dynamic', 'fw_jump'), kernel: payload, script: [] },
  { name: 'OpenSBI + U-Boot S-mode, disk', bios: OPENSBI, kernel: UBOOT_S, drive: disk,
    script: [stopAutoboot, command('version'), command('bdinfo'), command('fdt addr $fdtcontroladdr; fdt print /cpus'), command('virtio scan; virtio info'),
      command('virtio read 0x84000000 0 1; md.b 0x84000000 0x20'), command('mw.b 0x84000000 0x5a 0x200; virtio write 0x84000000 1 1'), command('poweroff')].map((s) => s.send) },
  { name: 'OpenSBI fw_jump + U-Boot S-mode, reset', bios: OPENSBI_PKG.replace('fw_dynamic', 'fw_jump'), kernel: UBOOT_S,
    script: [stopAutoboot, command('bdinfo'), command('reset'), stopAutoboot, command('poweroff')].map((s) => s.send) },
  { name: 'Microvisor + U-Boot S-mode', bios: path.join(ROOT, 'reference/firmware/build/microvisor.elf'), kernel: UBOOT_S,
    script: [stopAutoboot, command('bdinfo'), command('poweroff')].map((s) => s.send) },
  { name: 'U-Boot M-mode (-bios none), reset', bios: null, kernel: UBOOT_M,
    script: [stopAutoboot, command('version'), command('reset'), stopAutoboot, command('fdt addr $fdtcontroladdr; fdt print /cpus'), command('poweroff')].map((s) => s.send) },
  { name: 'U-Boot M-mode to its prompt only', bios: null, kernel: UBOOT_M, script: [stopAutoboot.send], stopAtPrompt: true },
];

for (const c of cases) {
  if (![c.bios, c.kernel].every((f) => f === null || fs.existsSync(f))) { console.log(`${c.name}: skipped (not installed)`); continue; }
  const drive = c.drive ? new FileBlockBackend(c.drive) : null;
  const m = new Machine({
    bios: c.bios ? new Uint8Array(fs.readFileSync(c.bios)) : null, biosName: c.bios ?? undefined,
    kernel: new Uint8Array(fs.readFileSync(c.kernel)), kernelName: c.kernel, drive,
  });
  let given = false;
  m.uart.setInputSource(() => { if (given) return null; given = true; return Buffer.from(c.script.join(''), 'latin1'); });
  const cpu0 = process.cpuUsage();
  let executed = 0, reason = '';
  for (;;) {
    const before = m.hart.instret;
    const r = m.run({ maxInsns: c.stopAtPrompt ? 100_000 : 2_000_000 });
    executed += m.hart.instret - before;
    if (c.stopAtPrompt && m.console.includes('=> ')) { reason = 'prompt'; break; }
    if (r.reason === 'finisher' && m.finisherState?.kind === 'reset') { m.reboot(); continue; }
    if (r.reason !== 'limit' || executed > 300_000_000) { reason = r.reason; break; }
  }
  const cpu = process.cpuUsage(cpu0);
  const seconds = (cpu.user + cpu.system) / 1e6;
  drive?.close?.();
  console.log(`${c.name}: ${reason}, ${(executed / 1e6).toFixed(2)} M instructions, ${seconds.toFixed(2)} s CPU, ${(executed / seconds / 1e6).toFixed(1)} MIPS, guest time ${(m.hart.mtime() / 1e7).toFixed(3)} s`);
}
fs.rmSync(dir, { recursive: true, force: true });
void ROOT;
