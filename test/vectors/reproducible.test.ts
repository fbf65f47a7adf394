// The vector-reproducibility gate: every committed vector file is exactly what the generators and
// the reference produce today, and nothing else lies in the suites. A change to the reference
// that moves an expectation, or a hand edit of a vector, fails here until `devirt vectors regen`
// is run and the diff reviewed.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { staleFiles, verify } from '../../vectors/build';

test('every committed vector file regenerates byte for byte, and none is left over', () => {
  expect(verify()).toEqual([]);
});

test('a vector file no generator produces is found; schema, images and generators are not vectors', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-vectors-'));
  try {
    for (const f of ['isa/add.json', 'isa/left-over.json', 'schema/vector.schema.json', 'images/x.json', 'generators/g.json', 'top.json']) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), '{}');
    }
    expect(staleFiles([{ file: 'isa/add.json' }], dir)).toEqual(['isa/left-over.json']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
