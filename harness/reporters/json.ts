// The JSON report (harness/report/document.ts): the implementation, the run, counts in total and
// by suite, and a record for every vector (result.schema.json).

import type { HelloMessage, ResultRecord } from '../../vectors/schema/types';
import { reportDocument, serializeReport } from '../report/document';
import type { RunInfo } from '../run-info';
import type { Summary } from '../summary';

export function renderJson(hello: HelloMessage, records: ResultRecord[], summary: Summary, info: RunInfo): string {
  return serializeReport(reportDocument(hello, records, summary, info));
}
