// devirt boot's status line: on a terminal's stderr when the guest's console goes elsewhere,
// never when stderr is a pipe. A terminal is made with script(1).

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { devirt, ROOT } from '../harness/helpers';

const hasScript = spawnSync('script', ['--version']).status === 0;
const CPU_MIX = path.join(ROOT, 'reference/guests/build/cpu-mix.elf');

(hasScript ? describe : describe.skip)('devirt boot progress', () => {
  test('a terminal sees instructions, guest time and MIPS; the console file holds only the guest\'s output', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-progress-'));
    const console_ = path.join(dir, 'console.txt');
    // Interpreted, cpu-mix runs for seconds: the line shows at most once a second (translated it can end in less).
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(ROOT, 'bin/devirt.js'))} boot --no-jit --bios none --kernel ${JSON.stringify(CPU_MIX)} > ${JSON.stringify(console_)}`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/devirt: \d+\.\d M instructions, guest time \d+\.\d{3} s, \d+\.\d MIPS/);
    expect(fs.readFileSync(console_, 'utf8')).not.toMatch(/M instructions/);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 150_000);

  test('a pipe never sees it', () => {
    const r = devirt(['boot', '--bios', 'none', '--kernel', CPU_MIX]);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/M instructions/);
  }, 150_000);
});
