// The JSON summary: the implementation, counts in total and by suite, and a record for every
// vector that did not pass (result.schema.json); passes are counted, not listed.

import type { HelloMessage, ResultRecord } from '../../vectors/schema/types';
import type { Summary } from '../summary';

export function renderJson(hello: HelloMessage, records: ResultRecord[], summary: Summary): string {
  const doc = {
    implementation: { name: hello.name, version: hello.version, capabilities: hello.capabilities },
    total: summary.total,
    ran: summary.ran,
    ...(summary.skipLimit ? { skipLimit: summary.skipLimit } : {}),
    ...(summary.notes ? { notes: summary.notes } : {}),
    bySuite: summary.bySuite,
    failed: summary.failed,
    results: records.filter((r) => r.kind !== 'pass'),
  };
  return JSON.stringify(doc, null, 1) + '\n';
}
