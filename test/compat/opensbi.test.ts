// OpenSBI, as Debian ships it for QEMU (qemu-system-data's default -bios, and the opensbi
// package's fw_dynamic and fw_jump), boots a tiny S-mode payload of ours on the reference as on
// QEMU 7.2: the same console line for line, except where conformance/qemu-divergences.md says
// why. The payload's own checks come from the specifications, so they hold without QEMU too.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compareConsoles, documentedDivergences, missing, qemuArgv, runQemu, runReference, OPENSBI, OPENSBI_PKG } from './helpers';
import { PAYLOAD_DIVERGENCES } from './divergences';
import { sbiPayload } from './sbi-payload';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-compat-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const payload = path.join(dir, 'payload.bin');
fs.writeFileSync(payload, sbiPayload());

const FIRMWARE = [
  { name: 'qemu-system-data fw_dynamic (QEMU\'s default -bios)', file: OPENSBI },
  { name: 'opensbi fw_dynamic', file: OPENSBI_PKG },
  { name: 'opensbi fw_jump', file: OPENSBI_PKG.replace('fw_dynamic', 'fw_jump') },
];
const MAX_INSNS = 20_000_000;
const used = new Set<string>();

describe.each(FIRMWARE)('OpenSBI: $name', ({ file }) => {
  const skip = missing([file]);
  if (skip) console.warn(`skipped: ${skip}`);
  const t = skip ? test.skip : test;

  let reference: ReturnType<typeof runReference>;
  t('boots the payload on the reference, which sees what the specifications say and shuts down through SRST', () => {
    reference = runReference(['--bios', file, '--kernel', payload], [], MAX_INSNS);
    expect({ status: reference.status, stderr: reference.stderr }).toEqual({ status: 0, stderr: '' });
    const c = reference.console.replace(/\r\n/g, '\n');
    expect(c).toMatch(/^OpenSBI v\d/m);
    expect(c).toMatch(/^Domain0 Next Address {6}: 0x0000000080200000$/m);
    expect(c).toMatch(/^Boot HART Base ISA {8}: rv64imac$/m);
    expect(c).toMatch(/^payload: S-mode$/m);
    // Privileged 1.12, 4.1.11 (scounteren is 32 bits), 4.1.7 (sepc[0] is zero with IALIGN=16),
    // 4.1.10 (senvcfg: only FIOM without Zicbom/Zicboz), 4.1.1 (UXL = 64, read-only).
    expect(c).toMatch(/^warl scounteren 0x00000000ffffffff 0x0000000000000000$/m);
    expect(c).toMatch(/^warl sepc 0xfffffffffffffffe 0x0000000000000000$/m);
    expect(c).toMatch(/^warl senvcfg 0x0000000000000001 0x0000000000000000$/m);
    expect(c).toMatch(/^warl sstatus 0x00000002000c0122 0x0000000200000000$/m);
    // A load where the platform has nothing: access fault (5), tval the address.
    expect(c).toMatch(/^load hole 0x0 0x0000000000000000 trap 0x0000000000000005 0x0000000000000000$/m);
    expect(c).toMatch(/^load virtio0 magic 0x0000000074726976 trap 0x0{16} 0x0{16}$/m);
    // Privileged 1.12, 4.1.3: simultaneous S interrupts are taken SEI, SSI, STI (codes 9, 1, 5).
    expect(c).toMatch(/^interrupts pending 0x0000000000000222 taken in order 0x0000000000000915$/m);
    expect(c.endsWith('shutdown\n')).toBe(true);
  });

  t('QEMU\'s exact command line, with devirt boot in qemu-system-riscv64\'s place, gives the same run', () => {
    const line = qemuArgv(['-bios', file, '-kernel', payload]);
    const r = runReference(line, [], MAX_INSNS);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.console).toBe(reference.console);
  });

  const q = skip ?? missing([], true);
  (q ? test.skip : test)('the same console as on QEMU 7.2, line for line, but for documented divergences', async () => {
    const qemu = await runQemu(['-bios', file, '-kernel', payload], []);
    expect(qemu.status).toBe(0);
    const cmp = compareConsoles(qemu.console, reference.console, PAYLOAD_DIVERGENCES);
    expect(cmp.unexplained).toEqual([]);
    cmp.used.forEach((k) => used.add(k));
  });
});

(missing(FIRMWARE.map((f) => f.file), true) ? test.skip : test)('every divergence the comparison allows is documented, and QEMU still shows each one', () => {
  const documented = documentedDivergences();
  const keys = new Set(PAYLOAD_DIVERGENCES.map((d) => d.key));
  for (const k of keys) expect({ key: k, documented: documented.has(k) }).toEqual({ key: k, documented: true });
  expect([...used].sort()).toEqual([...keys].sort());
});
