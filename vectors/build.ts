// Regeneration of the vector suites: generators produce drafts, the reference computes each
// expectation, and the vectors are written as compact, canonical JSON, one file per group.
// The output is a pure function of the generator code and seeds: `regen` twice gives the same
// bytes, and `verify` checks exactly that against the committed files.

import * as fs from 'fs';
import * as path from 'path';
import { runImage } from '../reference/run-image';
import {
  canonical, GENERATOR_VERSION, IMAGES_DIR, imageHash, imageHashOfFile, imagePath, NOT_VECTORS, REFERENCE_VERSION, REPO_ROOT, VECTORS_DIR, vectorId,
} from './format';
import type { ImageExpected, ImageInputs, ImageVector, ServiceVector, StateVector } from './format';
import { completeVector } from './expectation';
import { compressedIsa, directedIsa, randomIsa, VectorDraft } from './generators/isa';
import { imageGroups } from './generators/image-groups';
import { PRIV_FAMILIES, privDrafts } from './generators/priv';
import { maintenanceGroups } from './generators/maintenance';
import { overheadServiceGroups } from './generators/overhead-service';

export interface Group { suite: string; file: string; generator: string; drafts: () => Iterable<VectorDraft>; kind?: 'state' }

/**
 * A draft of an image vector: whole programs booted as on QEMU virt; expected = the run without its
 * schedule, unless the draft states its expectation itself (the isolation suite derives it from the
 * specification: `expectedFrom`).
 */
export interface ImageDraft { title: string; tags: string[]; spec: string; seed?: string; inputs: ImageInputs; expected?: unknown; expectedFrom?: 'spec' | 'reference' }
/** A group of image vectors, with the files (repository paths) its images come from. */
export interface ImageGroup { kind: 'image'; suite: string; file: string; generator: string; images: string[]; drafts: () => Iterable<ImageDraft> }
/** A group of maintenance scenarios: whole vectors (their expectations come from the scenario's specification, not from a run). */
export interface ServiceGroup { kind: 'service'; suite: string; file: string; generator: string; images: string[]; vectors: () => ServiceVector[] }
type AnyGroup = Group | ImageGroup | ServiceGroup;
const hasImages = (g: AnyGroup): g is ImageGroup | ServiceGroup => g.kind === 'image' || g.kind === 'service';

const nativeRuns = new Map<string, ImageExpected>();
export function completeImageVector(suite: string, generator: string, d: ImageDraft, imagesDir = IMAGES_DIR): ImageVector {
  if (d.expected !== undefined) {
    return {
      id: vectorId(suite, d.inputs), suite, title: d.title, tags: d.tags, spec: d.spec,
      provenance: { generator, generatorVersion: GENERATOR_VERSION, seed: d.seed, referenceVersion: REFERENCE_VERSION, expected: d.expectedFrom ?? 'spec' },
      inputs: d.inputs, expected: d.expected as ImageExpected,
    };
  }
  const native = { ...d.inputs, schedule: [] };
  const key = canonical(native);
  let expected = nativeRuns.get(key);
  if (!expected) {
    const obs = runImage(native, imagesDir);
    expected = { console: obs.console, exit: obs.exit };
    nativeRuns.set(key, expected);
  }
  return {
    id: vectorId(suite, d.inputs), suite, title: d.title, tags: d.tags, spec: d.spec,
    provenance: { generator, generatorVersion: GENERATOR_VERSION, seed: d.seed, referenceVersion: REFERENCE_VERSION, expected: 'reference' },
    inputs: d.inputs, expected,
  };
}

/** Copy a group's images into vectors/images under their sha256; returns whether all were already there. */
export function stageImages(paths: string[], imagesDir = IMAGES_DIR, write = true): boolean {
  let present = true;
  for (const p of paths) {
    const bytes = fs.readFileSync(path.resolve(REPO_ROOT, p));
    const file = imagePath(imagesDir, imageHash(bytes));
    if (fs.existsSync(file)) continue;
    present = false;
    if (write) { fs.mkdirSync(imagesDir, { recursive: true }); fs.writeFileSync(file, bytes); }
  }
  return present;
}

function* chunked<T>(items: Iterable<T>, key: (t: T) => string): Generator<[string, T[]]> {
  const groups = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    let g = groups.get(k);
    if (!g) { g = []; groups.set(k, g); }
    g.push(it);
  }
  yield* groups;
}

/** Every group of every suite, in a fixed order. */
export function allGroups(): Group[] {
  const groups: Group[] = [];
  for (const [name, drafts] of chunked(directedIsa(), (d) => d.title.split(':')[0].replace(/[^a-z0-9.]/g, '_'))) {
    groups.push({ suite: 'isa', file: `isa/${name}.json`, generator: 'isa/directed', drafts: () => drafts });
  }
  for (const [name, drafts] of chunked(compressedIsa(), (d) => d.title.split(':')[0].replace(/[^a-z0-9.]/g, '_'))) {
    groups.push({ suite: 'isa', file: `isa/rvc/${name}.json`, generator: 'isa/compressed', drafts: () => drafts });
  }
  const streams = [...randomIsa(1000)];
  for (let i = 0; i < streams.length; i += 100) {
    const part = streams.slice(i, i + 100);
    groups.push({ suite: 'isa', file: `isa/random/seeds-${String(i + 1).padStart(4, '0')}.json`, generator: 'isa/random', drafts: () => part });
  }
  for (const [family] of PRIV_FAMILIES) {
    groups.push({ suite: 'priv', file: `priv/${family}.json`, generator: `priv/${family}`, drafts: () => privDrafts(family) });
  }
  return groups;
}

