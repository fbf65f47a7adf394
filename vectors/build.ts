// Regeneration of the vector suites: generators produce drafts, the reference computes each
// expectation, and the vectors are written as compact, canonical JSON, one file per group.
// The output is a pure function of the generator code and seeds: `regen` twice gives the same
// bytes, and `verify` checks exactly that against the committed files.

import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { runStateCollecting } from '../reference/run-state';
import { CHOICE_SETTINGS, ChoiceSwitch, HartChoices, REFERENCE_CHOICES } from '../reference/machine/choices';
import { CHOICES, choiceFor } from '../conformance/choices';
import type { StateAlternative } from '../conformance/state-check';
import { runImage } from '../reference/run-image';
import type { ImageInputs, ImageObservation, StateInputs, StateObservation } from '../reference/state';
import { compressedIsa, directedIsa, randomIsa, VectorDraft } from './generators/isa';
import { imageGroups } from './generators/image-groups';
import { PRIV_FAMILIES, privDrafts } from './generators/priv';

export const GENERATOR_VERSION = '1';
export const REFERENCE_VERSION: string = require('../../package.json').version;
export const VECTORS_DIR = path.resolve(__dirname, '../../vectors');
/** Whole-program images (firmware, kernels) that image vectors name by sha256. */
export const IMAGES_DIR = path.join(VECTORS_DIR, 'images');

export interface ExpectedState {
  /** Registers whose final value differs from the initial one; every other register is unchanged. */
  x: Record<string, string>;
  pc: string;
  exit: StateObservation['exit'];
  memory?: { base: string; bytes: string }[];
  instret: number;
  /** The other outcomes the specification allows (conformance/choices.ts names each choice). */
  alternatives?: StateAlternative[];
}

export interface Vector {
  id: string;
  suite: string;
  title: string;
  tags: string[];
  spec: string;
  provenance: { generator: string; generatorVersion: string; seed?: string; referenceVersion: string; expected: 'reference' | 'reference+qemu' | 'spec' };
  inputs: StateInputs;
  observe?: { base: string; length: number }[];
  expected: ExpectedState;
}

/** Canonical JSON: keys sorted, no whitespace; ids hash it, files store it. */
export function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  const o = v as Record<string, unknown>;
  return '{' + Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => JSON.stringify(k) + ':' + canonical(o[k])).join(',') + '}';
}

export function vectorId(suite: string, inputs: StateInputs, observe?: unknown): string {
  return `${suite}-${createHash('sha256').update(canonical({ inputs, observe })).digest('hex').slice(0, 16)}`;
}

const hex = (n: number) => '0x' + n.toString(16).padStart(16, '0');

/** Registers that differ from the inputs' initial values. */
function changedRegisters(inputs: StateInputs, obs: StateObservation): Record<string, string> {
  const initial = inputs.hart.x ?? {};
  const x: Record<string, string> = {};
  for (let i = 1; i < 32; i++) {
    const k = 'x' + i;
    const before = initial[k] ?? hex(0);
    if (BigInt(obs.x[k]) !== BigInt(before)) x[k] = obs.x[k];
  }
  return x;
}

/** Switches the generators explore; the user counters are a capability (zicntr, zihpm), not an outcome. */
const EXPLORED = (Object.keys(CHOICE_SETTINGS) as ChoiceSwitch[]).filter((s) => s !== 'userCounters');
/** A bound on the settings explored per vector (no vector comes near it today). */
const MAX_SETTINGS = 48;

/**
 * Every other outcome the specification allows, found by running the reference again under each
 * legal setting of each choice point the run reached (and of the points those runs reach), each
 * written as what differs from the reference's own outcome.
 */
export function alternativeOutcomes(d: VectorDraft, primary: ExpectedState, reached: Set<ChoiceSwitch>): StateAlternative[] {
  const frontier: { cfg: Partial<HartChoices>; points: Set<ChoiceSwitch> }[] = [{ cfg: {}, points: reached }];
  const seen = new Set<string>(['{}']);
  const found = new Map<string, StateAlternative>();
  while (frontier.length && seen.size < MAX_SETTINGS) {
    const { cfg, points } = frontier.shift()!;
    for (const sw of EXPLORED) {
      if (!points.has(sw) || sw in cfg) continue;
      for (const value of CHOICE_SETTINGS[sw].slice(1)) {
        const next = { ...cfg, [sw]: value } as Partial<HartChoices>;
        const key = canonical(next);
        if (seen.has(key) || seen.size >= MAX_SETTINGS) continue;
        seen.add(key);
        const r = runStateCollecting(d.inputs, d.observe ?? [], [], { ...REFERENCE_CHOICES, ...next });
        frontier.push({ cfg: next, points: r.choicePoints });
        const alt = difference(d.inputs, primary, r.observation, next);
        if (!alt) continue;
        const body = canonical({ ...alt, choices: undefined });
        if (!found.has(body)) found.set(body, alt);
      }
    }
  }
  return [...found.values()];
}

