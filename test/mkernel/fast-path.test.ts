// The M-mode firmware's assembly fast paths (reference/firmware/mmode/entry.S) against its general
// trap path: the -DNO_FAST_PATH build has only the latter. A kernel that owns M-mode, virtualized,
// must see exactly what it sees natively with either build (conformance/mmode-kernels.md: only time
// differs), the fast paths must be the ones that carry its traps, and a maintenance request whose
// RNMI lands inside a fast path or in its exit window must be served before the kernel's next
// instruction, as one landing in the general path's exit window is.

import * as fs from 'fs';
import * as path from 'path';
import { BootSession, DOORBELL_CAUSE } from '../../reference/session';
import { firmwareCost } from '../../reference/run-image';

const ROOT = path.resolve(__dirname, '../../..');
const read = (p: string) => new Uint8Array(fs.readFileSync(path.join(ROOT, p)));
const FAST = read('reference/firmware/mmode/build/mmode-fw.elf');
const GENERAL = read('reference/firmware/mmode/build/mmode-fw-no-fast-path.elf');
const PROBE = read('reference/guests/mkernels/build/mk-probe.elf');
const PROBE_VECTORED = read('reference/guests/mkernels/build/mk-probe-vectored.elf');
const MAX = 4_000_000;
const RAM = 8 << 20;

interface Run { console: string; exit: string; cycles: number; slowTraps: number; delivered: number; rnmiEpcs: number[] }

function boot(kernel: Uint8Array, firmware: Uint8Array | null, schedule: { at: number; cause: number }[] = []): Run {
  const s = new BootSession({
    kernel, bios: null, mmodeFirmware: firmware, ramSize: RAM, maxInsns: MAX, onReset: 'stop',
    schedule: schedule.map((e) => ({ ...e, label: e.cause === DOORBELL_CAUSE.virtualize ? 'virtualize' : 'devirtualize' })),
  });
  const rnmiEpcs: number[] = [];
  s.machine.hart.onTrap = (_h, _cause, _tval, epc, _from, rnmi) => { if (rnmi) rnmiEpcs.push(Number(epc)); };
  const stop = s.run();
  const m = s.machine;
  return {
    console: m.console, exit: stop.kind === 'exit' ? `${stop.by} ${stop.code}` : stop.kind, cycles: m.hart.cycles,
    slowTraps: firmware ? firmwareCost(m)!.traps : 0, delivered: s.delivered.length, rnmiEpcs,
  };
}

const symbol = (image: Uint8Array, name: string): number => {
  const s = new BootSession({ kernel: PROBE, bios: null, mmodeFirmware: image, ramSize: RAM });
  const sym = s.machine.symbols.find((x) => x.name === name);
  if (!sym) throw new Error(`no symbol ${name}`);
  return Number(sym.value);
};

describe('M-mode firmware fast paths', () => {
  const virtualizeAtBoot = [{ at: 0, cause: DOORBELL_CAUSE.virtualize }];

  test.each([['mk-probe', PROBE], ['mk-probe-vectored', PROBE_VECTORED]])('%s virtualized from its first instruction: the native result with and without fast paths, the fast paths carrying the traps', (_name, kernel) => {
    const native = boot(kernel, null);
    expect(native.exit).toBe('finisher 0');
    const fast = boot(kernel, FAST, virtualizeAtBoot);
    const general = boot(kernel, GENERAL, virtualizeAtBoot);
    for (const r of [fast, general]) {
      expect(r.delivered).toBe(1);
      expect(r.console).toBe(native.console);
      expect(r.exit).toBe(native.exit);
    }
    // mv_stats counts only the general path's entries: the fast build must take far fewer, and be cheaper.
    expect(fast.slowTraps * 3).toBeLessThan(general.slowTraps);
    expect(fast.cycles).toBeLessThan(general.cycles);
  });

  test('an RNMI inside a fast path or in its exit window is served before the kernel goes on', () => {
    const native = boot(PROBE, null);
    // Find the instruction counts at which the virtualized kernel's fast paths reach their exit
    // window (fast_window, its csrrw, the mret at fast_window_end) and the middle of a fast path,
    // by where the kernel resumes from there (mstatus.MPP: 0 its M-mode code in U or a U process, 1 its S code).
    const window = symbol(FAST, 'fast_window'), windowEnd = symbol(FAST, 'fast_window_end');
    // Inside fast paths: the sp swap of a handler's entry or exit, the switch into the kernel's S/U configuration after its mret.
    const inside = [symbol(FAST, 'fast_swap_sp'), symbol(FAST, 'fast_enter_su')];
    const pcs = [window, window + 4, windowEnd, ...inside];
    const hits = new Map<string, number[]>();
    const key = (pc: number, mpp: number) => `${pc.toString(16)} resuming with MPP ${mpp}`;
    const s = new BootSession({ kernel: PROBE, bios: null, mmodeFirmware: FAST, ramSize: RAM, maxInsns: MAX, onReset: 'stop', captureConsole: false, schedule: [{ at: 0, cause: DOORBELL_CAUSE.virtualize, label: 'virtualize' }] });
    let last = -1;
    s.machine.hart.tracer = (h, pc) => {
      if (h.instret === last || !pcs.includes(pc)) return;
      last = h.instret;
      const k = key(pc, (h.mstatus >>> 11) & 3);
      hits.set(k, [...(hits.get(k) ?? []), h.instret]);
    };
    s.run();
    // Every window boundary is reached resuming both the kernel's S code and its M code or U processes.
    // (Inside a fast path mstatus.MPP is still U, the trap's.)
    expect([...hits.keys()].sort()).toEqual([...[window, window + 4, windowEnd].flatMap((pc) => [key(pc, 0), key(pc, 1)]), ...inside.map((pc) => key(pc, 0))].sort());
    for (const [k, counts] of hits) {
      // A devirtualize, and a repeated virtualize (ignored), at the first, a middle and the last of those boundaries.
      for (const at of [counts[0], counts[counts.length >> 1], counts[counts.length - 1]]) {
        for (const cause of [DOORBELL_CAUSE.devirtualize, DOORBELL_CAUSE.virtualize]) {
          const r = boot(PROBE, FAST, [...virtualizeAtBoot, { at, cause }]);
          expect({ k, at, cause, delivered: r.delivered, landed: r.rnmiEpcs[r.rnmiEpcs.length - 1].toString(16) }).toEqual({ k, at, cause, delivered: 2, landed: k.split(' ')[0] });
          expect({ k, at, cause, console: r.console, exit: r.exit }).toEqual({ k, at, cause, console: native.console, exit: native.exit });
        }
      }
    }
  });
});
