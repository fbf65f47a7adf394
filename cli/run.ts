// `devirt run`: the conformance suites against an implementation (the reference by default).

import { Command, Option } from 'commander';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ImplSpec } from '../harness/adapters/create';
import { ExpectFailError, readExpectFail } from '../harness/expect-fail';
import { Item, loadSuites, select } from '../harness/load';
import { contextFromItems } from '../harness/report/vector-context';
import { REPORTERS } from '../harness/reporters';
import { TapStream } from '../harness/reporters/tap-stream';
import { ImplementationStartError, RunOutcome, runSuite } from '../harness/run-suite';
import { ranLine, SkipLimit } from '../harness/summary';
import type { HelloMessage, ResultRecord } from '../vectors/schema/types';
import { qemuAvailable } from '../harness/oracle/qemu-state';
import { VECTORS_DIR } from '../vectors/format';
import { CliError, EXIT, signalExitCode } from './exit-codes';
import { checkOutputPath, writeFileAtomic } from './files';

export interface RunFlags {
  impl?: string; implCmd?: string; suite?: string[]; filter?: string[]; shard?: string; jobs?: string;
  reporter?: string; expectFail?: string; out?: string; traceDiff?: boolean; traceDiffLimit?: string; maxSkips?: string; timeout: string; vectors: string;
}

const positiveInt = (flag: string, v: string): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || !Number.isSafeInteger(n)) throw new CliError(`${flag}: bad value '${v}' (a positive integer)`);
  return n;
};

function parseShard(v: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new CliError(`--shard: bad value '${v}' (I/N with 1 <= I <= N)`);
  return { index, count };
}

/** --max-skips N (a count) or P% (a share of the selected vectors). */
export function parseMaxSkips(v: string): SkipLimit {
  const count = /^\d+$/.exec(v), share = /^(\d+(?:\.\d+)?)%$/.exec(v);
  if (count && Number.isSafeInteger(Number(v))) return { max: Number(v) };
  if (share && Number(share[1]) <= 100) return { percent: Number(share[1]) };
  throw new CliError(`--max-skips: bad value '${v}' (a count N, or a share P% with P at most 100)`);
}

/** QEMU, when installed; a batch of vectors gets at least 30 s (QEMU shares the cores with the other jobs). */
export function qemuSpec(flag: string, timeoutMs: number): ImplSpec {
  if (!qemuAvailable()) throw new CliError(`${flag}: qemu-system-riscv64 is not installed (apt-get install qemu-system-misc)`);
  return { kind: 'qemu', timeoutMs: Math.max(timeoutMs, 30_000) };
}

function implSpec(o: RunFlags, timeoutMs: number): ImplSpec {
  if (o.impl !== undefined && o.implCmd !== undefined) throw new CliError('--impl and --impl-cmd exclude each other');
  if (o.implCmd !== undefined) {
    if (!o.implCmd.trim()) throw new CliError('--impl-cmd: empty command');
    return { kind: 'external', command: o.implCmd, timeoutMs };
  }
  switch (o.impl ?? 'reference') {
    case 'reference': return { kind: 'reference' };
    case 'qemu': return qemuSpec('--impl qemu', timeoutMs);
    default: throw new CliError(`--impl: unknown implementation '${o.impl}' (known: reference, qemu; or --impl-cmd "COMMAND")`);
  }
}

export function registerRun(program: Command): void {
  const run = program.command('run').description('run the conformance suites against an implementation and report')
    .option('--impl <name>', 'a built-in implementation: reference (in-process) or qemu (the state vectors it can run)')
    .option('--impl-cmd <command>', 'an external implementation speaking the JSON-lines protocol (conformance/PROTOCOL.md)');
  addRunOptions(run)
    .option('--trace-diff', 'rerun failing state vectors step by step against the reference; shrink failing random streams')
    .option('--trace-diff-limit <n>', 'with --trace-diff: trace at most N failures (default 20; the report says when the limit is reached)')
    .action(async (o: RunFlags) => {
      const timeoutMs = timeoutOf(o);
      await runAndReport(o, implSpec(o, timeoutMs), 'devirt run');
    });
}

