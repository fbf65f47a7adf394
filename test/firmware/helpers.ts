// Shared by the firmware tests: the committed image vectors, and where the toolchain is.
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { ImageVector, IMAGES_DIR, readGroupFile, storeImage, VECTORS_DIR } from '../../vectors/format';

export const ROOT = path.resolve(__dirname, '../../..');

export function imageVectors(suiteDir: string): { file: string; vectors: ImageVector[] }[] {
  const dir = path.join(VECTORS_DIR, suiteDir);
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => ({
    file: `${suiteDir}/${f}`,
    vectors: readGroupFile(fs.readFileSync(path.join(dir, f), 'utf8')) as unknown as ImageVector[],
  }));
}

/** Put a file into an images directory under its sha256, as vectors name images. */
export function stageImage(file: string, dir: string): string {
  return storeImage(fs.readFileSync(path.resolve(ROOT, file)), dir);
}

/** A temporary images directory holding the committed images (for runs with extra images). */
export function scratchImagesDir(): string {
  const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'devirt-images-'));
  for (const f of fs.readdirSync(IMAGES_DIR)) fs.copyFileSync(path.join(IMAGES_DIR, f), path.join(dir, f));
  return dir;
}

export function haveTool(cmd: string, args = ['--version']): boolean {
  try { execFileSync(cmd, args, { stdio: 'ignore' }); return true; } catch { return false; }
}
export const HAVE_CROSS = haveTool('riscv64-unknown-elf-gcc') && haveTool('make');
export const HAVE_QEMU = haveTool('qemu-system-riscv64');

/** A copy of an ELF image with the 64-bit word at `symbol` set to `value` (for guests' knobs). */
export function patchElfWord(image: Uint8Array, symbol: string, value: bigint): Uint8Array {
  const { parseElf } = require('../../reference/tools/elf') as typeof import('../../reference/tools/elf');
  const copy = new Uint8Array(image);
  const elf = parseElf(copy, 'image');
  const sym = elf.symbols.find((s) => s.name === symbol);
  if (!sym) throw new Error(`symbol ${symbol} not in image`);
  const seg = elf.segments.find((s) => sym.value >= s.vaddr && sym.value + 8 <= s.vaddr + s.data.length);
  if (!seg) throw new Error(`symbol ${symbol} is not in a loaded part of the file`);
  const off = seg.data.byteOffset - copy.byteOffset + (sym.value - seg.vaddr);
  new DataView(copy.buffer).setBigUint64(off, value, true);
  return copy;
}

/** Run an image on QEMU virt as the issue prescribes; returns the console and QEMU's exit status. */
export function runQemu(bios: string, kernel: string, ramMiB = 16, timeoutMs = 60000, extraArgs: string[] = []): { console: string; status: number | null } {
  const { spawnSync } = require('child_process') as typeof import('child_process');
  const r = spawnSync('qemu-system-riscv64', ['-M', 'virt', '-cpu', 'rv64,f=off,d=off,h=off', '-m', `${ramMiB}M`, '-nographic',
    '-monitor', 'none', '-serial', 'stdio', '-bios', bios, '-kernel', kernel, ...extraArgs], { timeout: timeoutMs, encoding: 'latin1' });
  return { console: r.stdout ?? '', status: r.status };
}
