// `npm run bench [-- --runs N --os-runs N --only NAME... --jit|--jit-js|--no-jit]`: guest MIPS of the reference and of QEMU
// on the same images, in one run, as medians of several runs, with their ratio and the time each
// takes to its end or marker:
//   cpu-mix        the mixed C workload (reference/guests/tests/cpu-mix.c), to its finisher
//   coremark-like  a CoreMark-like kernel (reference/guests/tests/coremark-like.c), to its finisher
//   u-boot         Debian's u-boot-qemu in M-mode from reset (-bios none), to its autoboot prompt
//   linux          Debian's riscv64 kernel (ci/fetch-linux.sh) under the Microvisor, to its
//                  root-mount panic (no disk, no initrd), when the kernel is present
// Then the decoder's throughput through benchmark.js, and the network's (bench/net.ts).
// Numbers go to stdout and bench/last.json (for CI trends); nothing here asserts a speed, and the
// bench is not part of `npm test`.
//
// QEMU's time includes its start-up, so that is measured on a guest that ends at once (hello.elf)
// and subtracted. QEMU does not count instructions: its MIPS are the reference's instruction count
// for the same image (to the same end or marker) over QEMU's time, so for the boots, which wait on
// the timer here and there, they are nominal; the time to the marker is the figure to compare.
// The reference is timed by the wall clock and by this process's CPU time: on a shared machine the
// second is the steadier figure.

import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Benchmark from 'benchmark';
import { BootSession } from '../reference/session';
import { JIT_DEFAULT } from '../reference/machine/machine';
import { decode } from '../reference/machine/isa/decode';
import { netBench, printNetBench } from './net';

const ROOT = path.resolve(__dirname, '../..');
const GUESTS = path.join(ROOT, 'reference/guests/build');
const STARTUP_IMAGE = path.join(GUESTS, 'hello.elf');
const MICROVISOR = path.join(ROOT, 'reference/firmware/build/microvisor.elf');
const UBOOT_M = '/usr/lib/u-boot/qemu-riscv64/u-boot.bin';
// `npm run bench -- --no-jit` measures the interpreter alone, `--jit-js` the translator's JS
// backend (jit/TRANSLATION.md); the default is the machine's (WebAssembly blocks).
const JIT: boolean | { backend: 'js' } = process.argv.includes('--no-jit') ? false : process.argv.includes('--jit-js') ? { backend: 'js' }
  : process.argv.includes('--jit') ? true : JIT_DEFAULT;
const JIT_NAME = JIT === false ? 'off (--no-jit)' : JIT === true ? 'on (WebAssembly blocks)' : 'on (JS blocks, --jit-js)';
const LINUX_DIR = process.env.DEVIRT_LINUX_DIR ?? path.join(os.homedir(), '.cache/devirt/linux');
// The CPU QEMU is given: the reference's extensions (test/compat/helpers.ts QEMU_CPU).
const QEMU_BASE = ['-M', 'virt', '-cpu', 'rv64,f=off,d=off,h=off,zba=off,zbb=off,zbc=off,zbs=off,Zihintpause=off', '-nographic', '-no-reboot'];

interface Target {
  name: string;
  what: string;
  /** null: the target is not installed; the string says what is missing. */
  missing: string | null;
  bios: string | null;
  kernel: string;
  ramMiB: number;
  /** Console text that ends the run; none: the guest's finisher ends it. */
  marker?: string;
  maxInsns: number;
  os: boolean;
}

function linuxKernel(): string | null {
  const boot = path.join(LINUX_DIR, 'boot');
  if (!fs.existsSync(boot)) return null;
  const f = fs.readdirSync(boot).filter((n) => n.startsWith('vmlinux-')).sort()[0];
  return f ? path.join(boot, f) : null;
}

