// One run of the suites against one implementation: load and validate, select, skip what the
// implementation cannot run, execute on all cores, apply the expected-failure list, and (with
// --trace-diff) explain each failing state vector.

import type { HelloMessage, ResultRecord, StateVector, Vector } from '../vectors/schema/types';
import { createImplementation, ImplSpec, implementationCannotRun } from './adapters/create';
import { ExternalImplementation } from './adapters/external';
import { QemuImplementation } from './adapters/qemu';
import { REFERENCE_HELLO } from './adapters/reference';
import { excludedChoices } from '../conformance/choices';
import { missingCapability } from './capabilities';
import { divergenceKey, DIVERGENCES_DOC, documentedDivergences } from './oracle/divergences';
import { execute } from './execute';
import { applyExpectation, ExpectedFailure } from './expect-fail';
import { Item, Selection, select } from './load';
import { SkipLimit, summarize, Summary } from './summary';
import { traceDiff } from './trace-diff';

export interface RunConfig {
  items: Item[];
  selection: Selection;
  spec: ImplSpec;
  jobs: number;
  expectFail?: Map<string, ExpectedFailure>;
  /** Directory for shrunk vectors; trace-diff is off when undefined. */
  traceDiffDir?: string;
  /** At most this many failures are traced (each one reruns the vector step by step; default 20). */
  traceDiffLimit?: number;
  /** --max-skips: the run fails when more vectors than this are skipped. */
  maxSkips?: SkipLimit;
  onProgress?: (done: number, total: number) => void;
  /** Where image vectors find their images (default vectors/images). */
  imagesDir?: string;
  /** Why the run was stopped early (e.g. 'SIGINT'), or null: vectors not yet started are then not run. */
  interrupted?: () => string | null;
}

export interface RunOutcome { hello: HelloMessage; records: ResultRecord[]; summary: Summary }

export class ImplementationStartError extends Error {}

/** --trace-diff reruns each failure step by step: by default only this many are traced. */
export const DEFAULT_TRACE_DIFF_LIMIT = 20;

/** The implementation's handshake, before any vector runs (a broken command is a usage error). */
export async function handshake(spec: ImplSpec): Promise<HelloMessage> {
  if (spec.kind === 'reference') return REFERENCE_HELLO;
  if (spec.kind === 'qemu') return new QemuImplementation(spec.timeoutMs).hello;
  try {
    const impl = await ExternalImplementation.start(spec.command, { timeoutMs: spec.timeoutMs, cwd: spec.cwd });
    await impl.close();
    return impl.hello;
  } catch (e) {
    throw new ImplementationStartError(`--impl-cmd: ${(e as Error).message}`);
  }
}

/**
 * QEMU's known divergences (a vector's `qemu-divergence:KEY` tag, KEY explained in
 * conformance/qemu-divergences.md) are expected failures on QEMU; a KEY the document does not
 * explain explains nothing, so such a difference fails.
 */
function documentedDivergence(v: Vector, spec: ImplSpec): ExpectedFailure | undefined {
  if (spec.kind !== 'qemu') return undefined;
  const key = divergenceKey(v.tags);
  if (key === undefined || !documentedDivergences().has(key)) return undefined;
  return { reason: `documented QEMU divergence ${key} (${DIVERGENCES_DOC})`, where: 'vector tags' };
}

/**
 * The vector without the alternatives that follow a choice the implementation's capabilities rule
 * out: one that declared zicclsm is held to performing misaligned accesses.
 */
function withoutRuledOut(v: Vector, ruledOut: ReadonlySet<string>): Vector {
  if (!ruledOut.size || v.inputs.kind !== 'state') return v;
  const sv = v as StateVector;
  const alternatives = sv.expected.alternatives;
  if (!alternatives?.some((a) => a.choices.some((c) => ruledOut.has(c)))) return v;
  return { ...sv, expected: { ...sv.expected, alternatives: alternatives.filter((a) => !a.choices.some((c) => ruledOut.has(c))) } };
}

export async function runSuite(cfg: RunConfig): Promise<RunOutcome> {
  const hello = await handshake(cfg.spec);
  const caps = new Set(hello.capabilities);
  const ruledOut = excludedChoices(caps);
  const chosen = select(cfg.items, cfg.selection);
  const records: ResultRecord[] = new Array(chosen.length);
  const toRun: { at: number; vector: Vector }[] = [];
  chosen.forEach((it, at) => {
    if (it.problem) {
      const p = it.problem;
      records[at] = { id: p.id, suite: p.suite, title: p.title, file: p.file, kind: 'error', reason: `${p.file}: ${p.id}: ${p.message}` };
      return;
    }
    const v = it.vector;
    const base = { id: v.id, suite: v.suite, title: v.title, file: it.file };
    if (it.duplicateOf) { records[at] = { ...base, kind: 'skip', reason: `duplicate: the same test as ${v.id} in ${it.duplicateOf}` }; return; }
    const missing = missingCapability(v, caps) ?? implementationCannotRun(cfg.spec, v);
    if (missing) { records[at] = { ...base, kind: 'skip', reason: missing }; return; }
    toRun.push({ at, vector: withoutRuledOut(v, ruledOut) });
  });

  const interrupted = cfg.interrupted ?? (() => null);
  const verdicts = await execute(toRun.map((t) => t.vector), cfg.spec, cfg.jobs, (done) => cfg.onProgress?.(done, toRun.length), cfg.imagesDir, () => interrupted() !== null);
  toRun.forEach(({ at, vector: v }, k) => {
    const verdict = verdicts[k] ?? { kind: 'skip' as const, reason: `not run: the run was interrupted (${interrupted()})` };
    const rec: ResultRecord = { id: v.id, suite: v.suite, title: v.title, file: chosen[at].file, ...verdict };
    records[at] = applyExpectation(rec, cfg.expectFail?.get(v.id) ?? documentedDivergence(v, cfg.spec));
  });

  const notes: string[] = [];
  if (cfg.traceDiffDir !== undefined && interrupted() === null) {
    const note = await traceFailures(cfg, toRun, records);
    if (note) notes.push(note);
  }
  const summary = summarize(records, cfg.maxSkips);
  if (notes.length) summary.notes = notes;
  return { hello, records, summary };
}

/** Trace the failing state vectors, at most cfg.traceDiffLimit of them; says so when the limit cut the list. */
async function traceFailures(cfg: RunConfig, toRun: { at: number; vector: Vector }[], records: ResultRecord[]): Promise<string | null> {
  const failing = toRun.filter(({ at, vector }) => records[at].kind === 'fail' && vector.inputs.kind === 'state');
  if (!failing.length) return null;
  const limit = cfg.traceDiffLimit ?? DEFAULT_TRACE_DIFF_LIMIT;
  const impl = await createImplementation(cfg.spec);
  try {
    for (const [n, { at, vector }] of failing.entries()) {
      if (n >= limit) {
        const note = `trace-diff: not traced (the limit of ${limit} traced failures was reached; --trace-diff-limit raises it)`;
        records[at] = { ...records[at], reason: records[at].reason ? `${records[at].reason}; ${note}` : note };
        continue;
      }
      const r = await traceDiff(vector as StateVector, impl, cfg.traceDiffDir!);
      records[at] = { ...records[at], ...(r.trace ? { trace: r.trace } : {}), ...(r.note ? { reason: r.note } : {}) };
    }
  } finally {
    await impl.close();
  }
  return failing.length > limit
    ? `--trace-diff traced the first ${limit} of ${failing.length} failing state vectors: the limit was reached (--trace-diff-limit N traces more)`
    : null;
}
