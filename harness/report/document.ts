// The JSON report: the document `--reporter json` writes and every `devirt report` command reads
// (merge, diff, html, expect-fail). It holds every result, passes included, and the run it came
// from (vectors/schema/report.schema.json), so shards can be put back together and two runs
// compared without running anything again.

import * as fs from 'fs';
import type { HelloMessage, ResultRecord } from '../../vectors/schema/types';
import { check } from '../../vectors/schema/validate';
import type { RunInfo } from '../run-info';
import { summarize, Summary } from '../summary';

export const REPORT_FORMAT = 'devirt-report';
export const REPORT_FORMAT_VERSION = 2;

export interface ReportDocument {
  format: typeof REPORT_FORMAT;
  formatVersion: typeof REPORT_FORMAT_VERSION;
  implementation: { name: string; version: string; capabilities: string[] };
  run: RunInfo;
  total: Summary['total'];
  /** Vectors the implementation was given (everything selected but the skips). */
  ran: number;
  skipLimit?: Summary['skipLimit'];
  notes?: string[];
  bySuite: Summary['bySuite'];
  failed: boolean;
  /** Every vector of the run, in suite order. */
  results: ResultRecord[];
}

export function reportDocument(hello: HelloMessage, records: ResultRecord[], summary: Summary, info: RunInfo): ReportDocument {
  return {
    format: REPORT_FORMAT,
    formatVersion: REPORT_FORMAT_VERSION,
    implementation: { name: hello.name, version: hello.version, capabilities: hello.capabilities },
    run: info,
    total: summary.total,
    ran: summary.ran,
    ...(summary.skipLimit ? { skipLimit: summary.skipLimit } : {}),
    ...(summary.notes ? { notes: summary.notes } : {}),
    bySuite: summary.bySuite,
    failed: summary.failed,
    results: records,
  };
}

/** One result a line: a 22k-vector report stays readable in an editor and diffs line by line. */
export function serializeReport(doc: ReportDocument): string {
  const { results, ...head } = doc;
  const top = JSON.stringify(head, null, 1).replace(/\n}$/, '');
  return `${top},\n "results": [\n${results.map((r) => '  ' + JSON.stringify(r)).join(',\n')}\n ]\n}\n`;
}

export class ReportError extends Error {}

/** A report read back, checked against its schema; a bad one is one line naming the file and field. */
export function readReport(file: string): ReportDocument {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); }
  catch (e) { throw new ReportError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  let doc: unknown;
  try { doc = JSON.parse(text); }
  catch (e) { throw new ReportError(`${file}: not JSON: ${(e as Error).message}`); }
  if (doc && typeof doc === 'object' && (doc as { format?: unknown }).format !== REPORT_FORMAT) {
    throw new ReportError(`${file}: not a devirt JSON report (write one with devirt run --reporter json --out FILE)`);
  }
  const bad = check('report', doc);
  if (bad) throw new ReportError(`${file}: ${bad}`);
  return doc as ReportDocument;
}

/** The summary of a report's results, recounted (a report's own counts are not trusted blindly). */
export function summaryOf(doc: ReportDocument): Summary {
  return summarize(doc.results, undefined, doc.run.interrupted);
}
