// The vector format is one module (vectors/format.ts): the harness loads it without the generators,
// ids and "the same test" have one definition, images have one name (their sha256).

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { unique } from '../../vectors/generators/unique';
import { canonical, IMAGES_DIR, imageHash, imagePath, testKey, vectorId } from '../../vectors/format';
import { DIST, suiteItems } from './helpers';

/** Modules a fresh node process holds after requiring `modules` (paths relative to dist/). */
function loadedBy(modules: string[]): string[] {
  const script = `${modules.map((m) => `require(${JSON.stringify(path.join(DIST, m))});`).join('')}process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return (JSON.parse(r.stdout) as string[]).map((f) => path.relative(DIST, f).split(path.sep).join('/'));
}

describe('one vector-format module', () => {
  test('a worker of the harness, the runner and the command line load no generator', () => {
    const loaded = loadedBy(['harness/adapters/create.js', 'harness/execute.js', 'harness/run-suite.js', 'harness/load.js', 'cli/run.js', 'cli/vectors.js']);
    expect(loaded.filter((f) => f.startsWith('vectors/generators/') || f === 'vectors/build.js')).toEqual([]);
    expect(loaded).toContain('vectors/format.js');
  });

  test('the format module imports nothing from the generators', () => {
    const loaded = loadedBy(['vectors/format.js']);
    expect(loaded.filter((f) => f.startsWith('vectors/') && f !== 'vectors/format.js' && f !== 'vectors/schema/types.js')).toEqual([]);
  });

  test('"the same test" is one key: key order does not matter, inputs and observed regions do', () => {
    const inputs = { kind: 'state', memory: [{ base: '0x80000000', words: ['0x00100073'] }], hart: { pc: '0x80000000', x: { x5: '0x1' } } };
    const reordered = { hart: { x: { x5: '0x1' }, pc: '0x80000000' }, memory: [{ words: ['0x00100073'], base: '0x80000000' }], kind: 'state' };
    expect(testKey(reordered)).toBe(testKey(inputs));
    expect(vectorId('isa', reordered)).toBe(vectorId('isa', inputs));
    expect(testKey(inputs, [{ base: '0x80001000', length: 8 }])).not.toBe(testKey(inputs));
    expect(vectorId('isa', inputs)).toMatch(/^isa-[0-9a-f]{16}$/);
    // The generators drop a repeat by the same key, keeping the first title.
    const draft = (title: string, i: unknown) => ({ title, tags: [], spec: '', inputs: i as never });
    expect([...unique([draft('first', inputs), draft('again', reordered), draft('other', { ...inputs, ramSize: 4096 })])].map((d) => d.title)).toEqual(['first', 'other']);
  });

  // State vectors' ids hash the generator's draft, whose hex numbers are zero-padded before the file
  // form drops the padding, so only image vectors can be checked from the committed files.
  test('every committed image vector\'s id is the id of its test', () => {
    const images = suiteItems().filter((it) => it.vector?.inputs.kind === 'image');
    expect(images.length).toBeGreaterThan(1000);
    expect(images.filter((it) => vectorId(it.vector!.suite, it.vector!.inputs, it.vector!.observe) !== it.vector!.id).map((it) => it.vector!.id)).toEqual([]);
  });

  test('images are named by the sha256 of their bytes', () => {
    const bytes = new TextEncoder().encode('abc');
    expect(imageHash(bytes)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const named = new Set(suiteItems().flatMap((it) => (it.vector?.inputs.kind === 'image' ? [it.vector.inputs.kernel, it.vector.inputs.bios, it.vector.inputs.mmodeFirmware] : [])));
    named.delete('none'); named.delete(undefined);
    expect(named.size).toBeGreaterThan(3);
    for (const h of named as Set<string>) expect(imageHash(fs.readFileSync(imagePath(IMAGES_DIR, h)))).toBe(h);
  });

  test('the canonical form sorts keys and drops undefined members', () => {
    expect(canonical({ b: 1, a: [{ d: undefined, c: 'x' }] })).toBe('{"a":[{"c":"x"}],"b":1}');
  });
});
