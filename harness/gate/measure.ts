// The overhead gate's measurement, on any implementation that reports console lines with cycle
// counts (capability line-cycles, conformance/PROTOCOL.md). Each workload boots three ways under
// the Microvisor: never virtualized (native), virtualized before its measured phase, and
// virtualized then devirtualized before it. The measured phase is the stretch between two console
// lines, timed by the implementation's own cycle counter (on the reference, its cycle model, so
// every figure is exact and repeatable). Devirtualized overhead must be exactly zero cycles;
// virtualized overhead within the workload's budget. Kernels that own M-mode must also take
// exactly the cycles they take with no firmware at all (--bios none).

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { storeImage } from '../../vectors/format';
import type { ImageInputs, ImageObservationWire, Vector } from '../../vectors/schema/types';
import type { Implementation } from '../adapters/implementation';
import { Budget, KnownMiss, PROJECT_ROOT } from './budgets';

export interface GateRow {
  name: string;
  nativeCycles: number;
  virtualizedCycles: number;
  devirtualizedCycles: number;
  virtualizedOverheadPercent: number;
  devirtualizedOverheadCycles: number;
  /** 'mkernel' workloads: cycles over the same work with --bios none (no firmware at all). */
  bareOverheadCycles?: number;
  budgetPercent: number;
  outputsMatch: boolean;
  /** The firmware's own account of the devirtualized run's transitions (handler cycles, mv_stats). */
  virtualizeHandlerCycles?: number;
  devirtualizeHandlerCycles?: number;
  pass: boolean;
  problem?: string;
  /** The virtualized budget is missed within the workload's listed known miss (ci/budgets.json), tolerated unless --strict. */
  knownMiss?: KnownMiss;
}

export interface GateOptions {
  /** Replaces the Microvisor of 'sbi' workloads. */
  firmware?: string;
  /** Replaces the M-mode firmware of 'mkernel' workloads. */
  mmodeFirmware?: string;
  /** Known misses fail too. */
  strict?: boolean;
}

/** A budgets file's kernel or firmware: relative to the current folder, else to devirt's own root (ci/budgets.json's paths). */
export function budgetFile(p: string): string {
  const here = path.resolve(p);
  return fs.existsSync(here) ? here : path.resolve(PROJECT_ROOT, p);
}

type Lines = NonNullable<ImageObservationWire['lines']>;

function phase(lines: Lines, from: RegExp, to: RegExp): { cycles: number; startInstret: number } | null {
  const a = lines.findIndex((l) => from.test(l.text));
  const b = lines.findIndex((l, i) => i > a && to.test(l.text));
  return a < 0 || b < 0 ? null : { cycles: lines[b].cycles - lines[a].cycles, startInstret: lines[a].instret };
}

/** The images directory of a measurement: files by content hash, as in vectors/images. */
function stage(files: string[]): { dir: string; hashes: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-gate-'));
  return { dir, hashes: files.map((f) => storeImage(fs.readFileSync(f), dir)) };
}

const gateVector = (name: string, inputs: ImageInputs): Vector => ({
  id: `gate-${name}`, suite: 'gate', title: name, tags: ['line-cycles'], spec: 'conformance/microvisor.md#overhead',
  provenance: { generator: 'gate', generatorVersion: '1', referenceVersion: '-', expected: 'reference' },
  inputs, expected: { console: '', exit: { kind: 'finisher' } },
});

