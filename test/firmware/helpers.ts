// Shared by the firmware tests: the committed image vectors, and where the toolchain is.
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { ImageVector, IMAGES_DIR, readGroupFile, VECTORS_DIR } from '../../vectors/build';

export const ROOT = path.resolve(__dirname, '../../..');

export function imageVectors(suiteDir: string): { file: string; vectors: ImageVector[] }[] {
  const dir = path.join(VECTORS_DIR, suiteDir);
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => ({
    file: `${suiteDir}/${f}`,
    vectors: readGroupFile(fs.readFileSync(path.join(dir, f), 'utf8')) as unknown as ImageVector[],
  }));
}

/** Put a file into the images directory under its sha256, as vectors name images. */
export function stageImage(file: string): string {
  const bytes = fs.readFileSync(path.resolve(ROOT, file));
  const hash = createHash('sha256').update(bytes).digest('hex');
  const dest = path.join(IMAGES_DIR, `${hash}.elf`);
  if (!fs.existsSync(dest)) fs.writeFileSync(dest, bytes);
  return hash;
}

export function haveTool(cmd: string, args = ['--version']): boolean {
  try { execFileSync(cmd, args, { stdio: 'ignore' }); return true; } catch { return false; }
}
export const HAVE_CROSS = haveTool('riscv64-unknown-elf-gcc') && haveTool('make');
export const HAVE_QEMU = haveTool('qemu-system-riscv64');
