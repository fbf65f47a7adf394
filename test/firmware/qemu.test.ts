// The same firmware image on QEMU virt: each probe's signature is the same whether the guest
// toggles the Microvisor through the maintenance SBI call (QEMU has no doorbell) or not. QEMU is
// the independent platform here; what differs between QEMU and the reference machine itself is
// the platform's business (conformance/qemu-divergences.md), not the Microvisor's.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HAVE_QEMU, patchElfWord, ROOT, runQemu } from './helpers';
import { PROBES, FIRMWARE } from '../../vectors/generators/transparency';

const maybe = HAVE_QEMU ? test : test.skip;
if (!HAVE_QEMU) console.warn('qemu-system-riscv64 not installed: QEMU transparency test skipped');

// The guest prints this trailer only when it toggles, so it is removed before comparing.
const stripTrailer = (s: string) => s.split('\n').filter((l) => !l.startsWith('maintenance:')).join('\n');

for (const probe of PROBES) {
  maybe(`${probe.name}: same signature on QEMU when toggled through SBI at every n-th guest trap`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-qemu-'));
    try {
      const bios = path.join(ROOT, FIRMWARE);
      const original = new Uint8Array(fs.readFileSync(path.join(ROOT, probe.file)));
      const native = runQemu(bios, path.join(ROOT, probe.file));
      expect(native.status).toBe(0);
      expect(native.console).toMatch(/sstatus=/);
      for (const every of [1, 2, 3, 5, 8]) {
        const file = path.join(dir, `${probe.name}-${every}.elf`);
        fs.writeFileSync(file, patchElfWord(original, 'sbi_toggle_every', BigInt(every)));
        const toggled = runQemu(bios, file);
        expect({ every, status: toggled.status }).toEqual({ every, status: 0 });
        const trailer = toggled.console.split('\n').find((l) => l.startsWith('maintenance:')) ?? '';
        expect(trailer).toMatch(/toggles=[1-9]/);
        expect(stripTrailer(toggled.console)).toBe(stripTrailer(native.console));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
