// Run the transparency vectors of kernels that own M-mode on the reference and judge them:
// the guest-visible result (console and exit) must equal the native signature.

import * as fs from 'fs';
import * as path from 'path';
import { imageDifferenceText } from '../../conformance/image-check';
import { runImage } from '../../reference/run-image';
import { IMAGES_DIR, ImageVector, readGroupFile, VECTORS_DIR } from '../format';

export const MKERNEL_DIR = path.join(VECTORS_DIR, 'transparency/mkernel');

export interface MkernelVerdict { id: string; title: string; pass: boolean; problem?: string }

export function loadMkernelVectors(dir = MKERNEL_DIR): ImageVector[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .flatMap((f) => readGroupFile(fs.readFileSync(path.join(dir, f), 'utf8')) as unknown as ImageVector[]);
}

/** Judge one vector; `firmware` replaces the vector's M-mode firmware (negative tests). */
export function runMkernelVector(v: ImageVector, opts: { imagesDir?: string; firmware?: string } = {}): MkernelVerdict {
  const inputs = opts.firmware ? { ...v.inputs, mmodeFirmware: opts.firmware } : v.inputs;
  const problem = imageDifferenceText(v.expected, runImage(inputs, opts.imagesDir ?? IMAGES_DIR)) ?? undefined;
  return { id: v.id, title: v.title, pass: problem === undefined, problem };
}

/**
 * `node mkernel-run.js [--images DIR] [--firmware HASH] [--only-virtualize] [--stop-at-first-failure]`:
 * judge the suite in a plain node process (several times faster than inside a test runner's
 * sandbox) and print {checked, failures: [...]} as JSON.
 */
if (require.main === module) {
  const argv = process.argv.slice(2);
  const opt = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  let vectors = loadMkernelVectors();
  if (argv.includes('--only-virtualize')) {
    vectors = vectors.filter((v) => v.tags.includes('virtualize') && !v.tags.includes('devirtualize'))
      .sort((a, b) => a.inputs.schedule![0].at - b.inputs.schedule![0].at);
  }
  const stop = argv.includes('--stop-at-first-failure');
  const failures: MkernelVerdict[] = [];
  let checked = 0;
  for (const v of vectors) {
    const r = runMkernelVector(v, { imagesDir: opt('--images'), firmware: opt('--firmware') });
    checked++;
    if (!r.pass) { failures.push(r); if (stop) break; }
  }
  process.stdout.write(JSON.stringify({ checked, failures }) + '\n');
}