/** An outcome as what differs from the primary one, or null when nothing does. */
function difference(inputs: StateInputs, primary: ExpectedState, obs: StateObservation, cfg: Partial<HartChoices>): StateAlternative | null {
  // Named in the table's order, whatever order the exploration reached them in.
  const choices = (Object.keys(cfg) as ChoiceSwitch[]).map((sw) => {
    const c = choiceFor(sw, cfg[sw]);
    if (!c) throw new Error(`conformance/choices.ts: no choice for ${sw} = ${String(cfg[sw])}`);
    return c;
  }).sort((a, b) => CHOICES.indexOf(a) - CHOICES.indexOf(b));
  const alt: StateAlternative = { choices: choices.map((c) => c.id) };
  let x = changedRegisters(inputs, obs);
  if (choices.some((c) => c.anyValue)) {
    // The registers a made-up value reached may hold any value: they are not compared.
    const any: string[] = [];
    for (let i = 1; i < 32; i++) {
      const k = 'x' + i;
      if ((x[k] ?? null) !== (primary.x[k] ?? null)) any.push(k);
    }
    if (any.length) alt.any = any;
    x = { ...primary.x };
  }
  if (canonical(x) !== canonical(primary.x)) alt.x = x;
  const e = primary.exit, a = obs.exit;
  if (e.kind !== a.kind) alt.exit = a;
  else {
    const ex: Partial<StateObservation['exit']> = {};
    for (const k of ['code', 'cause', 'tval', 'epc'] as const) if (a[k] !== e[k]) (ex as Record<string, unknown>)[k] = a[k];
    if (Object.keys(ex).length) alt.exit = ex;
  }
  if (obs.pc !== primary.pc) alt.pc = obs.pc;
  if (obs.memory.length && canonical(obs.memory) !== canonical(primary.memory)) alt.memory = obs.memory;
  if (obs.instret !== primary.instret) alt.instret = obs.instret;
  return Object.keys(alt).length > 1 ? alt : null;
}

export function completeVector(suite: string, generator: string, d: VectorDraft): Vector {
  const { observation: obs, choicePoints } = runStateCollecting(d.inputs, d.observe ?? [], [], REFERENCE_CHOICES);
  const expected: ExpectedState = { x: changedRegisters(d.inputs, obs), pc: obs.pc, exit: obs.exit, instret: obs.instret };
  if (obs.memory.length) expected.memory = obs.memory;
  const alternatives = alternativeOutcomes(d, expected, choicePoints);
  if (alternatives.length) expected.alternatives = alternatives;
  return {
    id: vectorId(suite, d.inputs, d.observe),
    suite, title: d.title, tags: d.tags, spec: d.spec,
    provenance: { generator, generatorVersion: GENERATOR_VERSION, seed: d.seed, referenceVersion: REFERENCE_VERSION, expected: 'reference' },
    inputs: d.inputs, observe: d.observe, expected,
  };
}

export interface Group { suite: string; file: string; generator: string; drafts: () => Iterable<VectorDraft>; kind?: 'state' }

/** An image vector: whole programs booted as on QEMU virt; expected = the run without its schedule. */
export interface ImageDraft { title: string; tags: string[]; spec: string; seed?: string; inputs: ImageInputs }
export interface ImageExpected { console: string; exit: ImageObservation['exit'] }
export interface ImageVector {
  id: string; suite: string; title: string; tags: string[]; spec: string;
  provenance: Vector['provenance'];
  inputs: ImageInputs;
  expected: ImageExpected;
}
/** A group of image vectors, with the files (repository paths) its images come from. */
export interface ImageGroup { kind: 'image'; suite: string; file: string; generator: string; images: string[]; drafts: () => Iterable<ImageDraft> }

