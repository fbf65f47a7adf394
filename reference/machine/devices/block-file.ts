// A raw disk image file as a BlockBackend. Every write goes to the file at once (no cache in
// the process), so nothing the guest wrote is lost however the run ends; flush and close also
// fsync. A file that cannot be opened for writing is offered read-only (VIRTIO_BLK_F_RO).

import * as fs from 'fs';
import type { BlockBackend } from './virtio-blk';

export class FileBlockBackend implements BlockBackend {
  readonly size: number;
  readonly readOnly: boolean;
  private fd: number | null;

  constructor(readonly path: string) {
    let fd: number, ro = false;
    try { fd = fs.openSync(path, 'r+'); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw e;
      fd = fs.openSync(path, 'r');
      ro = true;
    }
    const st = fs.fstatSync(fd);
    if (!st.isFile()) { fs.closeSync(fd); throw new Error(`${path} is not a regular file`); }
    this.fd = fd;
    this.size = st.size;
    this.readOnly = ro;
  }

  private handle(): number {
    if (this.fd === null) throw new Error(`${this.path}: disk already closed`);
    return this.fd;
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.handle(), out, done, length - done, offset + done);
      if (n === 0) break; // past the end of a file whose size is not a whole number of sectors: zeros
      done += n;
    }
    return out;
  }

  write(offset: number, data: Uint8Array): void {
    let done = 0;
    while (done < data.length) done += fs.writeSync(this.handle(), data, done, data.length - done, offset + done);
  }

  flush(): void { if (!this.readOnly) fs.fsyncSync(this.handle()); }

  close(): void {
    if (this.fd === null) return;
    try { this.flush(); } finally { fs.closeSync(this.fd); this.fd = null; }
  }
}
