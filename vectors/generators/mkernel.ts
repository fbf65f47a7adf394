// Transparency vectors for kernels that own M-mode (issue 5): the probe kernel under schedules
// of virtualize/devirtualize points picked from reference traces. Expected = the native run's
// signature (console and exit), which must also be what the kernel prints with -bios none.
//
//   node dist/vectors/generators/mkernel.js regen | verify

import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Prng } from './prng';
import { POINT_KINDS, PointKind, Trace, traceKernel } from './mkernel-trace';
import { canonical, REFERENCE_VERSION, VECTORS_DIR } from '../build';
import { runImage } from '../../reference/run-image';
import type { ImageInputs, ImageObservation, ScheduleEvent } from '../../reference/state';

export const MKERNEL_GENERATOR_VERSION = '1';
const ROOT = path.resolve(__dirname, '../../..');
export const PROBE_KERNEL = 'reference/guests/mkernels/build/mk-probe.elf';
export const MMODE_FIRMWARE = 'reference/firmware/mmode/build/mmode-fw.elf';
export const IMAGES_DIR = path.join(VECTORS_DIR, 'images');
export const MKERNEL_DIR = path.join(VECTORS_DIR, 'transparency/mkernel');
const MAX_INSNS = 4_000_000;
/** The probe needs well under 1 MiB; a small RAM keeps thousands of runs cheap. */
const RAM_SIZE = 8 * 1024 * 1024;
const SEED = 0x6d6b65726e656cn;

export interface MkernelVector {
  id: string;
  suite: 'transparency';
  title: string;
  tags: string[];
  spec: string;
  provenance: { generator: string; generatorVersion: string; seed: string; referenceVersion: string; expected: 'reference' | 'reference+qemu' };
  inputs: ImageInputs;
  expected: { console: string; exit: ImageObservation['exit'] };
}

export function sha256(bytes: Uint8Array): string { return createHash('sha256').update(bytes).digest('hex'); }

/** Put an image in vectors/images under its content hash; returns the hash. */
export function stageImage(file: string, dir = IMAGES_DIR): string {
  const bytes = fs.readFileSync(path.resolve(ROOT, file));
  const h = sha256(bytes);
  fs.mkdirSync(dir, { recursive: true });
  const dest = path.join(dir, `${h}.elf`);
  if (!fs.existsSync(dest)) fs.writeFileSync(dest, bytes);
  return h;
}

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

function* drafts(kernel: Uint8Array, firmware: Uint8Array): Generator<Draft> {
  const rng = new Prng(SEED);
  const native = traceKernel(kernel, firmware, [], MAX_INSNS, RAM_SIZE);
  // 1. Virtualize once and stay virtualized: every kind of boundary of the native run.
  const firstPoints: { at: number; kind: PointKind }[] = [];
  for (const kind of POINT_KINDS) {
    for (const at of spread(native.points[kind], 12, rng)) {
      yield { title: `virtualize in ${kind} at ${at}`, tags: ['mkernel', 'virtualize', kind], schedule: [{ at, action: 'virtualize' }] };
      firstPoints.push({ at, kind });
    }
  }
  // 2. Virtualize, then devirtualize at each kind of boundary of the virtualized run (traced).
  const starts = spread(firstPoints.map((p) => p.at), 22, rng);
  for (const v of starts) {
    const kindOfV = firstPoints.find((p) => p.at === v)!.kind;
    const trace: Trace = traceKernel(kernel, firmware, [{ at: v, action: 'virtualize' }], MAX_INSNS, RAM_SIZE);
    for (const kind of POINT_KINDS) {
      for (const d of spread(trace.points[kind].filter((at) => at > v), 3, rng)) {
        yield {
          title: `virtualize in ${kindOfV} at ${v}, devirtualize in ${kind} at ${d}`,
          tags: ['mkernel', 'virtualize', 'devirtualize', kind],
          schedule: [{ at: v, action: 'virtualize' }, { at: d, action: 'devirtualize' }],
        };
      }
    }
  }
  // 3. Toggled every n instructions, and requests that find the machine already in that state.
  for (const n of [997, 4099, 15013, 40009, 99991]) {
    const schedule: ScheduleEvent[] = [];
    for (let at = 500 + rng.below(n), i = 0; at < native.instret && schedule.length < 400; at += n, i++) {
      schedule.push({ at, action: i % 2 === 0 ? 'virtualize' : 'devirtualize' });
    }
    yield { title: `toggled every ${n} instructions`, tags: ['mkernel', 'toggle'], schedule };
  }
  for (let i = 0; i < 6; i++) {
    const a = 1000 + rng.below(native.instret - 2000);
    yield {
      title: `repeated requests around ${a}`, tags: ['mkernel', 'repeated'],
      schedule: [{ at: a, action: 'devirtualize' }, { at: a + 10, action: 'virtualize' }, { at: a + 20, action: 'virtualize' },
        { at: a + 300, action: 'devirtualize' }, { at: a + 301, action: 'devirtualize' }, { at: a + 302, action: 'virtualize' }],
    };
  }
}

function observe(inputs: ImageInputs, dir = IMAGES_DIR): ImageObservation { return runImage(inputs, dir); }

