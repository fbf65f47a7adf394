// Expected-failure lists: one vector id per line, optionally followed by `# reason`; blank lines
// and lines starting with `#` are comments. A listed vector that fails is an expected failure
// (xfail); one that passes is XPASS and counts as a failure, so lists stay current.

import * as fs from 'fs';
import { fileProblem } from './file-error';

export interface ExpectedFailure { reason: string; where: string }

export class ExpectFailError extends Error {}

/** A line of a wrong (even binary) file, shown on one short line. */
function quoted(text: string): string {
  const json = JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text).slice(1, -1);
  return `'${json}'`.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function parseExpectFail(text: string, file: string): Map<string, ExpectedFailure> {
  const out = new Map<string, ExpectedFailure>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const hash = line.indexOf('#');
    const id = (hash >= 0 ? line.slice(0, hash) : line).trim();
    const reason = hash >= 0 ? line.slice(hash + 1).trim() : '';
    if (!/^[a-z][a-z0-9._-]*$/.test(id)) throw new ExpectFailError(`${file}:${i + 1}: ${quoted(id)} is not a vector id`);
    if (out.has(id)) throw new ExpectFailError(`${file}:${i + 1}: ${id} is listed twice (first at ${out.get(id)!.where})`);
    out.set(id, { reason, where: `${file}:${i + 1}` });
  });
  return out;
}

export function readExpectFail(file: string): Map<string, ExpectedFailure> {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); }
  catch (e) { throw new ExpectFailError(`--expect-fail: cannot read ${file}: ${fileProblem(e)}`); }
  return parseExpectFail(text, file);
}

const FAILING = new Set(['fail', 'error', 'crash', 'timeout']);

/** The result kind once the list is applied. */
export function applyExpectation<T extends { kind: string; reason?: string }>(r: T, listed: ExpectedFailure | undefined): T {
  if (!listed) return r;
  if (r.kind === 'pass') return { ...r, kind: 'xpass', reason: `listed as an expected failure (${listed.where}) but passed: remove it from the list` };
  if (FAILING.has(r.kind)) {
    const why = listed.reason ? `expected failure: ${listed.reason}` : `expected failure (${listed.where})`;
    return { ...r, kind: 'xfail', reason: r.reason ? `${why}; ${r.kind}: ${r.reason}` : `${why}; ${r.kind}` };
  }
  return r;
}