/** Collects a repeated option's values in order. */
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** The options every run of the suites shares (`devirt run`, `devirt vectors crosscheck`): selection, parallelism, reports. */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('--suite <name...>', 'only these suites (isa, priv, transparency, overhead, ...)')
    .option('--filter <text>', 'only vectors whose id, title or file contains TEXT (tag:NAME: with that tag; * and ?: a glob over id, title or file); repeated, a vector matching any one of them', collect)
    .option('--shard <i/n>', 'only shard I of N (deterministic; the N shards together are the selection, each vector once)')
    .option('--jobs <n>', 'worker threads (default: the number of cores)')
    .addOption(new Option('--reporter <name>', 'output format (default: pretty on a terminal, tap otherwise)').choices(Object.keys(REPORTERS)))
    .option('--expect-fail <file>', 'expected failures: one vector id per line, optionally "# reason"')
    .option('--out <file>', 'write the report to FILE instead of stdout (shrunk vectors go beside it)')
    .option('--max-skips <n|p%>', 'fail the run when more than N vectors (or P% of the selection) are skipped')
    .option('--timeout <ms>', 'per-vector limit for an external implementation (QEMU: per batch, at least 30000)', '10000')
    .option('--vectors <dir>', 'the vectors directory', VECTORS_DIR);
}

export function timeoutOf(o: { timeout: string }): number {
  const timeoutMs = positiveInt('--timeout', o.timeout);
  // Node's timers hold at most 2^31 - 1 ms (about 24.8 days); a longer one fires at once.
  if (timeoutMs > 2 ** 31 - 1) throw new CliError(`--timeout: bad value '${o.timeout}' (at most ${2 ** 31 - 1} ms)`);
  return timeoutMs;
}

/**
 * One run of the suites against `spec`, reported as `devirt run` reports: progress on a terminal,
 * the chosen reporter to stdout or --out, a summary line on stderr, and the exit code. `after`
 * adds to the summary (the crosscheck's account of divergences).
 */
