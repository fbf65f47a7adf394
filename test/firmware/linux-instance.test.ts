// Debian's riscv64 Linux (an unmodified third-party kernel, fetched by ci/fetch-linux.sh, never
// committed) boots as instance 1 in a 256 MiB partition of a 1 GiB machine, beside a ticker
// instance 0 that keeps its timer going, to "VFS: Unable to mount root fs" (there is no root
// disk). Its console is compared with the same kernel booted alone under the Microvisor with the
// same command line: they differ only as conformance/maintenance-sbi.md ("Linux as instance 1")
// documents. Both boots together take about 850 M guest instructions.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Machine } from '../../reference/machine/machine';
import { placeMaintenance, ringAndWait, runUntilConsole } from '../../reference/maintenance-image';
import { DOORBELL_CAUSE } from '../../reference/session';
import { HAVE_QEMU, ROOT } from './helpers';

const MiB = 1024 * 1024;
const dir = path.join(process.env.DEVIRT_LINUX_DIR ?? path.join(os.homedir(), '.cache/devirt/linux'), 'boot');
const vmlinux = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith('vmlinux-')).map((f) => path.join(dir, f))[0] : undefined;
const maybe = vmlinux ? test : test.skip;
if (!vmlinux) console.warn(`no Debian kernel in ${dir}: the Linux-as-instance-1 test is skipped (ci/fetch-linux.sh fetches it)`);

// The same command line for both boots. earlycon=sbi keep_bootcon: the console is the SBI debug
// console throughout (the kernel has no hvc driver for it); console=tty0 keeps the alone boot from
// also printing on the UART. The rest only skips work that takes the emulator long and that the
// comparison does not need (initcall_debug timed them): crypto and entropy self-tests, the
// built-in certificates, kprobe and BPF set-up. (Skipping inet_init too crashes the kernel later.)
const LINUX_ARGS = 'earlycon=sbi keep_bootcon console=tty0 cryptomgr.notests initcall_blacklist=' +
  'jent_mod_init,init_kprobe_trace,init_msg_buckets,init_user_buckets,load_system_certificate_list,bpf_tcp_ca_kfunc_init';
const MARKER = 'VFS: Unable to mount root fs';
const MAX_INSNS = 900_000_000;

/** Run in chunks until `text()` shows the marker (or the budget is spent); returns instructions run. */
function runToMarker(m: Machine, text: () => string): number {
  let ran = 0;
  while (ran < MAX_INSNS && !text().includes(MARKER)) {
    const r = m.run({ maxInsns: 4_000_000 });
    ran += 4_000_000;
    if (r.reason !== 'limit') break;
  }
  return ran;
}

/** The console up to the marker's line, without printk timestamps. */
const lines = (text: string) => {
  const all = text.split('\n').map((l) => l.replace(/^\[ *\d+\.\d+\] /, ''));
  return all.slice(0, all.findIndex((l) => l.includes(MARKER)) + 1);
};

