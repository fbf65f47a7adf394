// `devirt boot` with a kernel that owns M-mode: bare with --bios none, under the M-mode firmware
// with --mmode, virtualized and devirtualized with --doorbell, and one-line errors for bad input.

import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');
const KERNEL = path.join(ROOT, 'reference/guests/mkernels/build/mk-probe.elf');
const devirt = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin/devirt.js'), 'boot', '--kernel', KERNEL, '--mem', '8M', ...args], { encoding: 'utf8', input: '' });

describe('devirt boot --mmode', () => {
  test('the kernel prints the same under the firmware, virtualized and devirtualized, as bare', () => {
    const bare = devirt('--bios', 'none');
    expect(bare.status).toBe(0);
    expect(bare.stdout).toMatch(/mkernel: done\n$/);
    for (const extra of [[], ['--doorbell', '2000:virtualize'], ['--doorbell', '2000:virtualize,300000:devirtualize,400000:virtualize']]) {
      const r = devirt('--mmode', ...extra);
      expect({ extra, status: r.status, stdout: r.stdout }).toEqual({ extra, status: 0, stdout: bare.stdout });
    }
  });

  test('bad input is one line on stderr with exit code 2', () => {
    const cases: [string[], RegExp][] = [
      [['--mmode', '/nonexistent'], /^devirt: --mmode: cannot read \/nonexistent: no such file\n$/],
      [['--mmode', '--bios', KERNEL], /^devirt: --mmode: cannot be combined with --bios /],
      [['--mmode', KERNEL], /segment at 0x80000000 .* lies outside the firmware RAM 0x7ffe0000\.\.0x80000000\n$/],
      [['--mmode', '--doorbell', '10:reboot'], /^devirt: --doorbell: bad event '10:reboot'/],
    ];
    for (const [args, message] of cases) {
      const r = devirt(...args);
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
