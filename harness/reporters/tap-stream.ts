// TAP written while the run goes on: the plan first, then each test point as soon as every
// vector before it has its result (so the stream's order is the suite order, whatever the
// scheduling), then the closing lines. A reader that goes away (`devirt run | head -1`) is
// noticed at the next write instead of after the whole run.

import type { HelloMessage, ResultRecord } from '../../vectors/schema/types';
import type { RunInfo } from '../run-info';
import { notRun, Summary } from '../summary';
import { tapFooter, tapHeader, tapLine } from './tap';

export class TapStream {
  private readonly pending = new Map<number, ResultRecord>();
  private next = 0;

  constructor(hello: HelloMessage, private readonly planned: number, private readonly write: (text: string) => void) {
    write(tapHeader(hello, planned).join('\n') + '\n');
  }

  /** A final record for place `at` of the selection. */
  push(at: number, r: ResultRecord): void {
    this.pending.set(at, r);
    let out = '';
    while (this.pending.has(this.next)) {
      const rec = this.pending.get(this.next)!;
      this.pending.delete(this.next);
      this.next++;
      out += tapLine(rec, this.next) + '\n';
    }
    if (out) this.write(out);
  }

  finish(records: ResultRecord[], summary: Summary, info: RunInfo): void {
    // Whatever did not stream yet (nothing, unless the run was interrupted) follows in order;
    // vectors an interrupted run never started are left out, and the footer bails out.
    for (let at = this.next; at < records.length; at++) if (!notRun(records[at])) this.push(at, records[at]);
    this.write(tapFooter(summary, info, records.filter(notRun).length).join('\n') + '\n');
  }
}
