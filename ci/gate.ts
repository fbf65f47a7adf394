// `npm run gate`: the overhead budgets. Each workload runs under the Microvisor three ways:
// never virtualized (native), virtualized before its measured phase, and virtualized then
// devirtualized before its measured phase. The measured phase is the stretch between two lines
// the guest prints (budgets.json names them), timed by the reference's cycle model, so every
// figure is exact and repeatable. Devirtualized overhead must be exactly zero cycles; virtualized
// overhead must be within the workload's budget. Prints a table, writes JUnit, exits 1 on excess.

import * as fs from 'fs';
import * as path from 'path';
import { runImage } from '../reference/run-image';
import { storeImage } from '../vectors/format';
import type { ImageObservation, ScheduleEvent } from '../reference/state';

const ROOT = path.resolve(__dirname, '../..');

export interface Budget {
  name: string;
  kernel: string;
  firmware: string;
  /**
   * 'mkernel': the kernel owns M-mode and `firmware` is the Microvisor's M-mode firmware
   * (conformance/mmode-kernels.md); the kernel's work must also take exactly the cycles it
   * takes with `--bios none`.
   */
  kind?: 'sbi' | 'mkernel';
  /** The measured phase: from the line matching `from` to the line matching `to`. */
  from: string;
  to: string;
  /** Instruction counts (machine-wide) at which maintenance events are delivered, before the measured phase. */
  virtualizeAt: number;
  devirtualizeAt: number;
  maxInsns: number;
  /** Largest allowed virtualized overhead, percent of native cycles. */
  virtualizedBudgetPercent: number;
}

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
}

function phaseCycles(obs: ImageObservation, from: RegExp, to: RegExp): number | null {
  const lines = obs.lines ?? [];
  const a = lines.findIndex((l) => from.test(l.text));
  const b = lines.findIndex((l, i) => i > a && to.test(l.text));
  return a < 0 || b < 0 ? null : lines[b].cycles - lines[a].cycles;
}

/** The images directory for a run: files are addressed by content hash, as in vectors/images. */
function stage(files: string[]): { dir: string; hashes: string[] } {
  const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'devirt-gate-'));
  const hashes = files.map((f) => storeImage(fs.readFileSync(path.resolve(ROOT, f)), dir));
  return { dir, hashes };
}

