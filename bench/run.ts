// `npm run bench`: guest MIPS of the reference on a CPU-bound C workload, and of QEMU on the same
// image in the same run, as medians of several runs and as a ratio. Also the decoder's
// throughput through benchmark.js. Numbers go to stdout (and bench/last.json for CI trends);
// nothing here asserts a speed.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import Benchmark from 'benchmark';
import { Machine } from '../reference/machine/machine';
import { decode } from '../reference/machine/isa/decode';

const ROOT = path.resolve(__dirname, '../..');
const WORKLOAD = process.env.DEVIRT_BENCH_IMAGE ?? path.join(ROOT, 'reference/guests/build/cpu-mix.elf');
const RUNS = Number(process.env.DEVIRT_BENCH_RUNS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function runReference(image: Uint8Array): { insns: number; seconds: number; console: string } {
  const m = new Machine({ bios: null, kernel: image, kernelName: WORKLOAD });
  const t0 = process.hrtime.bigint();
  const r = m.run({ maxInsns: 5e9 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.reason !== 'finisher' || r.code !== 0) throw new Error(`workload did not pass on the reference: ${r.reason} ${r.code}`);
  return { insns: m.hart.instret, seconds, console: m.console };
}

function runQemu(): { seconds: number; stdout: string } | null {
  const t0 = process.hrtime.bigint();
  const p = spawnSync('qemu-system-riscv64', ['-M', 'virt', '-cpu', 'rv64,f=off,d=off,h=off', '-m', '128M', '-nographic', '-bios', 'none', '-kernel', WORKLOAD], { encoding: 'latin1', timeout: 300_000 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (p.error) return null;
  return { seconds, stdout: p.stdout };
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
  let insns = 0;
  let refConsole = '';
  for (let i = 0; i < RUNS; i++) {
    const r = runReference(image);
    insns = r.insns;
    refConsole = r.console;
    ref.push(r.insns / r.seconds / 1e6);
  }
  const qemu: number[] = [];
  let qemuAgrees: boolean | null = null;
  for (let i = 0; i < RUNS; i++) {
    const q = runQemu();
    if (!q) break;
    qemuAgrees = q.stdout.replace(/\r/g, '') === refConsole;
    qemu.push(insns / q.seconds / 1e6);
  }
  const decodeRate = await decoderBench();
  const result = {
    workload: path.relative(ROOT, WORKLOAD),
    instructions: insns,
    runs: RUNS,
    referenceMips: { median: median(ref), all: ref },
    qemuMips: qemu.length ? { median: median(qemu), all: qemu } : null,
    ratio: qemu.length ? median(ref) / median(qemu) : null,
    qemuOutputMatches: qemuAgrees,
    decodesPerSecond: decodeRate,
  };
  console.log(`workload            ${result.workload} (${insns.toLocaleString('en')} instructions)`);
  console.log(`reference           ${result.referenceMips.median.toFixed(1)} MIPS (median of ${RUNS})`);
  if (result.qemuMips) {
    console.log(`qemu (TCG)          ${result.qemuMips.median.toFixed(1)} MIPS (median of ${qemu.length}, including QEMU start-up)`);
    console.log(`reference / qemu    ${(result.ratio! * 100).toFixed(1)}%  (1/${(1 / result.ratio!).toFixed(1)})`);
    console.log(`same console output ${qemuAgrees ? 'yes' : 'NO'}`);
  } else {
    console.log('qemu                not installed; no comparison');
  }
  console.log(`decoder             ${(decodeRate / 1e6).toFixed(1)} M decodes/s`);
  fs.writeFileSync(path.join(ROOT, 'bench/last.json'), JSON.stringify(result, null, 2) + '\n');
}

main().catch((e) => { console.error(`bench: ${e.message}`); process.exit(1); });