/** Generate every vector; a schedule whose signature differs from the native one is a bug. */
export function generate(): { files: Map<string, MkernelVector[]>; native: ImageObservation } {
  const kernelHash = stageImage(PROBE_KERNEL), fwHash = stageImage(MMODE_FIRMWARE);
  const kernel = new Uint8Array(fs.readFileSync(path.join(IMAGES_DIR, `${kernelHash}.elf`)));
  const firmware = new Uint8Array(fs.readFileSync(path.join(IMAGES_DIR, `${fwHash}.elf`)));
  const base: ImageInputs = { kind: 'image', kernel: kernelHash, bios: 'none', mmodeFirmware: fwHash, ramSize: RAM_SIZE, maxInsns: MAX_INSNS };
  const native = observe(base);
  const bare = observe({ kind: 'image', kernel: kernelHash, bios: 'none', ramSize: RAM_SIZE, maxInsns: MAX_INSNS });
  if (native.exit.kind !== 'finisher' || native.exit.code !== 0) throw new Error(`probe kernel did not pass natively: ${JSON.stringify(native.exit)}`);
  if (bare.console !== native.console) throw new Error('probe kernel prints differently under the dormant firmware and with -bios none');
  const files = new Map<string, MkernelVector[]>();
  for (const d of drafts(kernel, firmware)) {
    const inputs: ImageInputs = { ...base, schedule: d.schedule };
    const obs = observe(inputs);
    if (obs.console !== native.console || obs.exit.kind !== native.exit.kind || obs.exit.code !== native.exit.code) {
      throw new Error(`schedule "${d.title}" changes the signature: ${JSON.stringify(d.schedule)}`);
    }
    const v: MkernelVector = {
      id: `mkernel-${sha256(new TextEncoder().encode(canonical(inputs))).slice(0, 16)}`,
      suite: 'transparency', title: d.title, tags: d.tags,
      spec: 'issue 5; conformance/mmode-kernels.md',
      provenance: { generator: 'transparency/mkernel', generatorVersion: MKERNEL_GENERATOR_VERSION, seed: '0x' + SEED.toString(16), referenceVersion: REFERENCE_VERSION, expected: 'reference+qemu' },
      inputs, expected: { console: native.console, exit: native.exit },
    };
    const file = d.tags.includes('devirtualize') ? `devirtualize-${d.tags[d.tags.length - 1]}.json` : d.tags.includes('virtualize') ? 'virtualize.json' : 'toggle.json';
    if (!files.has(file)) files.set(file, []);
    files.get(file)!.push(v);
  }
  return { files, native };
}

/** One file: shared fields stated once in `defaults`, one vector per line. */
export function render(vectors: MkernelVector[]): string {
  const shared = ['suite', 'spec', 'provenance', 'expected'] as const;
  const defaults: Record<string, unknown> = {};
  for (const k of shared) defaults[k] = vectors[0][k];
  const { schedule: _schedule, ...sharedInputs } = vectors[0].inputs;
  defaults.inputs = sharedInputs;
  const rows = vectors.map((v) => {
    for (const k of shared) if (canonical(v[k]) !== canonical(defaults[k])) throw new Error(`vector ${v.id}: ${k} differs inside one file`);
    return canonical({ id: v.id, title: v.title, tags: v.tags, schedule: v.inputs.schedule });
  });
  return `{"defaults":${canonical(defaults)},"vectors":[\n` + rows.join(',\n') + '\n]}\n';
}

/** Read a file back into full vectors. */
export function readMkernelFile(text: string): MkernelVector[] {
  const doc = JSON.parse(text) as { defaults: Omit<MkernelVector, 'id' | 'title' | 'tags'>; vectors: { id: string; title: string; tags: string[]; schedule: ScheduleEvent[] }[] };
  return doc.vectors.map((r) => ({ ...doc.defaults, id: r.id, title: r.title, tags: r.tags, inputs: { ...doc.defaults.inputs, schedule: r.schedule } }) as MkernelVector);
}

export function regen(dir = MKERNEL_DIR): number {
  const { files } = generate();
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.json')) fs.rmSync(path.join(dir, f));
  let n = 0;
  for (const [file, vectors] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    fs.writeFileSync(path.join(dir, file), render(vectors));
    n += vectors.length;
  }
  return n;
}

if (require.main === module) {
  const cmd = process.argv[2];
  if (cmd === 'regen') console.log(`mkernel transparency: ${regen()} vectors in ${MKERNEL_DIR}`);
  else if (cmd === 'verify') {
    const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'mkernel-'));
    regen(tmp);
    const differing = fs.readdirSync(tmp).filter((f) => !fs.existsSync(path.join(MKERNEL_DIR, f)) || fs.readFileSync(path.join(tmp, f), 'utf8') !== fs.readFileSync(path.join(MKERNEL_DIR, f), 'utf8'));
    fs.rmSync(tmp, { recursive: true, force: true });
    if (differing.length) { console.error(`differ from a fresh regeneration: ${differing.join(', ')}`); process.exitCode = 1; }
    else console.log('mkernel transparency vectors regenerate byte for byte');
  } else { console.error('usage: mkernel.js regen | verify'); process.exitCode = 2; }
}