export async function runAndReport(o: RunFlags, spec: ImplSpec, name: string, after?: (outcome: RunOutcome, items: Item[]) => string): Promise<void> {
  const jobs = o.jobs === undefined ? os.availableParallelism() : positiveInt('--jobs', o.jobs);
  const shard = o.shard === undefined ? undefined : parseShard(o.shard);
  const maxSkips = o.maxSkips === undefined ? undefined : parseMaxSkips(o.maxSkips);
  if (o.traceDiffLimit !== undefined && !o.traceDiff) throw new CliError('--trace-diff-limit needs --trace-diff');
  const traceDiffLimit = o.traceDiffLimit === undefined ? undefined : positiveInt('--trace-diff-limit', o.traceDiffLimit);
  if (!fs.existsSync(o.vectors) || !fs.statSync(o.vectors).isDirectory()) throw new CliError(`--vectors: no directory ${o.vectors}`);
  if (o.out !== undefined) checkOutputPath(o.out, '--out');
  let expectFail;
  try { expectFail = o.expectFail === undefined ? undefined : readExpectFail(o.expectFail); }
  catch (e) { if (e instanceof ExpectFailError) throw new CliError(e.message); throw e; }
  const reporter = o.reporter ?? (process.stdout.isTTY && o.out === undefined ? 'pretty' : 'tap');
  const items = loadSuites(o.vectors);
  if (!items.length) throw new CliError(`--vectors: no vector files (*.json) in ${o.vectors}`);
  const known = new Set(items.map((it) => (it.vector ? it.vector.suite : it.problem.suite)));
  for (const s of o.suite ?? []) if (!known.has(s)) throw new CliError(`--suite: no suite '${s}' (known: ${[...known].sort().join(', ')})`);
  if ((o.suite || o.filter !== undefined) && !select(items, { suite: o.suite, filter: o.filter }).length) {
    const filters = (o.filter ?? []).map((f) => `'${f}'`).join(' or ');
    throw new CliError(o.filter ? `--filter: no vector matches ${filters}${o.suite ? ` in suite ${o.suite.join(', ')}` : ''}` : `--suite: no vector in suite ${o.suite!.join(', ')}`);
  }
  for (const id of expectFail?.keys() ?? []) {
    if (!items.some((it) => (it.vector?.id ?? it.problem?.id) === id)) process.stderr.write(`devirt: ${expectFail!.get(id)!.where}: no vector ${id} in the suites (stale entry?)\n`);
  }

  const bar = process.stderr.isTTY ? progressBar(name) : null;
  const started = Date.now();
  // Ctrl-C or SIGTERM: the vectors under way finish, the rest are reported as not run, and the
  // partial report is written as usual. A second signal quits at once (--out is then untouched).
  let stoppedBy: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppedBy) process.exit(signalExitCode(signal));
    stoppedBy = signal;
    bar?.stop();
    process.stderr.write(`${name}: ${signal}: finishing the vectors under way, then writing the partial report (${signal} again quits at once)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // TAP to stdout streams: a consumer sees results as they come, and a reader that goes away
  // (`devirt run | head -1`) ends the run at the next write.
  let stream: TapStream | undefined;
  // (Not with --trace-diff, which changes records after the run, nor --max-skips, whose verdict is one more test point.)
  const streamed = reporter === 'tap' && o.out === undefined && !o.traceDiff && o.maxSkips === undefined;
  const write = (text: string) => { process.stdout.write(text); };
  let outcome: RunOutcome;
  try {
    outcome = await runSuite({
      items, selection: { suite: o.suite, filter: o.filter, shard }, spec, jobs, expectFail,
      traceDiffDir: o.traceDiff ? path.resolve(o.out ? path.dirname(o.out) : 'out') : undefined,
      traceDiffLimit, maxSkips,
      onProgress: bar ? (done, total) => bar.update(done, total) : undefined,
      imagesDir: path.join(path.resolve(o.vectors), 'images'),
      interrupted: () => stoppedBy,
      ...(streamed ? { onStart: (hello: HelloMessage, planned: number) => { stream = new TapStream(hello, planned, write); }, onRecord: (at: number, r: ResultRecord) => stream!.push(at, r) } : {}),
    });
  } catch (e) {
    if (e instanceof ImplementationStartError) throw new CliError(e.message);
    throw e;
  } finally {
    bar?.stop();
  }
  if (stream) stream.finish(outcome.records, outcome.summary, outcome.info);
  else {
    const ctx = reporter === 'html' ? contextFromItems(outcome.records, items) : undefined;
    const text = REPORTERS[reporter](outcome.hello, outcome.records, outcome.summary, outcome.info, ctx);
    if (o.out) writeFileAtomic(o.out, text, '--out'); else process.stdout.write(text);
  }
  const t = outcome.summary.total;
  process.stderr.write(`${name}: ${t.total} vectors in ${((Date.now() - started) / 1000).toFixed(1)} s: ${t.pass} pass, ${t.fail + t.error + t.crash + t.timeout + t.xpass} failing, ${t.skip} skip, ${t.xfail} xfail\n`);
  process.stderr.write(`${name}: ${ranLine(outcome.summary)}\n`);
  for (const note of outcome.summary.notes ?? []) process.stderr.write(`${name}: ${note}\n`);
  if (after) process.stderr.write(after(outcome, items));
  process.exitCode = stoppedBy ? signalExitCode(stoppedBy) : outcome.summary.failed ? EXIT.failures : EXIT.ok;
  if (stoppedBy) process.stderr.write(`${name}: interrupted by ${stoppedBy}: the report is partial\n`);
}

function progressBar(name: string): { update(done: number, total: number): void; stop(): void } {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { SingleBar, Presets } = require('cli-progress') as typeof import('cli-progress');
  const bar = new SingleBar({ stream: process.stderr, format: `${name} [{bar}] {value}/{total} vectors`, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  let started = false;
  return {
    update(done, total) { if (!started) { bar.start(total, 0); started = true; } bar.update(done); },
    stop() { if (started) bar.stop(); },
  };
}
