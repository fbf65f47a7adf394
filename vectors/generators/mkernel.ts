// Transparency vectors for kernels that own M-mode (conformance/mmode-kernels.md): the probe kernel under schedules
// of virtualize/devirtualize points picked from reference traces (mkernel-trace.ts), as image
// groups of vectors/build.ts (`devirt vectors regen | verify`). Expected = the native run's
// signature; that it is also what the kernel prints with -bios none and on QEMU is checked by
// test/mkernel.

import * as fs from 'fs';
import * as path from 'path';
import { Prng } from './prng';
import { POINT_KINDS, PointKind, Trace, traceKernel } from './mkernel-trace';
import type { ImageDraft, ImageGroup } from '../build';
import { imageHash } from '../format';
import type { ImageInputs, ScheduleEvent } from '../../reference/state';

const ROOT = path.resolve(__dirname, '../../..');
export const PROBE_KERNEL = 'reference/guests/mkernels/build/mk-probe.elf';
const SEED = 0x6d6b65726e656cn;
/** The same probe with a vectored mtvec, raising SSIP through sip from M-mode (as xv6 does). */
export const PROBE_KERNEL_VECTORED = 'reference/guests/mkernels/build/mk-probe-vectored.elf';

/** How many points of each kind a probe's schedules take. */
interface Sizes { virtualizePerKind: number; starts: number; devirtualizePerKind: number; toggles: number[]; repeated: number }
const PROBES: { file: string; prefix: string; seed: bigint; sizes: Sizes }[] = [
  { file: PROBE_KERNEL, prefix: '', seed: SEED, sizes: { virtualizePerKind: 12, starts: 22, devirtualizePerKind: 3, toggles: [997, 4099, 15013, 40009, 99991], repeated: 6 } },
  { file: PROBE_KERNEL_VECTORED, prefix: 'vectored-', seed: SEED + 1n, sizes: { virtualizePerKind: 5, starts: 10, devirtualizePerKind: 2, toggles: [1999, 25013], repeated: 2 } },
];
export const MMODE_FIRMWARE = 'reference/firmware/mmode/build/mmode-fw.elf';
const MAX_INSNS = 4_000_000;
/** The probe needs well under 1 MiB; a small RAM keeps hundreds of runs cheap. */
const RAM_SIZE = 8 * 1024 * 1024;
// What a vector cites is the specification and the project's normative rule, never a tracker issue.
const SPEC = 'riscv-priv Smrnmi (resumable non-maskable interrupts); conformance/mmode-kernels.md#what-a-kernel-that-owns-m-mode-can-and-cannot-observe';

const read = (p: string) => new Uint8Array(fs.readFileSync(path.join(ROOT, p)));

/** `count` points of `list`, spread over it and jittered by the seeded generator. */
function spread(list: number[], count: number, rng: Prng): number[] {
  if (list.length === 0) return [];
  const out = new Set<number>();
  for (let i = 0; i < count && out.size < list.length; i++) {
    const lo = Math.floor((i * list.length) / count), hi = Math.max(lo + 1, Math.floor(((i + 1) * list.length) / count));
    out.add(list[lo + rng.below(hi - lo)]);
  }
  return [...out].sort((a, b) => a - b);
}

interface Draft { title: string; tags: string[]; schedule: ScheduleEvent[] }

