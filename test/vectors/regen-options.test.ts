// `devirt vectors regen|verify --suite` work on one suite's files; `regen --seed N --out DIR`
// writes random streams beyond the committed suite, which `devirt run --vectors DIR` runs; bad
// values are one line and exit 2.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { devirt } from '../harness/helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-regen-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('devirt vectors regen and verify options', () => {
  test('verify --suite checks that suite\'s files only', () => {
    const r = devirt(['vectors', 'verify', '--suite', 'overhead']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/every file of overhead regenerates byte for byte/);
  });

  test('regen --seed writes new random streams that the reference passes when run from that folder', () => {
    const w = devirt(['vectors', 'regen', '--seed', '5001', '--count', '3', '--out', tmp]);
    expect(w.status).toBe(0);
    const file = path.join(tmp, 'isa/random/seeds-5001-5003.json');
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(doc.vectors.map((v: { title: string }) => v.title.replace(/.*seed /, ''))).toEqual(['5001', '5002', '5003']);
    const run = devirt(['run', '--vectors', tmp, '--reporter', 'json', '--out', path.join(tmp, 'r.json')]);
    expect(run.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'r.json'), 'utf8')).total.pass).toBe(3);
  });

  test.each([
    [['vectors', 'regen', '--suite', 'nosuch'], /--suite: no generator makes suite 'nosuch'/],
    [['vectors', 'regen', '--seed', '0', '--out', tmp], /--seed: bad value '0'/],
    [['vectors', 'regen', '--seed', '7'], /--seed: needs --out DIR/],
    [['vectors', 'regen', '--seed', '7', '--count', 'x', '--out', tmp], /--count: bad value 'x'/],
  ])('%j is refused with one line', (args, message) => {
    const r = devirt(args as string[]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
