// Where `devirt boot -d` writes its trace: stderr, or the -D file; buffered and written in large
// blocks (a write per line was most of the old --trace's cost).

import * as fs from 'fs';
import { writeAllSync } from './files';
import type { TraceSink } from '../reference/debug/trace-log';
import { CliError } from './exit-codes';
import { fileProblem } from '../harness/file-error';

const BLOCK = 1 << 20;

export function fileSink(file: string | null): TraceSink {
  let fd = 2;
  if (file !== null) {
    try { fd = fs.openSync(file, 'w'); } catch (e) { throw new CliError(`-D: cannot write ${file}: ${fileProblem(e)}`); }
  }
  // Lines are appended to one string (V8 concatenates without copying) and written per block:
  // a write per line was most of the old --trace's cost.
  let pending = '';
  const flush = () => {
    if (!pending.length) return;
    const buf = Buffer.from(pending, 'latin1');
    pending = '';
    writeAllSync(fd, buf);
  };
  return {
    write(text: string) { pending += text; if (pending.length >= BLOCK) flush(); },
    flush,
  };
}