// The documented differences (conformance/maintenance-sbi.md, "Linux as instance 1"), each a line
// that may appear in one boot and not the other.
const DIFFERENCES: [RegExp, string][] = [
  [/^OF: reserved mem: /, 'reserved memory: the firmware and partition alone, none as instance 1'],
  [/^NUMA: Faking a node at |^NODE_DATA\(0\) allocated |^ {2}DMA32 |^ {2}node {3}0: \[mem |^Initmem setup node 0 /, 'memory addresses: all of RAM alone, the partition as instance 1'],
  [/^Memory: \d+K\/\d+K available /, 'memory totals'],
  [/hash table entries: |^TCP: Hash tables configured |^workingset: timestamp_bits=/, 'table sizes that follow the memory size'],
  [/^node 0 deferred pages initialised in \d+ms$|^audit: type=2000 audit\(\d+\.\d+:1\)/, 'times: the hart is shared'],
  [/^10000000\.serial: ttyS0 at MMIO |^goldfish_rtc 101000\.rtc: /, 'the UART and the RTC: instance 0 owns them, so they are disabled in instance 1\'s tree'],
];

maybe('Debian Linux boots as instance 1 beside a running instance 0, as it boots alone but for the documented differences', () => {
  const linux = new Uint8Array(fs.readFileSync(vmlinux!));
  const firmware = new Uint8Array(fs.readFileSync(path.join(ROOT, 'reference/firmware/build/microvisor.elf')));
  const ticker = new Uint8Array(fs.readFileSync(path.join(ROOT, 'reference/guests/instances/build/ticker.elf')));

  const m = new Machine({ ramSize: 1024 * MiB, bios: firmware, kernel: ticker });
  expect(runUntilConsole(m, 'ticker: start\n')).toBe(true);
  expect(ringAndWait(m, DOORBELL_CAUSE.virtualize)).toBe(0n);
  expect(ringAndWait(m, DOORBELL_CAUSE.create, placeMaintenance(m, { image: linux, bootargs: LINUX_ARGS }))).toBe(0n);
  expect(ringAndWait(m, DOORBELL_CAUSE.start, [1n])).toBe(0n);
  const ticksBefore = (m.console.match(/^tick \d+$/gm) ?? []).length;
  runToMarker(m, () => m.console1);
  const shared = m.console1;
  expect(shared).toContain(MARKER);
  expect(shared).toMatch(/SBI implementation ID=0x4456 Version=0x10000/);
  // Its memory is the partition (the third quarter of 1 GiB) and nothing else.
  expect(shared).toMatch(/^\[ *[\d.]+\] Initmem setup node 0 \[mem 0x00000000a0000000-0x00000000afffffff\]$/m);
  expect(shared).toMatch(/Kernel command line: earlycon=sbi keep_bootcon console=tty0 /);
  // Instance 0 kept ticking the whole time, and none of Linux's output reached its console.
  const ticks = m.console.match(/^tick \d+$/gm) ?? [];
  expect(ticks.length - ticksBefore).toBeGreaterThan(100);
  expect(ticks.every((t, i) => t === `tick ${10 * (i + 1)}`)).toBe(true);
  expect(m.console).not.toMatch(/Linux|Kernel/);

  const alone = new Machine({ ramSize: 256 * MiB, bios: firmware, kernel: linux, bootargs: LINUX_ARGS });
  runToMarker(alone, () => alone.console);
  expect(alone.console).toContain(MARKER);
  const a = lines(alone.console), s = lines(shared);
  const onlyOne = [...a.filter((l) => !s.includes(l)), ...s.filter((l) => !a.includes(l))];
  const undocumented = onlyOne.filter((l) => !DIFFERENCES.some(([re]) => re.test(l)));
  expect(undocumented).toEqual([]);
  // The comparison compared something: most lines are the same.
  expect(a.filter((l) => s.includes(l)).length).toBeGreaterThan(120);
}, 900_000);

// On QEMU (no doorbell) the same firmware runs Linux as instance 1 in band: the ticker finds the
// kernel image in its initrd (QEMU's -initrd), creates and starts it through the SBI, and keeps
// ticking; both consoles share the UART. The kernel panics at the end and spins, so QEMU is
// stopped once the marker is seen.
const maybeQemu = vmlinux && HAVE_QEMU ? test : test.skip;
maybeQemu('QEMU: Linux as instance 1 in band, beside the ticker, to the VFS panic', async () => {
  const { spawn } = require('child_process') as typeof import('child_process');
  const q = spawn('qemu-system-riscv64', ['-M', 'virt', '-cpu', 'rv64,f=off,d=off,h=off', '-m', '1G', '-nographic', '-monitor', 'none',
    '-serial', 'stdio', '-bios', path.join(ROOT, 'reference/firmware/build/microvisor.elf'),
    '-kernel', path.join(ROOT, 'reference/guests/instances/build/ticker.elf'), '-initrd', vmlinux!]);
  let out = '';
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => { q.kill(); resolve(); }, 240_000);
    q.stdout.on('data', (d: Buffer) => { out += d.toString('latin1'); if (out.includes(MARKER)) { clearTimeout(timer); q.kill(); resolve(); } });
    q.on('exit', () => { clearTimeout(timer); resolve(); });
  });
  expect(out).toMatch(/^ticker: virtualize ok\nticker: create from initrd ok\nticker: bootargs ok\nticker: start ok\n/m);
  expect(out).toContain(MARKER);
  expect(out).toMatch(/SBI implementation ID=0x4456/);
  expect(out).toMatch(/Initmem setup node 0 \[mem 0x00000000a0000000-0x00000000afffffff\]/);
  // The ticker kept going while Linux booted.
  const before = out.slice(0, out.indexOf('Linux version'));
  const during = out.slice(out.indexOf('Linux version'), out.indexOf(MARKER));
  expect((during.match(/^tick \d+$/gm) ?? []).length).toBeGreaterThan((before.match(/^tick \d+$/gm) ?? []).length);
}, 300_000);
