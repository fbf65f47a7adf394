// The overhead workloads with a second instance beside them at an even share: virtualized at the
// workload's virtualizeAt, a busy instance 1 (it never yields) created and started right after,
// and retired once the workload has printed its last line (before its SRST, which would end
// instance 0 only and leave instance 1 running). The workload must still compute exactly what it
// computes natively; the cycles it loses to instance 1 are its share, not overhead (the world
// switch's own cost is budgeted in ci/budgets.json firmwareCosts).

import * as fs from 'fs';
import * as path from 'path';
import type { ImageDraft, ImageGroup } from '../build';
import { imageHashOfFile, IMAGES_DIR } from '../format';
import type { ImageInputs, ScheduleEvent } from '../../reference/state';
import { runImage } from '../../reference/run-image';
import { BootSession, doorbellEvent } from '../../reference/session';
import { SECONDS } from './transparency-instances';

const ROOT = path.resolve(__dirname, '../../..');
const BUSY = SECONDS.find((s) => !s.endsItself)!.file;
interface BudgetEntry { name: string; kind?: string; kernel: string; firmware: string; virtualizeAt: number; maxInsns: number }

export function overheadInstanceGroups(): ImageGroup[] {
  const budgets = (JSON.parse(fs.readFileSync(path.join(ROOT, 'ci/budgets.json'), 'utf8')).workloads as BudgetEntry[])
    .filter((b) => b.kind !== 'mkernel');  // a kernel that owns M-mode has no maintenance instances
  return [{
    kind: 'image',
    suite: 'overhead',
    file: 'overhead/two-instances.json',
    generator: 'overhead/two-instances',
    images: [...new Set(budgets.flatMap((b) => [b.kernel, b.firmware])), BUSY],
    drafts: function* (): Generator<ImageDraft> {
      for (const b of budgets) {
        const start: ScheduleEvent[] = [
          { at: b.virtualizeAt, action: 'virtualize' },
          { at: b.virtualizeAt + 2000, action: 'create' },
          { at: b.virtualizeAt + 5000, action: 'start' },
        ];
        const inputs: ImageInputs = {
          kind: 'image', kernel: imageHashOfFile(b.kernel), bios: imageHashOfFile(b.firmware), maxInsns: 2 * b.maxInsns,
          maintenance: { kernel: imageHashOfFile(BUSY) }, schedule: start,
        };
        // Where the workload has printed all its native console with instance 1 beside it: retire
        // instance 1 there (the run is driven in pieces and stopped then: instance 1 never ends).
        const native = runImage({ ...inputs, schedule: [] }, IMAGES_DIR).console;
        const load = (p: string) => new Uint8Array(fs.readFileSync(path.join(ROOT, p)));
        let written = 0, last = -1;
        const session: BootSession = new BootSession({
          ramSize: inputs.ramSize, kernel: load(b.kernel), bios: load(b.firmware), maxInsns: inputs.maxInsns, onReset: 'stop',
          schedule: start.map((e) => doorbellEvent(e, { image: load(BUSY) })),
          onConsole: () => { if (++written === native.length) last = session.machine.hart.instret; },
        });
        while (last < 0) {
          const stop = session.run({ insns: 100_000 });
          if (last < 0 && stop.kind !== 'slice') throw new Error(`${b.name}: stopped (${stop.kind}) before printing its native console beside a second instance`);
        }
        yield {
          title: `${b.name}: beside a busy instance 1 at an even share`, tags: [b.name, 'two-instances'],
          spec: 'conformance/microvisor.md#overhead',
          inputs: { ...inputs, schedule: [...start, { at: last + 1, action: 'retire' }] },
        };
      }
    },
  }];
}
