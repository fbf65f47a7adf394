// A mutant of the reference: a temporary copy of the compiled tree with one bug written in,
// runnable as an external implementation through the example adapter.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Mutant } from './mutants';

const ROOT = path.resolve(__dirname, '../../..');
const DIST = path.join(ROOT, 'dist');

export interface BuiltMutant { dir: string; command: string; remove(): void }

export function buildMutant(m: Mutant): BuiltMutant {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `devirt-mutant-${m.name}-`));
  // The adapter needs the compiled tree, the schemas it validates requests with and package.json.
  for (const sub of ['reference', 'harness', 'conformance', 'vectors']) fs.cpSync(path.join(DIST, sub), path.join(dir, 'dist', sub), { recursive: true });
  fs.cpSync(path.join(ROOT, 'vectors/schema'), path.join(dir, 'vectors/schema'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const texts = new Map<string, string>();
  for (const e of m.edits) {
    const rel = e.file ?? m.file;
    const file = path.join(dir, 'dist', rel);
    const text = texts.get(file) ?? fs.readFileSync(file, 'utf8');
    const global = new RegExp(e.find.source, e.find.flags.includes('g') ? e.find.flags : e.find.flags + 'g');
    const hits = text.match(global)?.length ?? 0;
    if (hits !== 1) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`mutant ${m.name}: pattern ${e.find} matches ${hits} times in dist/${rel} (expected once): update harness/mutation/mutants.ts`);
    }
    texts.set(file, text.replace(e.find, e.replace));
  }
  for (const [file, text] of texts) fs.writeFileSync(file, text);
  return {
    dir,
    command: `node ${JSON.stringify(path.join(dir, 'dist/harness/adapters/reference-external.js'))}`,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
