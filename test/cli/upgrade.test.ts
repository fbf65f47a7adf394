// `devirt upgrade` as a user runs it: bad input is one line naming the flag and exit 2; a run
// prints its timeline and writes the result as JSON with --json (the upgrade's own behaviour is
// judged by test/service/ and the maintenance suite).
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/devirt.js');
const upgrade = (args: string[]) => spawnSync(process.execPath, [BIN, 'upgrade', ...args], { encoding: 'utf8', timeout: 120_000 });

test.each([
  [['--fault', 'nope'], /^devirt: --fault: unknown fault 'nope' \(one of crash-boot, /],
  [['--bad-image', 'huge'], /^devirt: --bad-image: unknown kind 'huge'/],
  [['--clients', '0'], /^devirt: --clients: 0 is outside 1\.\.64/],
  [['--upgrade-at', 'soon'], /^devirt: --upgrade-at: bad time 'soon'/],
  [['--reset-after', 'Bad Event'], /^devirt: --reset-after: bad trigger 'Bad Event'/],
  [['--v2', '/nonexistent/v2.elf'], /^devirt: --v2: cannot read '\/nonexistent\/v2.elf': ENOENT/],
  [['--json', '/nonexistent/dir/out.json'], /^devirt: --json: folder '\/nonexistent\/dir' does not exist/],
])('%j is refused with one line and exit 2', (args, message) => {
  const r = upgrade(args as string[]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(message as RegExp);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
});

test('a run prints the timeline and writes the same result as JSON', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'devirt-upgrade-'));
  try {
    const out = path.join(dir, 'r.json');
    // An image create must refuse: the command's whole path, whatever the firmware supports.
    const r = upgrade(['--traffic', '12', '--upgrade-at', '5', '--clients', '2', '--bad-image', 'not-elf', '--json', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^timeline \(guest time\):\n/);
    expect(r.stdout).toMatch(/ harness  upgrade-requested\n/);
    expect(r.stdout).toMatch(/client   upgrade-answered ERR create -\d+\n/);
    expect(r.stdout).toMatch(/\nupgrade: PASS\n$/);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.passed).toBe(true);
    expect(j.finalVersion).toBe(1);
    expect(j.ticksPerMs).toBe(10000);
    expect(j.timeline.length).toBeGreaterThan(5);
    expect(j.ackedWrites).toBeGreaterThan(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('devirt gate checks the default upgrade against the downtime budget of ci/budgets.json', () => {
  const gate = (args: string[]) => spawnSync(process.execPath, [BIN, 'gate', '--only', 'service', ...args], { encoding: 'utf8', timeout: 120_000 });
  const dir = mkdtempSync(path.join(tmpdir(), 'devirt-gate-service-'));
  try {
    const ok = gate(['--junit', path.join(dir, 'a.xml')]);
    expect(ok.stdout).toMatch(/^service upgrade \(default scenario\): pass: downtime [\d.]+ ms of guest time \(budget 10 ms\)$/m);
    expect(ok.status).toBe(0);
    // The same run against a budget no upgrade can meet: the gate fails and says by how much.
    const budgets = JSON.parse(readFileSync(path.join(ROOT, 'ci/budgets.json'), 'utf8'));
    budgets.service.downtimeMs = 0.001;
    const tight = path.join(dir, 'tight.json');
    require('fs').writeFileSync(tight, JSON.stringify(budgets));
    const bad = gate(['--budgets', tight, '--junit', path.join(dir, 'b.xml')]);
    expect(bad.stdout).toMatch(/^service upgrade \(default scenario\): FAIL: downtime [\d.]+ ms is over the budget of 0\.001 ms$/m);
    expect(bad.status).toBe(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
