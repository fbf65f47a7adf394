// bin/devirt.js in a checkout that has not been built: one line saying what to run, not a stack.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');

test('without dist/, the launcher says to build and exits 3', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-unbuilt-'));
  try {
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.copyFileSync(path.join(ROOT, 'bin/devirt.js'), path.join(dir, 'bin/devirt.js'));
    const r = spawnSync(process.execPath, [path.join(dir, 'bin/devirt.js'), '--help'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^devirt: not built yet \(dist\/cli\/main\.js is missing\): run `npm run build`/)]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('with dist/, the launcher runs the command line', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/devirt.js'), '--help'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/boot/);
});
