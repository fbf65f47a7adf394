// Where `devirt boot -d` writes its trace: stderr, or the -D file; buffered and written in large
// blocks (a write per line was most of the old --trace's cost).

import * as fs from 'fs';
import type { TraceSink } from '../reference/debug/trace-log';
import { CliError } from './exit-codes';

const BLOCK = 1 << 20;

export function fileSink(file: string | null): TraceSink {
  let fd = 2;
  if (file !== null) {
    try { fd = fs.openSync(file, 'w'); } catch (e) { throw new CliError(`-D: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  }
  let parts: string[] = [];
  let size = 0;
  const flush = () => {
    if (!parts.length) return;
    const buf = Buffer.from(parts.join(''), 'latin1');
    parts = []; size = 0;
    let done = 0;
    while (done < buf.length) {
      try { done += fs.writeSync(fd, buf, done, buf.length - done); }
      catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
  };
  return {
    write(text: string) { parts.push(text); size += text.length; if (size >= BLOCK) flush(); },
    flush,
  };
}
