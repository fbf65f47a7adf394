// `devirt run`: the conformance suites against an implementation (the reference by default).

import { Command, Option } from 'commander';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ImplSpec } from '../harness/adapters/create';
import { ExpectFailError, readExpectFail } from '../harness/expect-fail';
import { loadSuites, select } from '../harness/load';
import { contextFromItems } from '../harness/report/vector-context';
import { REPORTERS } from '../harness/reporters';
import { TapStream } from '../harness/reporters/tap-stream';
import type { HelloMessage, ResultRecord } from '../vectors/schema/types';
import { ImplementationStartError, runSuite } from '../harness/run-suite';
import { qemuAvailable } from '../harness/oracle/qemu-state';
import { VECTORS_DIR } from '../vectors/format';
import { CliError, EXIT, signalExitCode } from './exit-codes';
import { checkOutputPath, writeFileAtomic } from './files';

interface RunFlags {
  impl?: string; implCmd?: string; suite?: string[]; filter?: string; shard?: string; jobs?: string;
  reporter?: string; expectFail?: string; out?: string; traceDiff?: boolean; timeout: string; vectors: string;
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

function implSpec(o: RunFlags, timeoutMs: number): ImplSpec {
  if (o.impl !== undefined && o.implCmd !== undefined) throw new CliError('--impl and --impl-cmd exclude each other');
  if (o.implCmd !== undefined) {
    if (!o.implCmd.trim()) throw new CliError('--impl-cmd: empty command');
    return { kind: 'external', command: o.implCmd, timeoutMs };
  }
  switch (o.impl ?? 'reference') {
    case 'reference': return { kind: 'reference' };
    case 'qemu':
      if (!qemuAvailable()) throw new CliError('--impl qemu: qemu-system-riscv64 is not installed (apt-get install qemu-system-misc)');
      return { kind: 'qemu', timeoutMs: Math.max(timeoutMs, 30_000) };
    default: throw new CliError(`--impl: unknown implementation '${o.impl}' (known: reference, qemu; or --impl-cmd "COMMAND")`);
  }
}

export function registerRun(program: Command): void {
  program.command('run').description('run the conformance suites against an implementation and report')
    .option('--impl <name>', 'a built-in implementation: reference (in-process) or qemu (state vectors it can run)')
    .option('--impl-cmd <command>', 'an external implementation speaking the JSON-lines protocol (conformance/PROTOCOL.md)')
    .option('--suite <name...>', 'only these suites (isa, priv, transparency, overhead, ...)')
    .option('--filter <text>', 'only vectors whose id, title or file contains TEXT')
    .option('--shard <i/n>', 'only shard I of N (deterministic; the N shards together are the selection, each vector once)')
    .option('--jobs <n>', 'worker threads (default: the number of cores)')
    .addOption(new Option('--reporter <name>', 'output format (default: pretty on a terminal, tap otherwise)').choices(Object.keys(REPORTERS)))
    .option('--expect-fail <file>', 'expected failures: one vector id per line, optionally "# reason"')
    .option('--out <file>', 'write the report to FILE instead of stdout (shrunk vectors go beside it)')
    .option('--trace-diff', 'rerun failing state vectors step by step against the reference; shrink failing random streams')
    .option('--timeout <ms>', 'per-vector limit for an external implementation', '10000')
    .option('--vectors <dir>', 'the vectors directory', VECTORS_DIR)
    .action(async (o: RunFlags) => {
      const timeoutMs = positiveInt('--timeout', o.timeout);
      // Node's timers hold at most 2^31 - 1 ms (about 24.8 days); a longer one fires at once.
      if (timeoutMs > 2 ** 31 - 1) throw new CliError(`--timeout: bad value '${o.timeout}' (at most ${2 ** 31 - 1} ms)`);
      const spec = implSpec(o, timeoutMs);
      const jobs = o.jobs === undefined ? os.availableParallelism() : positiveInt('--jobs', o.jobs);
      const shard = o.shard === undefined ? undefined : parseShard(o.shard);
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
        throw new CliError(`--filter: no vector matches '${o.filter}'${o.suite ? ` in suite ${o.suite.join(', ')}` : ''}`);
      }
      for (const id of expectFail?.keys() ?? []) {
        if (!items.some((it) => (it.vector?.id ?? it.problem?.id) === id)) process.stderr.write(`devirt: ${expectFail!.get(id)!.where}: no vector ${id} in the suites (stale entry?)\n`);
      }

      const bar = process.stderr.isTTY ? progressBar() : null;
      const started = Date.now();
      // Ctrl-C or SIGTERM: the vectors under way finish, the rest are reported as not run, and the
      // partial report is written as usual. A second signal quits at once (--out is then untouched).
      let stoppedBy: NodeJS.Signals | null = null;
      const onSignal = (signal: NodeJS.Signals) => {
        if (stoppedBy) process.exit(signalExitCode(signal));
        stoppedBy = signal;
        bar?.stop();
        process.stderr.write(`devirt run: ${signal}: finishing the vectors under way, then writing the partial report (${signal} again quits at once)\n`);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // TAP to stdout streams: a consumer sees results as they come, and a reader that goes away
      // (`devirt run | head -1`) ends the run at the next write.
      let stream: TapStream | undefined;
      const streamed = reporter === 'tap' && o.out === undefined && !o.traceDiff;
      const write = (text: string) => { process.stdout.write(text); };
      let outcome;
      try {
        outcome = await runSuite({
          items, selection: { suite: o.suite, filter: o.filter, shard }, spec, jobs, expectFail,
          traceDiffDir: o.traceDiff ? path.resolve(o.out ? path.dirname(o.out) : 'out') : undefined,
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
      process.stderr.write(`devirt run: ${t.total} vectors in ${((Date.now() - started) / 1000).toFixed(1)} s: ${t.pass} pass, ${t.fail + t.error + t.crash + t.timeout + t.xpass} failing, ${t.skip} skip, ${t.xfail} xfail\n`);
      process.exitCode = stoppedBy ? signalExitCode(stoppedBy) : outcome.summary.failed ? EXIT.failures : EXIT.ok;
      if (stoppedBy) process.stderr.write(`devirt run: interrupted by ${stoppedBy}: the report is partial\n`);
    });
}

function progressBar(): { update(done: number, total: number): void; stop(): void } {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { SingleBar, Presets } = require('cli-progress') as typeof import('cli-progress');
  const bar = new SingleBar({ stream: process.stderr, format: 'devirt run [{bar}] {value}/{total} vectors', hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  let started = false;
  return {
    update(done, total) { if (!started) { bar.start(total, 0); started = true; } bar.update(done); },
    stop() { if (started) bar.stop(); },
  };
}
