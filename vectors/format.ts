// The vector format, in one module that the harness and the generators share: its types (the
// JSON Schemas' TypeScript side, vectors/schema/types.ts), the canonical form, what makes two
// vectors the same test, ids, image naming by content hash, where vectors and images live, and
// the versions a vector's provenance records. It imports nothing from the generators: loading the
// harness (every worker thread does) must not load seventeen generators it never runs.

import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Vector } from './schema/types';

export * from './schema/types';

/** The repository's root (this file is compiled into dist/vectors/). */
export const REPO_ROOT = path.resolve(__dirname, '../..');
export const VECTORS_DIR = path.join(REPO_ROOT, 'vectors');
/** Whole-program images (firmware, kernels) that image vectors name by sha256. */
export const IMAGES_DIR = path.join(VECTORS_DIR, 'images');
/** Folders directly under vectors/ that hold no vector files. */
export const NOT_VECTORS: ReadonlySet<string> = new Set(['schema', 'images', 'generators']);

export const GENERATOR_VERSION = '1';
export const REFERENCE_VERSION: string = require('../../package.json').version;

/** Canonical JSON: keys sorted, undefined members dropped, no whitespace; ids hash it, files store it. */
export function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  const o = v as Record<string, unknown>;
  return '{' + Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => JSON.stringify(k) + ':' + canonical(o[k])).join(',') + '}';
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * "The same test", the one definition: two vectors are the same test when their inputs and
 * observed regions are equal, whatever their titles. Generators drop repeats by this key, ids
 * hash it, and the loader reports a repeated id as a duplicate (or a conflict) by it.
 */
export function testKey(inputs: unknown, observe?: unknown): string {
  return canonical({ inputs, observe });
}

/** A vector's id: its suite and the first 64 bits of the sha256 of its test key. */
export function vectorId(suite: string, inputs: unknown, observe?: unknown): string {
  return `${suite}-${sha256(testKey(inputs, observe)).slice(0, 16)}`;
}

/** An image's name in a vector: the sha256 of its bytes, in hex. */
export function imageHash(bytes: Uint8Array): string { return sha256(bytes); }

/** The name of an image file of the repository (a path relative to its root). */
export function imageHashOfFile(repoPath: string): string { return imageHash(fs.readFileSync(path.resolve(REPO_ROOT, repoPath))); }

/** Where an images directory keeps the image named `hash`. */
export function imagePath(imagesDir: string, hash: string): string { return path.join(imagesDir, `${hash}.elf`); }

/** Put `bytes` into `imagesDir` under their name (unless there already); returns the name. */
export function storeImage(bytes: Uint8Array, imagesDir: string): string {
  const hash = imageHash(bytes);
  const file = imagePath(imagesDir, hash);
  if (!fs.existsSync(file)) { fs.mkdirSync(imagesDir, { recursive: true }); fs.writeFileSync(file, bytes); }
  return hash;
}

/** Every vector file (*.json) under `dir`, in a fixed order (by name, depth first). */
export function listVectorFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { if (d !== dir || !NOT_VECTORS.has(e.name)) walk(p); }
      else if (e.name.endsWith('.json')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** A vector file's text back into whole vectors (its defaults applied), without validation (harness/load.ts validates). */
export function readGroupFile(text: string): Vector[] {
  const doc = JSON.parse(text) as { defaults?: Record<string, unknown>; vectors: Record<string, unknown>[] };
  return doc.vectors.map((v) => ({ ...(doc.defaults ?? {}), ...v }) as unknown as Vector);
}
