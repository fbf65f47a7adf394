// The command line's small promises: several --filter flags combine (a vector matching any one is
// selected) instead of the last one winning; skip reasons list capabilities in one fixed order; a
// broken install says so instead of losing subcommands; file errors are words naming the path.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CAPABILITY_TAGS, missingCapability } from '../../harness/capabilities';
import { fileProblem } from '../../harness/file-error';
import { itemId, select } from '../../harness/load';
import { devirt, DIST, ROOT, suiteItems } from './helpers';

describe('--filter', () => {
  test('several filters select the vectors matching any of them', () => {
    const all = suiteItems();
    const a = select(all, { filter: ['isa/mulh.json'] }).map(itemId);
    const b = select(all, { filter: ['isa/lui.json'] }).map(itemId);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(select(all, { filter: ['isa/mulh.json', 'isa/lui.json'] }).map(itemId).sort()).toEqual([...a, ...b].sort());
  });

  test('on the command line: both filters count, and a set that selects nothing is exit 2 naming every filter', () => {
    const r = devirt(['run', '--filter', 'isa/mulh.json', '--filter', 'isa/lui.json', '--reporter', 'json', '--jobs', '1']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    const expected = select(suiteItems(), { filter: ['isa/mulh.json', 'isa/lui.json'] }).length;
    expect(report.total.total).toBe(expected);
    expect(report.bySuite.isa.total).toBe(expected);
    const none = devirt(['run', '--filter', 'nothing-like-this', '--filter', 'nor-this']);
    expect(none.status).toBe(2);
    expect(none.stderr).toBe("devirt: --filter: no vector matches 'nothing-like-this' or 'nor-this'\n");
    expect(devirt(['run', '--help']).stdout).toMatch(/--filter <text>.*repeated, a vector matching any/s);
  });
});

describe('skip reasons', () => {
  test('missing capabilities are listed in the vocabulary\'s order, whatever the tag order', () => {
    const caps = new Set(['state', 'rv64i']);
    const one = missingCapability({ tags: ['pmp', 'zicsr', 's'], inputs: { kind: 'state' } }, caps);
    const other = missingCapability({ tags: ['s', 'pmp', 'zicsr'], inputs: { kind: 'state' } }, caps);
    expect(one).toBe(other);
    const order = [...CAPABILITY_TAGS];
    expect(one).toBe(`needs ${['zicsr', 's', 'pmp'].sort((x, y) => order.indexOf(x) - order.indexOf(y)).join(', ')} (not among the implementation's capabilities)`);
  });
});

describe('a broken install', () => {
  test('a subcommand module that does not load is reported, not silently dropped', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-broken-'));
    try {
      // A copy of the install whose cli/vectors.js lost a module it needs.
      fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
      fs.mkdirSync(path.join(dir, 'dist'));
      for (const d of fs.readdirSync(DIST)) if (d !== 'cli') fs.symlinkSync(path.join(DIST, d), path.join(dir, 'dist', d));
      fs.mkdirSync(path.join(dir, 'dist/cli'));
      for (const f of fs.readdirSync(path.join(DIST, 'cli'))) fs.copyFileSync(path.join(DIST, 'cli', f), path.join(dir, 'dist/cli', f));
      fs.writeFileSync(path.join(dir, 'dist/cli/vectors.js'), "require('./a-module-that-is-gone');\n");
      const r = spawnSync(process.execPath, [path.join(dir, 'dist/cli/main.js'), 'run', '--help'], { encoding: 'utf8' });
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/^devirt: broken install: cannot load the vectors subcommands \(Cannot find module '.\/a-module-that-is-gone'\); run npm ci && npm run build\n$/);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('file errors in words', () => {
  test('no ENOENT or EISDIR: what went wrong, on one line', () => {
    const missing = (() => { try { fs.readFileSync('/no/such/file'); } catch (e) { return e; } })();
    const folder = (() => { try { fs.readFileSync(os.tmpdir()); } catch (e) { return e; } })();
    expect(fileProblem(missing)).toBe('no such file');
    expect(fileProblem(folder)).toBe('it is a folder, not a file');
    expect(fileProblem(Object.assign(new Error("EXDEV: cross-device link not permitted, rename 'a' -> 'b'"), { code: 'EXDEV' }))).toBe('cross-device link not permitted');
  });
});