function targets(): Target[] {
  const linux = linuxKernel();
  const have = (f: string, what: string) => (fs.existsSync(f) ? null : `${what} (${f}) is missing`);
  return [
    { name: 'cpu-mix', what: 'mixed C workload', missing: have(process.env.DEVIRT_BENCH_IMAGE ?? path.join(GUESTS, 'cpu-mix.elf'), 'cpu-mix.elf: make -C reference/guests'), bios: null, kernel: process.env.DEVIRT_BENCH_IMAGE ?? path.join(GUESTS, 'cpu-mix.elf'), ramMiB: 128, maxInsns: 5e9, os: false },
    { name: 'coremark-like', what: 'CoreMark-like kernel', missing: have(path.join(GUESTS, 'coremark-like.elf'), 'coremark-like.elf: make -C reference/guests'), bios: null, kernel: path.join(GUESTS, 'coremark-like.elf'), ramMiB: 128, maxInsns: 5e9, os: false },
    { name: 'u-boot', what: 'U-Boot (M-mode) to its autoboot prompt', missing: have(UBOOT_M, "Debian's u-boot-qemu"), bios: null, kernel: UBOOT_M, ramMiB: 128, marker: 'Hit any key to stop autoboot', maxInsns: 5e8, os: true },
    { name: 'linux', what: 'Linux to its root-mount panic', missing: linux ? have(MICROVISOR, 'the Microvisor') : `Debian's riscv64 kernel (ci/fetch-linux.sh, ${LINUX_DIR})`, bios: MICROVISOR, kernel: linux ?? '', ramMiB: 1024, marker: 'VFS: Unable to mount root fs', maxInsns: 1e10, os: true },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface RefRun { insns: number; seconds: number; cpuSeconds: number; console: string }

function runReference(t: Target): RefRun {
  const chunks: string[] = [];
  let seen = '', done = false;
  const session: BootSession = new BootSession({
    kernel: new Uint8Array(fs.readFileSync(t.kernel)), kernelName: t.kernel,
    bios: t.bios ? new Uint8Array(fs.readFileSync(t.bios)) : null, biosName: t.bios ?? undefined,
    ramSize: t.ramMiB << 20, maxInsns: t.maxInsns, onReset: 'stop', captureConsole: false, jit: JIT,
    onConsole: (b) => {
      const c = String.fromCharCode(b);
      chunks.push(c);
      if (t.marker && !done) {
        seen = (seen + c).slice(-t.marker.length);
        if (seen === t.marker) { done = true; session.pause(); }
      }
    },
  });
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const stop = session.run();
  const cpu = process.cpuUsage(c0);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const console = chunks.join('');
  if (t.marker ? !done : stop.kind !== 'exit' || stop.code !== 0) {
    throw new Error(`${t.name} did not ${t.marker ? `reach "${t.marker}"` : 'pass'} on the reference (${stop.kind}${stop.kind === 'exit' ? ` ${stop.code}` : ''}); console ends: ${JSON.stringify(console.slice(-300))}`);
  }
  return { insns: session.machine.hart.instret, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, console };
}

interface QemuRun { seconds: number; cpuSeconds: number; console: string }

/**
 * One QEMU run to the guest's exit or to the marker (then QEMU is killed): wall seconds, CPU
 * seconds of all its threads (bash's `times` for its children), and its console.
 */
function runQemu(t: { bios: string | null; kernel: string; ramMiB: number; marker?: string }): Promise<QemuRun | null> {
  const args = [...QEMU_BASE, '-m', `${t.ramMiB}M`, '-bios', t.bios ?? 'none', '-kernel', t.kernel];
  const script = 'qemu-system-riscv64 "$@" & echo "qemu-pid $!" >&2; wait $!; s=$?; times >&2; exit $s';
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const q = spawn('bash', ['-c', script, 'bench', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', seconds = NaN, reached = false;
    const timer = setTimeout(() => q.kill('SIGKILL'), 300_000);
    const stopQemu = () => { const pid = /qemu-pid (\d+)/.exec(err)?.[1]; if (pid) { try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ } } };
    q.stdout.setEncoding('latin1');
    q.stderr.setEncoding('latin1');
    q.stderr.on('data', (d: string) => { err += d; });
    q.stdout.on('data', (d: string) => {
      out += d;
      if (t.marker && !reached && out.includes(t.marker)) { reached = true; seconds = Number(process.hrtime.bigint() - t0) / 1e9; stopQemu(); }
    });
    q.on('error', () => { clearTimeout(timer); resolve(null); });
    q.on('close', (code) => {
      clearTimeout(timer);
      if (t.marker ? !reached : code !== 0) { resolve(null); return; }
      if (!t.marker) seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      // `times` prints the shell's user/system times, then its children's: "0m0.227s 0m0.032s".
      const child = err.trim().split('\n').pop() ?? '';
      const parts = [...child.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      resolve({ seconds, cpuSeconds: parts.length === 2 ? parts[0] + parts[1] : NaN, console: out.replace(/\r/g, '') });
    });
  });
}

/**
 * The same output: whole consoles for the finisher workloads. For the boots, both reached the
 * marker (QEMU is killed as it arrives); their consoles before it differ where QEMU 7.2's virt has
 * devices the reference does not (pflash, for one: test/compat/divergences.ts lists them).
 */
function sameConsole(t: Target, qemu: string, ref: string): boolean {
  return t.marker ? qemu.includes(t.marker) && ref.includes(t.marker) : qemu === ref;
}

function decoderBench(): Promise<number> {
  const words = [0x00a50533, 0xfe0718e3, 0x0005b503, 0x00f70023, 0x4501, 0x8082, 0x02b50533, 0x100022f3];
  return new Promise((resolve) => {
    new Benchmark.Suite()
      .add('decode', () => { for (const w of words) decode(w); })
      .on('complete', function (this: Benchmark.Suite) { resolve(((this as unknown as Benchmark[])[0]).hz * words.length); })
      .run();
  });
}

interface Options { runs: number; osRuns: number; only: string[] | null }

function options(argv: string[]): Options {
  const o: Options = { runs: Number(process.env.DEVIRT_BENCH_RUNS ?? 5), osRuns: Number(process.env.DEVIRT_BENCH_OS_RUNS ?? 3), only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => { const v = argv[++i]; if (v === undefined) fail(`${a}: a value is needed`); return v; };
    if (a === '--runs' || a === '--os-runs') {
      const v = value();
      if (!/^[1-9]\d*$/.test(v)) fail(`${a}: bad value '${v}' (a positive integer)`);
      if (a === '--runs') o.runs = Number(v); else o.osRuns = Number(v);
    } else if (a === '--only') {
      o.only = [];
      while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) o.only.push(argv[++i]);
    } else if (a !== '--jit' && a !== '--jit-js' && a !== '--no-jit') fail(`unknown option '${a}' (known: --runs N, --os-runs N, --only NAME..., --jit, --jit-js, --no-jit)`);
  }
  for (const [k, v] of [['DEVIRT_BENCH_RUNS', o.runs], ['DEVIRT_BENCH_OS_RUNS', o.osRuns]] as const) {
    if (!Number.isInteger(v) || v < 1) fail(`${k}: bad value (a positive integer)`);
  }
  const names = targets().map((t) => t.name);
  for (const n of o.only ?? []) if (!names.includes(n)) fail(`--only: no benchmark '${n}' (known: ${names.join(', ')})`);
  return o;
}

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

const fmt = (x: number, d = 1) => x.toFixed(d);
const ratioText = (r: number) => `${fmt(r * 100)}% (1/${fmt(1 / r)})`;

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const chosen = targets().filter((t) => o.only === null || o.only.includes(t.name));
  const haveQemu = (await runQemu({ bios: null, kernel: STARTUP_IMAGE, ramMiB: 128 })) !== null;
  const startup: QemuRun[] = [];
  for (let i = 0; haveQemu && i < o.runs; i++) {
    const q = await runQemu({ bios: null, kernel: STARTUP_IMAGE, ramMiB: 128 });
    if (q) startup.push(q);
  }
  const startupSeconds = startup.length ? median(startup.map((q) => q.seconds)) : 0;
  const startupCpu = startup.length ? median(startup.map((q) => q.cpuSeconds)) : 0;
  const results: Record<string, unknown>[] = [];
  console.log(`load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores${os.loadavg()[0] > os.cpus().length ? ' (busy machine: wall-clock figures are low, CPU-time ones steadier)' : ''}; ` +
    `translation ${JIT_NAME}; medians of ${o.runs} runs (${o.osRuns} for the OS boots)${haveQemu ? `; QEMU start-up ${fmt(startupSeconds * 1000, 0)} ms wall, ${fmt(startupCpu * 1000, 0)} ms CPU, subtracted` : '; QEMU not installed: no comparison'}`);
  const head = ['benchmark', 'instructions', 'ref MIPS', 'QEMU MIPS', 'ref/QEMU', 'CPU: ref', 'QEMU', 'ref/QEMU', 'ref time', 'QEMU time', 'same output (boots: marker reached)'];
  const widths = [15, 15, 10, 11, 18, 10, 10, 18, 10, 11, 11];
  const row = (cells: string[]) => console.log(cells.map((c, i) => c.padEnd(widths[i])).join('').trimEnd());
  row(head);
  for (const t of chosen) {
    if (t.missing) { row([t.name, `skipped: ${t.missing}`]); results.push({ name: t.name, skipped: t.missing }); continue; }
    const runs = t.os ? o.osRuns : o.runs;
    const ref: RefRun[] = [];
    for (let i = 0; i < runs; i++) ref.push(runReference(t));
    const insns = ref[0].insns;
    const refTime = median(ref.map((r) => r.seconds));
    const refMips = median(ref.map((r) => r.insns / r.seconds / 1e6));
    const refCpuMips = median(ref.map((r) => r.insns / r.cpuSeconds / 1e6));
    const qemu: QemuRun[] = [];
    let same: boolean | null = null;
    for (let i = 0; haveQemu && i < runs; i++) {
      const q = await runQemu(t);
      if (!q) break;
      qemu.push(q);
      same = sameConsole(t, q.console, ref[0].console);
    }
    // A run shorter than the start-up would divide by ~0: keep a floor of 1 ms.
    const qemuTimes = qemu.map((q) => Math.max(q.seconds - startupSeconds, 0.001));
    const qemuCpuTimes = qemu.map((q) => Math.max(q.cpuSeconds - startupCpu, 0.001));
    const qemuTime = qemu.length ? median(qemuTimes) : null;
    const qemuMips = qemuTime ? insns / qemuTime / 1e6 : null;
    const qemuCpuMips = qemu.length && qemuCpuTimes.every(Number.isFinite) ? insns / median(qemuCpuTimes) / 1e6 : null;
    const ratio = qemuMips ? refMips / qemuMips : null;
    const cpuRatio = qemuCpuMips ? refCpuMips / qemuCpuMips : null;
    row([t.name, insns.toLocaleString('en'), fmt(refMips), qemuMips ? fmt(qemuMips) : '-', ratio ? ratioText(ratio) : '-',
      fmt(refCpuMips), qemuCpuMips ? fmt(qemuCpuMips) : '-', cpuRatio ? ratioText(cpuRatio) : '-',
      `${fmt(refTime, 2)} s`, qemuTime ? `${fmt(qemuTime, 2)} s` : '-', same === null ? '-' : same ? 'yes' : 'NO']);
    results.push({
      name: t.name, what: t.what, end: t.marker ?? 'finisher', instructions: insns, runs,
      referenceMips: { median: refMips, all: ref.map((r) => r.insns / r.seconds / 1e6) },
      referenceCpuMips: { median: refCpuMips, all: ref.map((r) => r.insns / r.cpuSeconds / 1e6) },
      referenceSeconds: { median: refTime, all: ref.map((r) => r.seconds) },
      qemuSeconds: qemuTime === null ? null : { median: qemuTime, all: qemuTimes },
      qemuCpuSeconds: qemuCpuMips === null ? null : { median: median(qemuCpuTimes), all: qemuCpuTimes },
      qemuMips: qemuMips === null ? null : { median: qemuMips, all: qemuTimes.map((s) => insns / s / 1e6) },
      qemuCpuMips, ratio, cpuRatio, timeRatio: qemuTime ? refTime / qemuTime : null, sameOutput: same,
    });
  }
  console.log('(QEMU MIPS: the reference\'s instruction count over QEMU\'s time to the same end; for the boots nominal, compare the times)');
  const decodeRate = await decoderBench();
  console.log(`decoder         ${fmt(decodeRate / 1e6)} M decodes/s`);
  const network = netBench(o.runs);
  printNetBench(network);
  const out = { jit: JIT_NAME, runs: o.runs, osRuns: o.osRuns, loadAverage: os.loadavg()[0], qemuStartupSeconds: haveQemu ? startupSeconds : null, qemuStartupCpuSeconds: haveQemu ? startupCpu : null, benchmarks: results, decodesPerSecond: decodeRate, network };
  fs.writeFileSync(path.join(ROOT, 'bench/last.json'), JSON.stringify(out, null, 2) + '\n');
}

main().catch((e) => { console.error(`bench: ${e.message}`); process.exit(1); });