/** Every group, state, image and service, in a fixed order. */
export function everyGroup(): AnyGroup[] {
  return [...allGroups(), ...imageGroups(), ...overheadServiceGroups(), ...maintenanceGroups()];
}

/** Fields every vector of a file shares are stated once, in the file's `defaults`. */
const LIFTED = ['suite', 'spec', 'tags', 'provenance'] as const;

export function renderGroup(g: AnyGroup): string {
  const vectors: (StateVector | ImageVector | ServiceVector)[] = g.kind === 'service' ? g.vectors()
    : g.kind === 'image' ? [...g.drafts()].map((d) => completeImageVector(g.suite, g.generator, d))
    : [...g.drafts()].map((d) => completeVector(g.suite, g.generator, d));
  const defaults: Record<string, unknown> = {};
  // Image vectors of one group usually share their expectation (the native run): state it once.
  const lifted: readonly string[] = hasImages(g) ? [...LIFTED, 'expected'] : LIFTED;
  for (const k of lifted as (typeof LIFTED[number])[]) {
    const first = canonical(vectors[0][k]);
    if (vectors.every((v) => canonical(v[k]) === first)) defaults[k] = vectors[0][k];
  }
  const rows = vectors.map((v) => {
    const row: Record<string, unknown> = { ...v };
    for (const k of Object.keys(defaults)) delete row[k];
    return compactHex(canonical(row));
  });
  // One vector per line: compact, and regeneration diffs stay reviewable line by line.
  return `{"defaults":${compactHex(canonical(defaults))},"vectors":[\n` + rows.join(',\n') + '\n]}\n';
}

/** Drop leading zeros of hex numbers ("0x0000000000000003" -> "0x3"); values are compared as numbers. */
function compactHex(json: string): string {
  return json.replace(/"0x0*([0-9a-f]+)"/g, '"0x$1"');
}

/**
 * Rewrite the vector files from the generators: all of them, or only those of `suites` (the
 * clean-up of files and images no generator produces any more needs every suite, so it is skipped then).
 */
export function regen(dir = VECTORS_DIR, suites?: string[]): { files: number; vectors: number } {
  let files = 0, vectors = 0;
  const all = everyGroup();
  const groups = suites ? all.filter((g) => suites.includes(g.suite)) : all;
  if (!suites) cleanUp(all, dir);
  for (const g of groups) {
    if (hasImages(g)) stageImages(g.images);
    const text = renderGroup(g);
    const file = path.join(dir, g.file);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    files++;
    vectors += text.split('\n').length - 3;
  }
  return { files, vectors };
}

/** Vector files (relative to `dir`) that no group produces. */
function cleanUp(groups: AnyGroup[], dir: string): void {
  // Images no image group names any more are dropped, so vectors/images holds exactly what is used.
  const used = new Set(groups.flatMap((g) => (hasImages(g) ? g.images : [])).map((p) => imagePath(IMAGES_DIR, imageHashOfFile(p))));
  if (fs.existsSync(IMAGES_DIR)) for (const f of fs.readdirSync(IMAGES_DIR)) if (!used.has(path.join(IMAGES_DIR, f))) fs.rmSync(path.join(IMAGES_DIR, f));
  // So are vector files no group produces any more (a renamed or dropped group).
  for (const f of staleFiles(groups, dir)) fs.rmSync(path.join(dir, f));
}

export function staleFiles(groups: { file: string }[], dir: string): string[] {
  const produced = new Set(groups.map((g) => g.file));
  const found: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) { if (rel || !NOT_VECTORS.has(e.name)) walk(r); }
      else if (rel && e.name.endsWith('.json') && !produced.has(r)) found.push(r);
    }
  };
  if (fs.existsSync(dir)) walk('');
  return found.sort();
}

/** Files whose committed bytes differ from a fresh regeneration, and files no generator makes. */
/**
 * Random streams beyond the committed suite, to fuzz an implementation: `count` streams from seed
 * `firstSeed` (the committed suite holds seeds 1..1000), as one vector file in `dir`
 * (`devirt run --vectors DIR` runs it). Returns the file written.
 */
export function randomVectors(dir: string, firstSeed: number, count: number): string {
  const g: Group = { suite: 'isa', file: `isa/random/seeds-${firstSeed}-${firstSeed + count - 1}.json`, generator: 'isa/random', drafts: () => randomIsa(count, firstSeed) };
  const file = path.join(dir, g.file);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, renderGroup(g));
  return file;
}

export function verify(dir = VECTORS_DIR, suites?: string[]): string[] {
  const all = everyGroup();
  const groups = suites ? all.filter((g) => suites.includes(g.suite)) : all;
  const differing: string[] = suites ? [] : staleFiles(all, dir).map((f) => `${f} (no generator produces it)`);
  for (const g of groups) {
    if (hasImages(g) && !stageImages(g.images, IMAGES_DIR, false)) { differing.push(`${g.file} (images missing)`); continue; }
    const file = path.join(dir, g.file);
    const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (committed !== renderGroup(g)) differing.push(g.file);
  }
  return differing;
}