function* drafts(kernel: Uint8Array, firmware: Uint8Array, seed: bigint, sizes: Sizes): Generator<Draft> {
  const rng = new Prng(seed);
  const native = traceKernel(kernel, firmware, [], MAX_INSNS, RAM_SIZE);
  // 1. Virtualize once and stay virtualized: every kind of boundary of the native run.
  const firstPoints: { at: number; kind: PointKind }[] = [];
  for (const kind of POINT_KINDS) {
    for (const at of spread(native.points[kind], sizes.virtualizePerKind, rng)) {
      yield { title: `virtualize in ${kind} at ${at}`, tags: ['mkernel', 'virtualize', kind], schedule: [{ at, action: 'virtualize' }] };
      firstPoints.push({ at, kind });
    }
  }
  // 2. Virtualize, then devirtualize at each kind of boundary of the virtualized run (traced).
  const starts = spread(firstPoints.map((p) => p.at), sizes.starts, rng);
  for (const v of starts) {
    const kindOfV = firstPoints.find((p) => p.at === v)!.kind;
    const trace: Trace = traceKernel(kernel, firmware, [{ at: v, action: 'virtualize' }], MAX_INSNS, RAM_SIZE);
    for (const kind of POINT_KINDS) {
      for (const d of spread(trace.points[kind].filter((at) => at > v), sizes.devirtualizePerKind, rng)) {
        yield {
          title: `virtualize in ${kindOfV} at ${v}, devirtualize in ${kind} at ${d}`,
          tags: ['mkernel', 'virtualize', 'devirtualize', kind],
          schedule: [{ at: v, action: 'virtualize' }, { at: d, action: 'devirtualize' }],
        };
      }
    }
  }
  // 3. Toggled every n instructions, and requests that find the machine already in that state.
  for (const n of sizes.toggles) {
    const schedule: ScheduleEvent[] = [];
    for (let at = 500 + rng.below(n), i = 0; at < native.instret && schedule.length < 400; at += n, i++) {
      schedule.push({ at, action: i % 2 === 0 ? 'virtualize' : 'devirtualize' });
    }
    yield { title: `toggled every ${n} instructions`, tags: ['mkernel', 'toggle'], schedule };
  }
  for (let i = 0; i < sizes.repeated; i++) {
    const a = 1000 + rng.below(native.instret - 2000);
    yield {
      title: `repeated requests around ${a}`, tags: ['mkernel', 'repeated'],
      schedule: [{ at: a, action: 'devirtualize' }, { at: a + 10, action: 'virtualize' }, { at: a + 20, action: 'virtualize' },
        { at: a + 300, action: 'devirtualize' }, { at: a + 301, action: 'devirtualize' }, { at: a + 302, action: 'virtualize' }],
    };
  }
}

/** The file a schedule belongs in: one per kind of devirtualize point, one for the rest. */
function fileOf(d: Draft, prefix: string): string {
  if (d.tags.includes('devirtualize')) return `transparency/mkernel/${prefix}devirtualize-${d.tags[d.tags.length - 1]}.json`;
  return `transparency/mkernel/${prefix}${d.tags.includes('virtualize') ? 'virtualize' : 'toggle'}.json`;
}

let planned: Map<string, { kernel: string; drafts: ImageDraft[] }> | null = null;

/** Plan every schedule once per process (tracing is the costly part). */
function plan(): Map<string, { kernel: string; drafts: ImageDraft[] }> {
  if (planned) return planned;
  const firmware = read(MMODE_FIRMWARE);
  const files = new Map<string, { kernel: string; drafts: ImageDraft[] }>();
  for (const probe of PROBES) {
    const kernel = read(probe.file);
    const base: ImageInputs = { kind: 'image', kernel: imageHash(kernel), bios: 'none', mmodeFirmware: imageHash(firmware), ramSize: RAM_SIZE, maxInsns: MAX_INSNS };
    for (const d of drafts(kernel, firmware, probe.seed, probe.sizes)) {
      const f = fileOf(d, probe.prefix);
      if (!files.has(f)) files.set(f, { kernel: probe.file, drafts: [] });
      files.get(f)!.drafts.push({ title: d.title, tags: d.tags, spec: SPEC, seed: '0x' + probe.seed.toString(16), inputs: { ...base, schedule: d.schedule } });
    }
  }
  planned = new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
  return planned;
}

export function mkernelGroups(): ImageGroup[] {
  return [...plan()].map(([file, p]) => ({
    kind: 'image' as const, suite: 'transparency', file, generator: 'transparency/mkernel',
    images: [p.kernel, MMODE_FIRMWARE], drafts: () => p.drafts,
  }));
}
