// Shared by the harness tests: the repository's paths, the committed suite loaded once per test
// file, small deterministic samples of it, and the command line run as a user runs it.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Item, loadFileText, loadSuites } from '../../harness/load';
import { VECTORS_DIR } from '../../vectors/format';

export const ROOT = path.resolve(__dirname, '../../..');
export const DIST = path.join(ROOT, 'dist');

let cached: Item[] | null = null;
export function suiteItems(): Item[] { return (cached ??= loadSuites(VECTORS_DIR)); }

/** Every `stride`-th runnable vector of the committed suite (deterministic). */
export function sample(stride: number, offset = 0): Item[] {
  return suiteItems().filter((it) => it.vector && !it.duplicateOf).filter((_, i) => i % stride === offset);
}

export function fixtureItems(name: string): Item[] {
  return loadFileText(`fixture/${name}`, fs.readFileSync(path.join(ROOT, 'test/harness/fixtures', name), 'utf8'));
}

/** The command that starts a compiled external implementation (a control or the example adapter). */
export function nodeCmd(rel: string): string { return `node ${JSON.stringify(path.join(DIST, rel))}`; }

export function devirt(args: string[], opts: { input?: string; cwd?: string } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/devirt.js'), ...args], { encoding: 'utf8', cwd: opts.cwd ?? ROOT, input: opts.input, maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CSR table of PROTOCOL.md 4.2: name -> value, with `a3`..`a31` ranges expanded. */
export function documentedStartCsrs(): Map<string, bigint> {
  const doc = fs.readFileSync(path.join(ROOT, 'conformance/PROTOCOL.md'), 'utf8');
  const table = /<!-- start-state-csrs[^>]*-->([\s\S]*?)<!-- \/start-state-csrs -->/.exec(doc)![1];
  const out = new Map<string, bigint>();
  for (const row of table.split('\n').filter((l) => l.startsWith('| `'))) {
    const [, names, value] = row.split('|');
    const v = BigInt(/`(0x[0-9a-f]+)`/.exec(value)![1]);
    for (const m of names.matchAll(/`([a-z]+?)(\d+)`\.\.`\1(\d+)`|`([a-z0-9]+)`/g)) {
      if (m[4]) out.set(m[4], v);
      else for (let i = Number(m[2]); i <= Number(m[3]); i++) out.set(m[1] + i, v);
    }
  }
  return out;
}
