// The transparency suite on the reference: every schedule of virtualize/devirtualize events
// leaves each probe's signature (console and exit) exactly as in the native run, and firmware
// built with a deliberate transparency bug is caught.
import { IMAGES_DIR } from '../../vectors/format';
import { imageDifferenceText } from '../../conformance/image-check';
import { runImage } from '../../reference/run-image';
import * as fs from 'fs';
import { imageVectors, scratchImagesDir, stageImage } from './helpers';

const groups = imageVectors('transparency');

test('at least 1,000 schedules, each with events', () => {
  const all = groups.flatMap((g) => g.vectors);
  expect(all.length).toBeGreaterThanOrEqual(1000);
  expect(all.every((v) => (v.inputs.schedule ?? []).length > 0)).toBe(true);
  expect(new Set(all.map((v) => v.id)).size).toBe(all.length);
});

for (const g of groups) {
  test(`${g.file}: every schedule gives the native signature`, () => {
    const failures: string[] = [];
    for (const v of g.vectors) {
      const d = imageDifferenceText(v.expected, runImage(v.inputs, IMAGES_DIR));
      if (d) failures.push(`${v.title}: ${d}`);
    }
    expect(failures).toEqual([]);
  });
}

// A firmware with a transparency bug must fail some schedule; the native run alone cannot tell.
for (const bug of ['bug-deleg-not-restored', 'bug-leak-csr']) {
  test(`${bug}: caught by the suite`, () => {
    const dir = scratchImagesDir();
    const bios = stageImage(`reference/firmware/build/${bug}.elf`, dir);
    let caught: string | null = null;
    let nativeAgrees = true;
    for (const g of groups) {
      const first = g.vectors[0];
      if (imageDifferenceText(first.expected, runImage({ ...first.inputs, bios, schedule: [] }, dir))) nativeAgrees = false;
      for (const v of g.vectors) {
        const d = imageDifferenceText(v.expected, runImage({ ...v.inputs, bios }, dir));
        if (d) { caught = `${v.title}: ${d}`; break; }
      }
      if (caught) break;
    }
    fs.rmSync(dir, { recursive: true, force: true });
    expect(nativeAgrees).toBe(true);
    expect(caught).not.toBeNull();
  });
}

test('the image suites regenerate byte for byte (tracer-found schedules are deterministic)', () => {
  const { imageGroups } = require('../../vectors/generators/image-groups') as typeof import('../../vectors/generators/image-groups');
  const { renderGroup } = require('../../vectors/build') as typeof import('../../vectors/build');
  const { VECTORS_DIR } = require('../../vectors/format') as typeof import('../../vectors/format');
  const path = require('path') as typeof import('path');
  for (const g of imageGroups()) {
    expect({ file: g.file, same: renderGroup(g) === fs.readFileSync(path.join(VECTORS_DIR, g.file), 'utf8') }).toEqual({ file: g.file, same: true });
  }
});
