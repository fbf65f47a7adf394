// Every bare-metal guest program runs on QEMU (the independent oracle) and on the reference, and
// both must show the same console output and exit code. Programs that exist to show a documented
// QEMU 7.2 departure from the specification must pass their own (specification) checks on the
// reference, and the departure must still be real and documented.

import * as fs from 'fs';
import * as path from 'path';
import { guestPrograms, imagePath } from '../../reference/guests/catalog';
import { qemuVersion, referenceDriveGap, runQemu, runReference, runReferenceCli } from './runners';

const ROOT = path.resolve(__dirname, '../../..');
const programs = guestPrograms();
const qemu = qemuVersion();
const driveGap = referenceDriveGap();
const divergenceDoc = fs.readFileSync(path.join(ROOT, 'conformance/qemu-divergences.md'), 'utf8');

test('every guest program has a committed image', () => {
  expect(programs.length).toBeGreaterThan(10);
  for (const p of programs) expect(fs.existsSync(imagePath(p.name))).toBe(true);
});

describe('guest programs on the reference', () => {
  for (const p of programs) {
    // A program that needs a device the reference does not have yet is skipped, naming the device.
    const t = p.drive && driveGap ? test.skip : test;
    const note = p.drive && driveGap ? ` (skipped: the reference has no virtio-blk device yet: ${driveGap})` : '';
    t(`${p.name} passes its own checks${note}`, () => {
      const r = runReference(p);
      expect(r.stop).toBeUndefined();
      expect(r.code).toBe(p.name === 'htif' ? 3 : 0);
      if (p.name !== 'htif') expect(r.console.endsWith('PASS\n')).toBe(true);
    });
  }
});

const onQemu = qemu ? describe : describe.skip;
onQemu(`guest programs on QEMU and the reference agree${qemu ? '' : ' (skipped: qemu-system-riscv64 is not installed)'}`, () => {
  for (const p of programs) {
    if (p.qemuDivergences) {
      test(`${p.name}: QEMU departs as documented (${p.qemuDivergences.join(', ')})`, () => {
        for (const key of p.qemuDivergences!) expect(divergenceDoc).toContain(`## ${key}\n`);
        const q = runQemu(p);
        const r = runReference(p);
        expect(r.code).toBe(0);
        // If QEMU ever agrees, the documentation is stale: the program becomes a plain one.
        expect(q.console).not.toBe(r.console);
      });
      continue;
    }
    const t = p.drive && driveGap ? test.skip : test;
    const note = p.drive && driveGap ? ' (skipped: the reference has no virtio-blk device yet)' : '';
    t(`${p.name}: same console and exit code on QEMU and devirt boot${note}`, () => {
      const q = runQemu(p);
      const r = runReferenceCli(p);
      expect(r.console).toBe(q.console);
      expect(r.code).toBe(q.code);
      if (p.drive) expect(Buffer.from(r.drive!).equals(Buffer.from(q.drive!))).toBe(true);
    });
  }
  if (driveGap) {
    // Until the reference has the device, QEMU alone still proves the driver program.
    test('virtio-blk passes on QEMU', () => {
      const p = programs.find((x) => x.name === 'virtio-blk')!;
      const q = runQemu(p);
      expect(q.code).toBe(0);
      expect(q.console.endsWith('PASS\n')).toBe(true);
      expect(Buffer.from(q.drive!.subarray(512, 1024)).equals(Buffer.from(Array.from({ length: 512 }, (_, i) => i ^ 0x5a)))).toBe(true);
    });
  }
});

test('devirt boot --bios none gives the same console and exit code as the in-process machine', () => {
  for (const name of ['exceptions', 'uart-rx', 'htif']) {
    const p = programs.find((x) => x.name === name)!;
    const cli = runReferenceCli(p);
    const r = runReference(p);
    expect(cli.console).toBe(r.console);
    expect(cli.code).toBe(r.code);
  }
});