export async function measure(b: Budget, impl: Implementation, opts: GateOptions = {}): Promise<GateRow> {
  const mkernel = b.kind === 'mkernel';
  const firmwareFile = (mkernel ? opts.mmodeFirmware : opts.firmware) ?? budgetFile(b.firmware);
  const { dir, hashes: [kernel, firmware] } = stage([budgetFile(b.kernel), firmwareFile]);
  const row: GateRow = {
    name: b.name, nativeCycles: NaN, virtualizedCycles: NaN, devirtualizedCycles: NaN, virtualizedOverheadPercent: NaN,
    devirtualizedOverheadCycles: NaN, budgetPercent: b.virtualizedBudgetPercent, outputsMatch: false, pass: false,
  };
  try {
    const inputs = (schedule: ImageInputs['schedule']): ImageInputs => (mkernel
      ? { kind: 'image', kernel, bios: 'none', mmodeFirmware: firmware, maxInsns: b.maxInsns, schedule }
      : { kind: 'image', kernel, bios: firmware, maxInsns: b.maxInsns, schedule });
    const runs = [
      gateVector(`${b.name}-native`, inputs([])),
      gateVector(`${b.name}-virtualized`, inputs([{ at: b.virtualizeAt, action: 'virtualize' }])),
      gateVector(`${b.name}-devirtualized`, inputs([{ at: b.virtualizeAt, action: 'virtualize' }, { at: b.devirtualizeAt, action: 'devirtualize' }])),
      ...(mkernel ? [gateVector(`${b.name}-bare`, { kind: 'image', kernel, bios: 'none', maxInsns: b.maxInsns })] : []),
    ];
    const outcomes = await impl.runAll(runs, dir);
    const failed = outcomes.findIndex((o) => o.kind !== 'observed');
    if (failed >= 0) {
      const o = outcomes[failed] as { kind: string; reason: string };
      row.problem = `${runs[failed].title}: ${o.kind}: ${o.reason}`;
      return row;
    }
    const [native, virt, devirt, bare] = outcomes.map((o) => (o as { observation: ImageObservationWire }).observation);
    if (!native.lines || !virt.lines || !devirt.lines) { row.problem = 'the implementation answered without console line cycle counts (capability line-cycles)'; return row; }
    const from = new RegExp(b.from), to = new RegExp(b.to);
    const n = phase(native.lines, from, to), v = phase(virt.lines, from, to), d = phase(devirt.lines, from, to);
    row.outputsMatch = native.console === virt.console && native.console === devirt.console;
    row.virtualizeHandlerCycles = devirt.firmware?.virtualizeCycles;
    row.devirtualizeHandlerCycles = devirt.firmware?.devirtualizeCycles;
    if (n) row.nativeCycles = n.cycles;
    if (v) row.virtualizedCycles = v.cycles;
    if (d) row.devirtualizedCycles = d.cycles;
    if (n && v) row.virtualizedOverheadPercent = ((v.cycles - n.cycles) / n.cycles) * 100;
    if (n && d) row.devirtualizedOverheadCycles = d.cycles - n.cycles;
    // The events must have been delivered, and before the measured phase began.
    const early = (o: ImageObservationWire, p: { startInstret: number } | null, count: number) => (o.delivered ?? []).length === count && (o.delivered ?? []).every((e) => p !== null && e.at <= p.startInstret);
    if (!n || !v || !d) row.problem = `measured phase (${b.from} .. ${b.to}) not found in every run`;
    else if (!early(virt, v, 1) || !early(devirt, d, 2)) row.problem = `maintenance events not all delivered before the measured phase (virtualizeAt ${b.virtualizeAt}, devirtualizeAt ${b.devirtualizeAt})`;
    else if (native.exit.kind !== 'finisher' || native.exit.code !== 0) row.problem = `native run did not pass (${native.exit.kind} ${native.exit.code ?? ''})`;
    else if (!row.outputsMatch) row.problem = 'guest output differs between native, virtualized and devirtualized runs';
    else if (row.devirtualizedOverheadCycles !== 0) row.problem = `devirtualized overhead ${row.devirtualizedOverheadCycles} cycles (budget 0)`;
    else if (row.virtualizedOverheadPercent > b.virtualizedBudgetPercent) {
      const over = `virtualized overhead ${row.virtualizedOverheadPercent.toFixed(3)}% over budget ${b.virtualizedBudgetPercent}%`;
      const k = b.knownMiss;
      if (!k) row.problem = over;
      else if (row.virtualizedOverheadPercent > k.measuredPercent) row.problem = `${over}, and worse than its known miss (${k.measuredPercent}%)`;
      else if (opts.strict) row.problem = `${over} (known miss, failed by --strict: ${k.reason})`;
      else row.knownMiss = k;
    }
    if (mkernel && row.problem === undefined) {
      const c = bare.lines ? phase(bare.lines, from, to) : null;
      row.bareOverheadCycles = c === null ? NaN : n!.cycles - c.cycles;
      if (row.bareOverheadCycles !== 0) row.problem = `overhead against --bios none ${row.bareOverheadCycles} cycles (budget 0)`;
    }
    row.pass = row.problem === undefined;
    return row;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
