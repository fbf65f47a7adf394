// The transparency suite: each probe under schedules of virtualize/devirtualize events at the
// tricky points its traces reveal, at evenly spread and seeded-random counts, and toggled every n
// instructions. Expected = the probe's native signature (console and exit).

import * as fs from 'fs';
import * as path from 'path';
import type { ImageDraft, ImageGroup } from '../build';
import { imageHashOfFile } from '../format';
import type { ScheduleEvent } from '../../reference/state';
import { Prng } from './prng';
import { POINT_KINDS, ProbeTrace, traceProbe } from './transparency-trace';

const ROOT = path.resolve(__dirname, '../../..');
export const FIRMWARE = 'reference/firmware/build/microvisor.elf';
export const PROBES = ['basic', 'paging', 'interrupts'].map((name) => ({ name, file: `reference/guests/sbi/build/${name}.elf` }));
export const PROBE_RAM = 16 * 1024 * 1024;
export const PROBE_MAX_INSNS = 1_000_000;
const PER_KIND = 27;
const TOGGLE_PERIODS = [300, 1000, 2500, 6000, 13000, 30000];
const RANDOM_SCHEDULES = 24;

const read = (p: string) => new Uint8Array(fs.readFileSync(path.join(ROOT, p)));

/** `count` entries of a sorted list, evenly spread, starting at a seeded offset. */
function spread(list: number[], count: number, prng: Prng): number[] {
  if (list.length <= count) return [...list];
  const step = list.length / count, start = prng.below(Math.max(1, Math.floor(step)));
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(list[Math.min(list.length - 1, Math.floor(start + i * step))]);
  return [...new Set(out)];
}

const V = (at: number): ScheduleEvent => ({ at, action: 'virtualize' });
const D = (at: number): ScheduleEvent => ({ at, action: 'devirtualize' });

interface Planned { title: string; tags: string[]; schedule: ScheduleEvent[] }

export function planSchedules(native: ProbeTrace, virtualized: ProbeTrace, virtualizeCost: number, seed: number): Planned[] {
  const prng = new Prng(seed);
  const out: Planned[] = [];
  for (const kind of POINT_KINDS) {
    // Virtualize exactly at the point (and stay virtualized to the end).
    for (const p of spread(native.points[kind], PER_KIND, prng)) {
      out.push({ title: `virtualize at ${kind} point ${p}`, tags: [kind, 'virtualize'], schedule: [V(p)] });
    }
    // Virtualize at the point and devirtualize right after the transition returns, or a little later.
    for (const p of spread(native.points[kind], Math.ceil(PER_KIND / 3), prng)) {
      for (const gap of [0, 1, 97]) {
        out.push({ title: `virtualize at ${kind} point ${p}, devirtualize ${gap} after`, tags: [kind, 'round-trip'], schedule: [V(p), D(p + virtualizeCost + gap)] });
      }
    }
    // Virtualized from the kernel's first instruction, devirtualize exactly at the point.
    for (const q of spread(virtualized.points[kind], PER_KIND, prng)) {
      out.push({ title: `devirtualize at ${kind} point ${q}`, tags: [kind, 'devirtualize'], schedule: [V(native.kernelEntry), D(q)] });
    }
  }
  // Toggled every n instructions from the kernel's entry.
  for (const n of TOGGLE_PERIODS) {
    for (const phase of [0, Math.floor(n / 2)]) {
      const schedule: ScheduleEvent[] = [];
      for (let at = native.kernelEntry + phase, k = 0; at < native.total; at += n, k++) schedule.push(k % 2 === 0 ? V(at) : D(at));
      if (schedule.length) out.push({ title: `toggle every ${n} from entry+${phase}`, tags: ['toggle'], schedule });
    }
  }
  // Seeded random points, including doorbells that ask for the state the machine is already in.
  for (let i = 0; i < RANDOM_SCHEDULES; i++) {
    const events: ScheduleEvent[] = [];
    const k = 1 + prng.below(6);
    for (let j = 0; j < k; j++) {
      const at = native.kernelEntry + prng.below(native.total - native.kernelEntry);
      events.push(prng.below(2) ? V(at) : D(at));
    }
    events.sort((a, b) => a.at - b.at);
    out.push({ title: `random schedule ${i}`, tags: ['random'], schedule: events });
  }
  // Before the kernel starts (inside the firmware's boot) and at its very first instruction.
  out.push({ title: 'virtualize during firmware boot', tags: ['boot'], schedule: [V(100)] });
  out.push({ title: 'virtualize at kernel entry', tags: ['boot'], schedule: [V(native.kernelEntry)] });
  out.push({ title: 'virtualize twice, devirtualize twice', tags: ['redundant'], schedule: [V(native.kernelEntry + 10), V(native.kernelEntry + 2000), D(native.kernelEntry + 4000), D(native.kernelEntry + 6000)] });
  // Unique schedules only; the order stays deterministic.
  const seen = new Set<string>();
  return out.filter((p) => { const k = JSON.stringify(p.schedule); if (seen.has(k)) return false; seen.add(k); return true; });
}

/** Instructions the firmware spends on a virtualize transition (from the doorbell to the guest's next instruction). */
function transitionLength(kernel: Uint8Array, bios: Uint8Array, at: number): number {
  const t = traceProbe(kernel, bios, PROBE_RAM, at + 2000, [{ at, cause: 1 }]);
  const inFw = t.points['in-firmware'].filter((n) => n >= at);
  let end = at;
  for (const n of inFw) { if (n === end) end++; else break; }
  return end - at;
}

export function transparencyGroups(): ImageGroup[] {
  const firmware = imageHashOfFile(FIRMWARE);
  return PROBES.map((probe, index) => ({
    kind: 'image' as const,
    suite: 'transparency',
    file: `transparency/${probe.name}.json`,
    generator: 'transparency/schedules',
    images: [FIRMWARE, probe.file],
    drafts: function* (): Generator<ImageDraft> {
      const kernel = read(probe.file), bios = read(FIRMWARE);
      const native = traceProbe(kernel, bios, PROBE_RAM, PROBE_MAX_INSNS);
      const virtualized = traceProbe(kernel, bios, PROBE_RAM, PROBE_MAX_INSNS, [{ at: native.kernelEntry, cause: 1 }]);
      const cost = transitionLength(kernel, bios, native.kernelEntry);
      const seed = 0x7a11 + index;
      for (const p of planSchedules(native, virtualized, cost, seed)) {
        yield {
          title: `${probe.name}: ${p.title}`, tags: [probe.name, ...p.tags], seed: String(seed),
          spec: 'conformance/microvisor.md#transparency',
          inputs: { kind: 'image', kernel: imageHashOfFile(probe.file), bios: firmware, ramSize: PROBE_RAM, maxInsns: PROBE_MAX_INSNS, schedule: p.schedule },
        };
      }
    },
  }));
}