export function measure(b: Budget): GateRow {
  const { dir, hashes: [kernel, bios] } = stage([b.kernel, b.firmware]);
  const mkernel = b.kind === 'mkernel';
  try {
    const run = (schedule: ScheduleEvent[]) => runImage(mkernel
      ? { kind: 'image', kernel, bios: 'none', mmodeFirmware: bios, maxInsns: b.maxInsns, schedule }
      : { kind: 'image', kernel, bios, maxInsns: b.maxInsns, schedule }, dir, { stampLines: true });
    const native = run([]);
    const virt = run([{ at: b.virtualizeAt, action: 'virtualize' }]);
    const devirt = run([{ at: b.virtualizeAt, action: 'virtualize' }, { at: b.devirtualizeAt, action: 'devirtualize' }]);
    const from = new RegExp(b.from), to = new RegExp(b.to);
    const n = phaseCycles(native, from, to), v = phaseCycles(virt, from, to), d = phaseCycles(devirt, from, to);
    const row: GateRow = {
      name: b.name, nativeCycles: n ?? NaN, virtualizedCycles: v ?? NaN, devirtualizedCycles: d ?? NaN,
      virtualizedOverheadPercent: n && v ? ((v - n) / n) * 100 : NaN,
      devirtualizedOverheadCycles: n !== null && d !== null ? d - n : NaN,
      budgetPercent: b.virtualizedBudgetPercent,
      outputsMatch: native.console === virt.console && native.console === devirt.console,
      virtualizeHandlerCycles: devirt.firmware?.virtualizeCycles,
      devirtualizeHandlerCycles: devirt.firmware?.devirtualizeCycles,
      pass: false,
    };
    // The events must have been delivered, and before the measured phase began.
    const phaseStart = (o: ImageObservation) => (o.lines ?? []).find((l) => from.test(l.text))?.instret ?? -1;
    const early = (o: ImageObservation, count: number) => o.delivered.length === count && o.delivered.every((e) => e.at <= phaseStart(o));
    if (n === null || v === null || d === null) row.problem = `measured phase (${b.from} .. ${b.to}) not found in every run`;
    else if (!early(virt, 1) || !early(devirt, 2)) row.problem = `maintenance events not all delivered before the measured phase (virtualizeAt ${b.virtualizeAt}, devirtualizeAt ${b.devirtualizeAt})`;
    else if (native.exit.kind !== 'finisher' || native.exit.code !== 0) row.problem = `native run did not pass (${native.exit.kind} ${native.exit.code ?? ''})`;
    else if (!row.outputsMatch) row.problem = 'guest output differs between native, virtualized and devirtualized runs';
    else if (row.devirtualizedOverheadCycles !== 0) row.problem = `devirtualized overhead ${row.devirtualizedOverheadCycles} cycles (budget 0)`;
    else if (row.virtualizedOverheadPercent > b.virtualizedBudgetPercent) row.problem = `virtualized overhead ${row.virtualizedOverheadPercent.toFixed(3)}% over budget ${b.virtualizedBudgetPercent}%`;
    if (mkernel && row.problem === undefined) {
      const bare = runImage({ kind: 'image', kernel, bios: 'none', maxInsns: b.maxInsns }, dir, { stampLines: true });
      const c = phaseCycles(bare, from, to);
      row.bareOverheadCycles = c === null ? NaN : (n as number) - c;
      if (row.bareOverheadCycles !== 0) row.problem = `overhead against --bios none ${row.bareOverheadCycles} cycles (budget 0)`;
    }
    row.pass = row.problem === undefined;
    return row;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function junit(rows: GateRow[]): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  const cases = rows.map((r) => `  <testcase classname="overhead" name="${esc(r.name)}">${r.pass ? '' : `<failure message="${esc(r.problem ?? '')}"/>`}</testcase>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="overhead-gate" tests="${rows.length}" failures="${rows.filter((r) => !r.pass).length}">\n${cases.join('\n')}\n</testsuite>\n`;
}

export function main(argv: string[]): number {
  const budgetsFile = path.join(ROOT, 'ci/budgets.json');
  const budgets = JSON.parse(fs.readFileSync(budgetsFile, 'utf8')).workloads as Budget[];
  const outIdx = argv.indexOf('--junit');
  const junitFile = outIdx >= 0 ? argv[outIdx + 1] : path.join(ROOT, 'out/gate-junit.xml');
  const rows = budgets.map(measure);
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(pad('workload', 14) + pad('native cycles', 16) + pad('virtualized', 16) + pad('overhead', 12) + pad('budget', 9) + pad('devirt Δ', 10) + 'verdict');
  for (const r of rows) {
    console.log(pad(r.name, 14) + pad(String(r.nativeCycles), 16) + pad(String(r.virtualizedCycles), 16) +
      pad(`${r.virtualizedOverheadPercent.toFixed(3)}%`, 12) + pad(`${r.budgetPercent}%`, 9) + pad(String(r.devirtualizedOverheadCycles), 10) +
      (r.pass ? 'pass' : `FAIL: ${r.problem}`) + (r.bareOverheadCycles !== undefined ? ` (vs --bios none: ${r.bareOverheadCycles})` : ''));
  }
  const t = rows.find((r) => r.virtualizeHandlerCycles !== undefined);
  if (t) console.log(`Microvisor transition handlers (its own account): virtualize ${t.virtualizeHandlerCycles} cycles, devirtualize ${t.devirtualizeHandlerCycles} cycles`);
  fs.mkdirSync(path.dirname(junitFile), { recursive: true });
  fs.writeFileSync(junitFile, junit(rows));
  return rows.every((r) => r.pass) ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
