// `npm run bench`: guest MIPS of the reference on a CPU-bound C workload, and of QEMU on the same
// image in the same run, as medians of several runs and as a ratio. Also the decoder's
// throughput through benchmark.js, and the network's (bench/net.ts). Numbers go to stdout (and
// bench/last.json for CI trends); nothing here asserts a speed.
//
// QEMU's time includes its start-up (about as long as the workload itself), so it is measured
// on a guest that ends at once (hello.elf) and subtracted. The reference is timed by the wall
// clock and by this process's CPU time: on a shared machine the second is the steadier figure.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Benchmark from 'benchmark';
import { Machine } from '../reference/machine/machine';
import { decode } from '../reference/machine/isa/decode';
import { netBench, printNetBench } from './net';

const ROOT = path.resolve(__dirname, '../..');
const WORKLOAD = process.env.DEVIRT_BENCH_IMAGE ?? path.join(ROOT, 'reference/guests/build/cpu-mix.elf');
const STARTUP_IMAGE = path.join(ROOT, 'reference/guests/build/hello.elf');
const RUNS = Number(process.env.DEVIRT_BENCH_RUNS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function runReference(image: Uint8Array): { insns: number; seconds: number; cpuSeconds: number; console: string } {
  const m = new Machine({ bios: null, kernel: image, kernelName: WORKLOAD });
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const r = m.run({ maxInsns: 5e9 });
  const cpu = process.cpuUsage(c0);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.reason !== 'finisher' || r.code !== 0) throw new Error(`workload did not pass on the reference: ${r.reason} ${r.code}`);
  return { insns: m.hart.instret, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, console: m.console };
}

/** One QEMU run: wall seconds, and CPU seconds of all its threads (bash's `times` for children). */
function runQemu(image: string): { seconds: number; cpuSeconds: number; stdout: string } | null {
  const args = ['-M', 'virt', '-cpu', 'rv64,f=off,d=off,h=off', '-m', '128M', '-nographic', '-bios', 'none', '-kernel', image];
  const t0 = process.hrtime.bigint();
  const p = spawnSync('bash', ['-c', 'qemu-system-riscv64 "$@" || exit 99; times >&2', 'bench', ...args], { encoding: 'latin1', timeout: 300_000 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (p.error || p.status === 99 || p.status === 127) return null;
  // `times` prints the shell's user/system times, then its children's: "0m0.227s 0m0.032s".
  const child = p.stderr.trim().split('\n').pop() ?? '';
  const parts = [...child.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { seconds, cpuSeconds: parts.length === 2 ? parts[0] + parts[1] : NaN, stdout: p.stdout };
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

async function main(): Promise<void> {
  if (!fs.existsSync(WORKLOAD)) {
    console.error(`bench: workload ${WORKLOAD} is missing (build it with make -C reference/guests)`);
    process.exit(2);
  }
  const image = new Uint8Array(fs.readFileSync(WORKLOAD));
  const ref: number[] = [];
  const refCpu: number[] = [];
  let insns = 0;
  let refConsole = '';
  for (let i = 0; i < RUNS; i++) {
    const r = runReference(image);
    insns = r.insns;
    refConsole = r.console;
    ref.push(r.insns / r.seconds / 1e6);
    refCpu.push(r.insns / r.cpuSeconds / 1e6);
  }
  const startup: number[] = [];
  const startupCpu: number[] = [];
  for (let i = 0; i < RUNS && fs.existsSync(STARTUP_IMAGE); i++) {
    const q = runQemu(STARTUP_IMAGE);
    if (!q) break;
    startup.push(q.seconds);
    startupCpu.push(q.cpuSeconds);
  }
  const startupSeconds = startup.length ? median(startup) : 0;
  const startupCpuSeconds = startupCpu.length ? median(startupCpu) : 0;
  const qemu: number[] = [];
  const qemuCpu: number[] = [];
  const qemuRaw: number[] = [];
  let qemuAgrees: boolean | null = null;
  for (let i = 0; i < RUNS; i++) {
    const q = runQemu(WORKLOAD);
    if (!q) break;
    qemuAgrees = q.stdout.replace(/\r/g, '') === refConsole;
    qemuRaw.push(insns / q.seconds / 1e6);
    // A run faster than the start-up median would divide by ~0: keep a floor of 1 ms.
    qemu.push(insns / Math.max(q.seconds - startupSeconds, 0.001) / 1e6);
    qemuCpu.push(insns / Math.max(q.cpuSeconds - startupCpuSeconds, 0.001) / 1e6);
  }
  const decodeRate = await decoderBench();
  const network = netBench(RUNS);
  const result = {
    workload: path.relative(ROOT, WORKLOAD),
    instructions: insns,
    runs: RUNS,
    loadAverage: os.loadavg()[0],
    referenceMips: { median: median(ref), all: ref },
    referenceCpuMips: { median: median(refCpu), all: refCpu },
    qemuStartupSeconds: startup.length ? startupSeconds : null,
    qemuMips: qemu.length ? { median: median(qemu), all: qemu } : null,
    qemuMipsWithStartup: qemuRaw.length ? { median: median(qemuRaw), all: qemuRaw } : null,
    qemuCpuMips: qemuCpu.length && qemuCpu.every(Number.isFinite) ? { median: median(qemuCpu), all: qemuCpu } : null,
    ratio: qemu.length ? median(ref) / median(qemu) : null,
    cpuRatio: qemuCpu.length && qemuCpu.every(Number.isFinite) ? median(refCpu) / median(qemuCpu) : null,
    qemuOutputMatches: qemuAgrees,
    decodesPerSecond: decodeRate,
    network,
  };
  console.log(`workload            ${result.workload} (${insns.toLocaleString('en')} instructions)`);
  console.log(`load average        ${result.loadAverage.toFixed(2)} on ${os.cpus().length} cores${result.loadAverage > os.cpus().length ? ' (busy machine: wall-clock figures are low)' : ''}`);
  console.log(`reference           ${result.referenceMips.median.toFixed(1)} MIPS (median of ${RUNS}, wall clock)`);
  console.log(`reference (CPU)     ${result.referenceCpuMips.median.toFixed(1)} MIPS (median of ${RUNS}, per CPU-second)`);
  if (result.qemuMips) {
    console.log(`qemu (TCG)          ${result.qemuMips.median.toFixed(1)} MIPS (median of ${qemu.length}, start-up of ${(startupSeconds * 1000).toFixed(0)} ms subtracted)`);
    console.log(`qemu with start-up  ${result.qemuMipsWithStartup!.median.toFixed(1)} MIPS`);
    console.log(`reference / qemu    ${(result.ratio! * 100).toFixed(1)}%  (1/${(1 / result.ratio!).toFixed(1)}, wall clock)`);
    if (result.qemuCpuMips && result.cpuRatio) {
      console.log(`qemu (CPU)          ${result.qemuCpuMips.median.toFixed(1)} MIPS (per CPU-second of all its threads, start-up subtracted)`);
      console.log(`reference / qemu    ${(result.cpuRatio * 100).toFixed(1)}%  (1/${(1 / result.cpuRatio).toFixed(1)}, CPU time)`);
    }
    console.log(`same console output ${qemuAgrees ? 'yes' : 'NO'}`);
  } else {
    console.log('qemu                not installed; no comparison');
  }
  console.log(`decoder             ${(decodeRate / 1e6).toFixed(1)} M decodes/s`);
  printNetBench(network);
  fs.writeFileSync(path.join(ROOT, 'bench/last.json'), JSON.stringify(result, null, 2) + '\n');
}

main().catch((e) => { console.error(`bench: ${e.message}`); process.exit(1); });
