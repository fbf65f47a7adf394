// `devirt report html | merge | diff | expect-fail`: what can be made of JSON reports after the
// run — a page for people, shards put back together, two runs compared, an expected-failure list.

import { Command, Option } from 'commander';
import * as fs from 'fs';
import { diffReports, expectFailList, renderDiff } from '../harness/report/diff';
import { readReport, ReportDocument, ReportError, serializeReport, summaryOf } from '../harness/report/document';
import { mergeReports, MergeError } from '../harness/report/merge';
import { contextFromItems } from '../harness/report/vector-context';
import { loadSuites } from '../harness/load';
import { REPORTERS } from '../harness/reporters';
import { VECTORS_DIR } from '../vectors/format';
import { CliError, EXIT } from './exit-codes';
import { checkOutputPath, writeFileAtomic } from './files';

/** Report problems are bad input: one line naming the file, exit 2. */
function reading<T>(f: () => T): T {
  try { return f(); }
  catch (e) { if (e instanceof ReportError || e instanceof MergeError) throw new CliError(e.message); throw e; }
}

/** A report rendered by any reporter; the HTML one with the vectors' details when the vectors are there. */
function render(doc: ReportDocument, reporter: string, vectorsDir: string | undefined): string {
  if (reporter === 'json') return serializeReport(doc);
  const hello = { type: 'hello' as const, protocol: 1 as const, ...doc.implementation };
  const summary = summaryOf(doc);
  let ctx;
  if (reporter === 'html' && vectorsDir !== undefined && fs.existsSync(vectorsDir)) ctx = contextFromItems(doc.results, loadSuites(vectorsDir));
  return REPORTERS[reporter](hello, doc.results, summary, doc.run, ctx);
}

function emit(text: string, out: string | undefined): void {
  if (out) writeFileAtomic(out, text, '--out'); else process.stdout.write(text);
}

export function registerReport(program: Command): void {
  const report = program.command('report').description('make an HTML page of a JSON report, merge shards, compare two runs');
  const outOption = (o: { out?: string }) => { if (o.out !== undefined) checkOutputPath(o.out, '--out'); };

  report.command('html').description('the self-contained HTML report of a JSON report (devirt run --reporter json)')
    .argument('<report>', 'a JSON report')
    .option('--out <file>', 'write the page to FILE (default: stdout)')
    .option('--vectors <dir>', 'the vectors, for tags, clauses, provenance and code around failures', VECTORS_DIR)
    .action((file: string, o: { out?: string; vectors: string }) => {
      outOption(o);
      emit(render(reading(() => readReport(file)), 'html', o.vectors), o.out);
    });

  report.command('merge').description('put the reports of --shard i/n runs back together (each vector exactly once)')
    .argument('<reports...>', 'JSON reports of the shards')
    .option('--out <file>', 'write the merged report to FILE (default: stdout)')
    .addOption(new Option('--reporter <name>', 'format of the merged report').choices(Object.keys(REPORTERS)).default('json'))
    .option('--vectors <dir>', 'the vectors (for --reporter html)', VECTORS_DIR)
    .action((files: string[], o: { out?: string; reporter: string; vectors: string }) => {
      outOption(o);
      const merged = reading(() => mergeReports(files));
      emit(render(merged, o.reporter, o.vectors), o.out);
      const t = merged.total;
      process.stderr.write(`devirt report merge: ${files.length} reports, ${t.total} vectors: ${t.pass} pass, ${t.fail + t.error + t.crash + t.timeout + t.xpass} failing, ${t.skip} skip, ${t.xfail} xfail\n`);
      process.exitCode = merged.failed ? EXIT.failures : EXIT.ok;
    });

  report.command('diff').description('vectors whose result changed between two runs; exits 1 on a new failure')
    .argument('<before>', 'the earlier JSON report')
    .argument('<after>', 'the later JSON report')
    .option('--json', 'print the changes as JSON')
    .action((a: string, b: string, o: { json?: boolean }) => {
      const d = reading(() => diffReports(readReport(a), readReport(b)));
      process.stdout.write(o.json ? JSON.stringify(d, null, 1) + '\n' : renderDiff(d));
      process.exitCode = d.newFailures.length ? EXIT.failures : EXIT.ok;
    });

  report.command('expect-fail').description('an expected-failure list (for --expect-fail) of what failed in a report')
    .argument('<report>', 'a JSON report')
    .action((file: string) => { process.stdout.write(expectFailList(reading(() => readReport(file)))); });
}
