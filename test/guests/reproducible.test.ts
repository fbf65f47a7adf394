// The committed guest images are what `make -C reference/guests` builds from the sources, byte
// for byte, with Debian's riscv64-unknown-elf-gcc.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { GUESTS_DIR, guestPrograms, imagePath } from '../../reference/guests/catalog';

const gcc = spawnSync('riscv64-unknown-elf-gcc', ['--version'], { encoding: 'utf8' });
const make = spawnSync('make', ['--version'], { encoding: 'utf8' });
const haveToolchain = !gcc.error && gcc.status === 0 && !make.error && make.status === 0;
const withToolchain = haveToolchain ? test : test.skip;

test('every program source has its image committed beside it', () => {
  // build/ may also hold the images of the subfolders' programs (sbi/, workloads/, mkernels/).
  const images = new Set(fs.readdirSync(path.join(GUESTS_DIR, 'build')).filter((f) => f.endsWith('.elf')));
  for (const p of guestPrograms()) expect(images.has(path.basename(imagePath(p.name)))).toBe(true);
});

withToolchain(`rebuilding the guests gives the committed bytes${haveToolchain ? '' : ' (skipped: riscv64-unknown-elf-gcc or make is not installed)'}`, () => {
  const p = spawnSync('make', ['-s', '-C', GUESTS_DIR, 'check-reproducible'], { encoding: 'utf8', timeout: 300_000 });
  expect(p.stderr).toBe('');
  expect(p.status).toBe(0);
  expect(p.stdout).toMatch(/reproducible: \d+ images identical/);
});