const nativeRuns = new Map<string, ImageExpected>();
export function completeImageVector(suite: string, generator: string, d: ImageDraft, imagesDir = IMAGES_DIR): ImageVector {
  const native = { ...d.inputs, schedule: [] };
  const key = canonical(native);
  let expected = nativeRuns.get(key);
  if (!expected) {
    const obs = runImage(native, imagesDir);
    expected = { console: obs.console, exit: obs.exit };
    nativeRuns.set(key, expected);
  }
  const id = `${suite}-${createHash('sha256').update(canonical({ inputs: d.inputs })).digest('hex').slice(0, 16)}`;
  return {
    id, suite, title: d.title, tags: d.tags, spec: d.spec,
    provenance: { generator, generatorVersion: GENERATOR_VERSION, seed: d.seed, referenceVersion: REFERENCE_VERSION, expected: 'reference' },
    inputs: d.inputs, expected,
  };
}

/** Copy a group's images into vectors/images under their sha256; returns whether all were already there. */
export function stageImages(paths: string[], imagesDir = IMAGES_DIR, write = true): boolean {
  let present = true;
  for (const p of paths) {
    const bytes = fs.readFileSync(path.resolve(__dirname, '../..', p));
    const file = path.join(imagesDir, `${createHash('sha256').update(bytes).digest('hex')}.elf`);
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

/** Every group, state and image, in a fixed order. */
export function everyGroup(): (Group | ImageGroup)[] {
  return [...allGroups(), ...imageGroups()];
}

/** Fields every vector of a file shares are stated once, in the file's `defaults`. */
const LIFTED = ['suite', 'spec', 'tags', 'provenance'] as const;

export function renderGroup(g: Group | ImageGroup): string {
  const vectors: (Vector | ImageVector)[] = g.kind === 'image'
    ? [...g.drafts()].map((d) => completeImageVector(g.suite, g.generator, d))
    : [...g.drafts()].map((d) => completeVector(g.suite, g.generator, d));
  const defaults: Record<string, unknown> = {};
  // Image vectors of one group usually share their expectation (the native run): state it once.
  const lifted: readonly string[] = g.kind === 'image' ? [...LIFTED, 'expected'] : LIFTED;
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

/** Read a vector file back into full vectors (defaults applied). */
export function readGroupFile(text: string): Vector[] {
  const doc = JSON.parse(text) as { defaults?: Record<string, unknown>; vectors: Record<string, unknown>[] };
  return doc.vectors.map((v) => ({ ...(doc.defaults ?? {}), ...v }) as unknown as Vector);
}

export function regen(dir = VECTORS_DIR): { files: number; vectors: number } {
  let files = 0, vectors = 0;
  const groups = everyGroup();
  // Images no image group names any more are dropped, so vectors/images holds exactly what is used.
  const used = new Set(groups.flatMap((g) => (g.kind === 'image' ? g.images : []))
    .map((p) => `${createHash('sha256').update(fs.readFileSync(path.resolve(__dirname, '../..', p))).digest('hex')}.elf`));
  if (fs.existsSync(IMAGES_DIR)) for (const f of fs.readdirSync(IMAGES_DIR)) if (!used.has(f)) fs.rmSync(path.join(IMAGES_DIR, f));
  // So are vector files no group produces any more (a renamed or dropped group).
  for (const f of staleFiles(groups, dir)) fs.rmSync(path.join(dir, f));
  for (const g of groups) {
    if (g.kind === 'image') stageImages(g.images);
    const text = renderGroup(g);
    const file = path.join(dir, g.file);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    files++;
    vectors += text.split('\n').length - 3;
  }
  return { files, vectors };
}

/** Folders under vectors/ that hold no vector files. */
const NOT_VECTORS = new Set(['schema', 'images', 'generators']);

/** Vector files (relative to `dir`) that no group produces. */
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
export function verify(dir = VECTORS_DIR): string[] {
  const groups = everyGroup();
  const differing: string[] = staleFiles(groups, dir).map((f) => `${f} (no generator produces it)`);
  for (const g of groups) {
    if (g.kind === 'image' && !stageImages(g.images, IMAGES_DIR, false)) { differing.push(`${g.file} (images missing)`); continue; }
    const file = path.join(dir, g.file);
    const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (committed !== renderGroup(g)) differing.push(g.file);
  }
  return differing;
}
