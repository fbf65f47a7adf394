// `devirt vectors crosscheck --oracle qemu` is an ordinary run with the QEMU adapter
// (cli/vectors.ts); this is its account of the divergences, written after the run's summary. A
// divergence is either fixed or documented: the vector carries `qemu-divergence:KEY` and
// conformance/qemu-divergences.md explains KEY with the specification text that decides it.
// Anything else that differs is unexplained and fails the run (a `fail`), as does a tagged
// vector on which QEMU agrees (an `xpass`: the tag is broader than the divergence).

import type { Item } from '../load';
import type { RunOutcome } from '../run-suite';
import { divergenceKey, DIVERGENCES_DOC, documentedDivergences } from './divergences';

const FAILING = new Set(['fail', 'error', 'crash', 'timeout']);

export interface DivergenceCount {
  ran: number;
  agree: number;
  /** Documented divergences seen, by KEY. */
  documented: Map<string, number>;
  /** Tagged vectors on which QEMU agrees, by KEY. */
  taggedButAgree: Map<string, number>;
  /** Differences no documented KEY explains (ids), and among them those whose tag's KEY the document lacks. */
  unexplained: string[];
  undocumentedKeys: Map<string, number>;
  notRun: Map<string, number>;
}

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

export function countDivergences(outcome: RunOutcome, items: Item[]): DivergenceCount {
  const tags = new Map<string, string[]>();
  for (const it of items) if (it.vector) tags.set(it.vector.id, it.vector.tags);
  const c: DivergenceCount = { ran: 0, agree: 0, documented: new Map(), taggedButAgree: new Map(), unexplained: [], undocumentedKeys: new Map(), notRun: new Map() };
  const known = documentedDivergences();
  for (const r of outcome.records) {
    if (r.kind === 'skip') { bump(c.notRun, r.reason ?? '(no reason)'); continue; }
    c.ran++;
    const key = divergenceKey(tags.get(r.id) ?? []);
    if (r.kind === 'pass') c.agree++;
    else if (r.kind === 'xfail') bump(c.documented, key ?? '(expect-fail list)');
    else if (r.kind === 'xpass') bump(c.taggedButAgree, key ?? '(expect-fail list)');
    else if (FAILING.has(r.kind)) {
      c.unexplained.push(r.id);
      if (key !== undefined && !known.has(key)) bump(c.undocumentedKeys, key);
    }
  }
  return c;
}

/** The account, as lines for stderr. */
export function divergenceAccount(outcome: RunOutcome, items: Item[]): string {
  const c = countDivergences(outcome, items);
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const lines = [`crosscheck: QEMU ran ${c.ran} vectors: ${c.agree} agree, ${sum(c.documented)} documented divergences, ${c.unexplained.length} unexplained differences, ${sum(c.taggedButAgree)} tagged but agreeing`];
  for (const [k, n] of [...c.documented].sort()) lines.push(`  documented ${k}: ${n} (${DIVERGENCES_DOC})`);
  for (const [k, n] of [...c.taggedButAgree].sort()) lines.push(`  TAG TOO BROAD ${k}: ${n} tagged vectors agree with QEMU (a tag belongs on exactly the vectors that diverge)`);
  for (const [k, n] of [...c.undocumentedKeys].sort()) lines.push(`  UNDOCUMENTED ${k}: ${n} vectors tagged with a KEY ${DIVERGENCES_DOC} does not explain`);
  for (const [reason, n] of [...c.notRun].sort((a, b) => b[1] - a[1])) lines.push(`  not run on QEMU: ${n}: ${reason}`);
  return lines.join('\n') + '\n';
}
