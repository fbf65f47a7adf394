// Loading the vector suites: every file is parsed and every vector validated against the schema
// on load. A broken file or vector becomes a problem naming its file, its id and the JSON pointer
// of the offending field; the others still run.

import * as fs from 'fs';
import * as path from 'path';
import { canonical, listVectorFiles, testKey } from '../vectors/format';
import type { Vector } from '../vectors/format';
import { check } from '../vectors/schema/validate';
import { fileProblem } from './file-error';

export interface Problem { file: string; id: string; suite: string; title: string; message: string }

/**
 * One planned item in suite order: a valid vector, or a problem reported as an error result.
 * `duplicateOf` marks a vector that repeats the test of an earlier one with its id: it is reported as a skip
 * rather than run twice (ids derive from content, so a generator emitted the same test twice).
 */
export type Item = { file: string; vector: Vector; problem?: undefined; duplicateOf?: string } | { file: string; problem: Problem; vector?: undefined; duplicateOf?: undefined };

/** A parser's message quotes the file: keep a binary file's bytes from breaking the one-line report. */
const printable = (s: string): string => s.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function suiteOfFile(file: string): string { return file.split('/')[0]; }

/** Parse one file's text into items (defaults merged into each vector, each validated). */
export function loadFileText(file: string, text: string): Item[] {
  let doc: unknown;
  try { doc = JSON.parse(text); }
  catch (e) {
    const problem = { file, id: `(file ${file})`, suite: suiteOfFile(file), title: 'vector file', message: `not JSON: ${printable((e as Error).message)}` };
    return [{ file, problem }];
  }
  const bad = check('vector-file', doc);
  if (bad) return [{ file, problem: { file, id: `(file ${file})`, suite: suiteOfFile(file), title: 'vector file', message: bad } }];
  const { defaults = {}, vectors } = doc as { defaults?: Record<string, unknown>; vectors: Record<string, unknown>[] };
  return vectors.map((row, index): Item => {
    const v = { ...defaults, ...row };
    const err = check('vector', v);
    if (!err) return { file, vector: v as unknown as Vector };
    // An invalid vector's own fields may be anything: shown escaped, they keep every report well formed.
    const id = typeof v.id === 'string' ? printable(v.id) : `(vector ${index} of ${file})`;
    const suite = typeof v.suite === 'string' ? printable(v.suite) : suiteOfFile(file);
    const title = typeof v.title === 'string' ? printable(v.title) : '(untitled)';
    return { file, problem: { file, id, suite, title, message: err } };
  });
}

/**
 * Every vector file under `dir` in a fixed order. A second vector with an id already seen is a
 * duplicate when it is the same test (vectors/format.ts testKey: same inputs and observed regions,
 * whatever its title) with the same expectation; it is a problem when its expectation differs or
 * when it is another test under that id (an id names one test).
 */
export function loadSuites(dir: string): Item[] {
  const items: Item[] = [];
  for (const abs of listVectorFiles(dir)) {
    const file = path.relative(dir, abs).split(path.sep).join('/');
    let text: string;
    try { text = fs.readFileSync(abs, 'utf8'); }
    catch (e) {
      const message = `cannot read: ${fileProblem(e)}`;
      items.push({ file, problem: { file, id: `(file ${file})`, suite: suiteOfFile(file), title: 'vector file', message } });
      continue;
    }
    items.push(...loadFileText(file, text));
  }
  const seen = new Map<string, { file: string; test: string; expected: string }>();
  return items.map((it): Item => {
    if (!it.vector) return it;
    const v = it.vector;
    const test = testKey(v.inputs, v.observe), expected = canonical(v.expected);
    const first = seen.get(v.id);
    if (first === undefined) { seen.set(v.id, { file: it.file, test, expected }); return it; }
    const problem = (message: string): Item => ({ file: it.file, problem: { file: it.file, id: v.id, suite: v.suite, title: v.title, message } });
    if (first.test !== test) return problem(`/id: the id of a different test (other inputs or observed regions) in ${first.file}`);
    if (first.expected === expected) return { file: it.file, vector: v, duplicateOf: first.file };
    return problem(`/id: the id of a vector with a different expectation in ${first.file}`);
  });
}

export function itemId(it: Item): string { return it.vector ? it.vector.id : it.problem.id; }
export function itemSuite(it: Item): string { return it.vector ? it.vector.suite : it.problem.suite; }
export function itemTitle(it: Item): string { return it.vector ? it.vector.title : it.problem.title; }

/** FNV-1a of the id: a vector keeps its shard when others are added or removed. */
function shardHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) { h ^= id.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h;
}

/**
 * One --filter: `tag:NAME` selects the vectors with that tag; a pattern with `*` or `?` is a glob
 * matched against the whole id, title or file; anything else is a substring of them.
 */
export function filterMatches(it: Item, f: string): boolean {
  if (f.startsWith('tag:')) return it.vector?.tags.includes(f.slice(4)) ?? false;
  if (/[*?]/.test(f)) {
    const re = new RegExp('^' + f.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
    return re.test(itemId(it)) || re.test(itemTitle(it)) || re.test(it.file);
  }
  return itemId(it).includes(f) || itemTitle(it).includes(f) || it.file.includes(f);
}

/** `filter`: several filters combine as alternatives: a vector matching any one of them is selected. */
export interface Selection { suite?: string[]; filter?: string[]; shard?: { index: number; count: number } }

/** Items of the selection, in suite order. Shard i of n (1-based) holds the ids that hash to i-1. */
export function select(items: Item[], s: Selection): Item[] {
  return items.filter((it) => {
    if (s.suite && !s.suite.includes(itemSuite(it))) return false;
    if (s.filter?.length && !s.filter.some((f) => filterMatches(it, f))) return false;
    if (s.shard && shardHash(itemId(it)) % s.shard.count !== s.shard.index - 1) return false;
    return true;
  });
}
