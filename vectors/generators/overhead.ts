// The overhead suite's vectors: each workload of ci/budgets.json natively, virtualized before its
// measured phase, and virtualized then devirtualized; the guest-visible result must be the native
// one. The cycle budgets themselves are checked by the gate (ci/gate.ts) from the same runs.

import * as fs from 'fs';
import * as path from 'path';
import type { ImageDraft, ImageGroup } from '../build';
import { imageHashOfFile } from '../format';

const ROOT = path.resolve(__dirname, '../../..');

interface BudgetEntry { name: string; kind?: 'sbi' | 'mkernel'; kernel: string; firmware: string; virtualizeAt: number; devirtualizeAt: number; maxInsns: number }

export function overheadGroups(): ImageGroup[] {
  const budgets = JSON.parse(fs.readFileSync(path.join(ROOT, 'ci/budgets.json'), 'utf8')).workloads as BudgetEntry[];
  return [{
    kind: 'image',
    suite: 'overhead',
    file: 'overhead/workloads.json',
    generator: 'overhead/workloads',
    images: [...new Set(budgets.flatMap((b) => [b.kernel, b.firmware]))],
    drafts: function* (): Generator<ImageDraft> {
      // Workloads measured in different phases of one run (mk-bench) share its vectors: one run,
      // named after all of them, rather than the same vector under several titles.
      const runs = new Map<string, BudgetEntry[]>();
      for (const b of budgets) {
        const key = JSON.stringify([b.kind ?? 'sbi', b.kernel, b.firmware, b.virtualizeAt, b.devirtualizeAt, b.maxInsns]);
        runs.set(key, [...(runs.get(key) ?? []), b]);
      }
      for (const sharing of runs.values()) {
        const b = { ...sharing[0], name: sharing.map((s) => s.name).join(', ') };
        const tags = sharing.map((s) => s.name);
        // A kernel that owns M-mode boots with -bios none under the M-mode firmware (conformance/mmode-kernels.md).
        const mk = b.kind === 'mkernel';
        const base = mk
          ? { kind: 'image' as const, kernel: imageHashOfFile(b.kernel), bios: 'none', mmodeFirmware: imageHashOfFile(b.firmware), maxInsns: b.maxInsns }
          : { kind: 'image' as const, kernel: imageHashOfFile(b.kernel), bios: imageHashOfFile(b.firmware), maxInsns: b.maxInsns };
        const spec = 'conformance/microvisor.md#overhead';
        yield { title: `${b.name}: native`, tags: [...tags, 'native'], spec, inputs: { ...base, schedule: [] } };
        yield { title: `${b.name}: virtualized`, tags: [...tags, 'virtualized'], spec, inputs: { ...base, schedule: [{ at: b.virtualizeAt, action: 'virtualize' }] } };
        yield {
          title: `${b.name}: devirtualized`, tags: [...tags, 'devirtualized'], spec,
          inputs: { ...base, schedule: [{ at: b.virtualizeAt, action: 'virtualize' }, { at: b.devirtualizeAt, action: 'devirtualize' }] },
        };
      }
    },
  }];
}
