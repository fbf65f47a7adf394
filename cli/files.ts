// Output files of the command line: written whole or not at all.

import * as fs from 'fs';
import * as path from 'path';
import { fileProblem } from '../harness/file-error';
import { CliError } from './exit-codes';

/** Fail before the work starts when `file` cannot be an output file (missing folder, a directory). */
export function checkOutputPath(file: string, flag: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new CliError(`${flag}: no directory ${dir} for ${file}`);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new CliError(`${flag}: ${file} is a directory`);
}

/**
 * Write `text` to `file` through a temporary file in the same folder and a rename, so that a
 * crash or a signal half way leaves either the old file or the new one, never a truncated one.
 */
export function writeFileAtomic(file: string, text: string | Uint8Array, flag: string): void {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w');
    try { fs.writeFileSync(fd, text); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
    fs.renameSync(tmp, file);
  } catch (e) {
    try { fs.unlinkSync(tmp); } catch { /* never created */ }
    throw new CliError(`${flag}: cannot write ${file}: ${fileProblem(e)}`);
  }
}

/**
 * Write all of `buf`, waiting while a slow reader keeps the pipe full (stdout may be non-blocking:
 * then a write can be partial or fail with EAGAIN, which is not an error of the run).
 */
export function writeAllSync(fd: number, buf: Buffer): void {
  let done = 0;
  while (done < buf.length) {
    try { done += fs.writeSync(fd, buf, done, buf.length - done); }
    catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}
