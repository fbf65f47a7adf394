// The transparency suite with a second instance: each probe, as instance 0, must print its native
// signature while the host creates and starts an instance 1 beside it (a busy loop that never
// yields, the isolation suite's adversary with a short plan, or its victim) and later retires or
// rolls it back. The events land at the tricky points tracing finds: create and start at the
// points of the probe's virtualized run, retire and rollback at the probe's own points of a run
// where the busy instance 1 shares the hart (so they arrive inside its trap handler, between LR and
// SC, in U-mode, ... and at world switches). Expected: the probe's native console and exit.

import * as fs from 'fs';
import * as path from 'path';
import type { ImageDraft, ImageGroup } from '../build';
import { imageHashOfFile } from '../format';
import type { ScheduleEvent } from '../../reference/state';
import { placeMaintenance } from '../../reference/maintenance-image';
import { DOORBELL_CAUSE } from '../../reference/session';
import { Prng } from './prng';
import { POINT_KINDS, traceProbe, TraceEvent } from './transparency-trace';
import { FIRMWARE, PROBE_RAM, PROBES } from './transparency';
import { partitionOf } from './isolation-model';

const ROOT = path.resolve(__dirname, '../../..');
const read = (p: string) => new Uint8Array(fs.readFileSync(path.join(ROOT, p)));
/** Instance 1 takes half the hart, and takes the waits of instance 0: room for both. */
const MAX_INSNS = 4_000_000;
/** Instructions between create and start, and from start to the events traced after it. */
const START_AFTER = 3000, TRACE_CREATE = 2000;

interface Second { name: string; file: string; bootargs?: string; endsItself: boolean }
export const SECONDS: Second[] = [
  { name: 'busy loop', file: 'reference/guests/isolation/build/spinner-p.elf', endsItself: false },
  { name: 'adversary', file: 'reference/guests/isolation/build/adversary-p.elf', bootargs: 'storm:40 ld:80200000 sd:80200000 dw:80200000:10 ipi:1:0 tm:0', endsItself: true },
  { name: 'victim', file: 'reference/guests/isolation/build/victim-p.elf', endsItself: true },
];

const PART = partitionOf(PROBE_RAM);
const inInstance0 = (pc: number) => pc < PART.base || pc >= PART.base + PART.size;

const V = (at: number): ScheduleEvent => ({ at, action: 'virtualize' });

function pick(list: number[], prng: Prng, below = Infinity): number | undefined {
  const ok = list.filter((n) => n < below);
  return ok.length ? ok[prng.below(ok.length)] : undefined;
}

export function transparencyInstanceGroups(): ImageGroup[] {
  const firmware = imageHashOfFile(FIRMWARE);
  return [{
    kind: 'image' as const,
    suite: 'transparency',
    file: 'transparency/two-instances.json',
    generator: 'transparency/two-instances',
    images: [FIRMWARE, ...PROBES.map((p) => p.file), ...SECONDS.map((s) => s.file)],
    drafts: function* (): Generator<ImageDraft> {
      const bios = read(FIRMWARE);
      for (const [index, probe] of PROBES.entries()) {
        const kernel = read(probe.file);
        const native = traceProbe(kernel, bios, PROBE_RAM, 1_000_000);
        const virtualized = traceProbe(kernel, bios, PROBE_RAM, 1_000_000, [{ at: native.kernelEntry, cause: DOORBELL_CAUSE.virtualize }]);
        // A probe that asks the maintenance extension (basic calls rollback, which is DENIED with no
        // instance 1 and legal with one) would see instance 1: it is created after the last such call.
        const earliest = Math.max(native.kernelEntry, ...virtualized.maintenanceCalls) + 1;
        const seed = 0x15010 + index;
        const prng = new Prng(seed);
        for (const second of SECONDS) {
          const image = read(second.file);
          const maintenance = { kernel: imageHashOfFile(second.file), ...(second.bootargs ? { bootargs: second.bootargs } : {}) };
          const base = { kind: 'image' as const, kernel: imageHashOfFile(probe.file), bios: firmware, ramSize: PROBE_RAM, maxInsns: MAX_INSNS, maintenance };
          const draft = (title: string, tags: string[], schedule: ScheduleEvent[]): ImageDraft => ({
            title: `${probe.name} beside ${second.name}: ${title}`, tags: [probe.name, 'two-instances', second.name.replace(' ', '-'), ...tags], seed: String(seed),
            spec: 'conformance/microvisor.md#transparency', inputs: { ...base, schedule },
          });
          // Create and start at each kind of point; a busy loop is retired a while later, before
          // the probe can end (it would otherwise outlive the probe's own SRST).
          const latest = virtualized.total - 60_000;
          for (const kind of POINT_KINDS) {
            const p = pick(virtualized.points[kind], prng, second.endsItself ? Infinity : latest);
            if (p === undefined || p < earliest) continue;
            const schedule: ScheduleEvent[] = [V(native.kernelEntry), { at: p, action: 'create' }, { at: p + START_AFTER, action: 'start' }];
            if (!second.endsItself) schedule.push({ at: p + START_AFTER + 20_000, action: 'retire' });
            yield draft(`create at ${kind} point ${p}`, [kind, 'create'], schedule);
          }
          if (second.endsItself) continue;
          // Retire or roll back the busy instance 1 at the probe's own points while they share the hart.
          const start: TraceEvent[] = [
            { at: native.kernelEntry, cause: DOORBELL_CAUSE.virtualize },
            { at: earliest + TRACE_CREATE, cause: DOORBELL_CAUSE.create, prepare: (m) => placeMaintenance(m, { image }) },
            { at: earliest + TRACE_CREATE + START_AFTER, cause: DOORBELL_CAUSE.start, args: [1n] },
          ];
          // Long enough for the probe at half speed and its waits; the busy loop outlives it.
          const shared = traceProbe(kernel, bios, PROBE_RAM, Math.min(MAX_INSNS, 3 * virtualized.total + 200_000), start, inInstance0);
          const after = earliest + TRACE_CREATE + START_AFTER + 1;
          const prefix: ScheduleEvent[] = [V(native.kernelEntry), { at: earliest + TRACE_CREATE, action: 'create' }, { at: earliest + TRACE_CREATE + START_AFTER, action: 'start' }];
          // Before the probe's last ecall (its SRST, which ends instance 0 and leaves the busy loop
          // as the only instance: retiring it or rolling back is then refused, DENIED).
          const end = Math.max(...shared.points.ecall);
          for (const kind of POINT_KINDS) {
            const points = shared.points[kind].filter((n) => n > after && n < end);
            for (const action of ['retire', 'rollback'] as const) {
              const q = pick(points, prng);
              if (q === undefined) continue;
              yield draft(`${action} at ${kind} point ${q}`, [kind, action], [...prefix, { at: q, action }]);
            }
          }
        }
      }
    },
  }];
}
