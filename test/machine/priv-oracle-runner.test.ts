// The QEMU oracle's runner image is committed (the crosscheck runs where no cross compiler is
// installed); rebuilding it from its sources must give the same bytes.

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const DIR = path.resolve(__dirname, '../../../harness/oracle/qemu-state');
const haveGcc = (process.env.PATH ?? '').split(path.delimiter).some((p) => fs.existsSync(path.join(p, 'riscv64-unknown-elf-gcc')));
const haveMake = (process.env.PATH ?? '').split(path.delimiter).some((p) => fs.existsSync(path.join(p, 'make')));

(haveGcc && haveMake ? test : test.skip)('runner.elf rebuilds byte for byte (skipped without riscv64-unknown-elf-gcc and make)', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-runner-'));
  try {
    execFileSync('make', ['-s', '-C', DIR, `OUT=${out}`, `${out}/runner.elf`], { stdio: 'pipe' });
    expect(Buffer.compare(fs.readFileSync(path.join(out, 'runner.elf')), fs.readFileSync(path.join(DIR, 'build/runner.elf')))).toBe(0);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 60_000);

import { qemuEntryProblem } from '../../harness/oracle/qemu-state';
import type { StateInputs } from '../../reference/state';

describe('which initial states the QEMU runner can enter', () => {
  const inputs = (priv: 'M' | 'S' | 'U', csrs: Record<string, string>): StateInputs => ({ kind: 'state', memory: [], hart: { pc: '0x80000000', priv, csrs }, stop: { maxInsns: 1, onTrap: true } });
  test('any CSRs for S and U, except those the runner itself uses', () => {
    expect(qemuEntryProblem(inputs('S', { mstatus: '0x1800', satp: '0x8000000000080020', pmpaddr0: '0x3fffffffffffff', pmpcfg0: '0x1f' }))).toBeNull();
    expect(qemuEntryProblem(inputs('U', { mtvec: '0x80001000' }))).toMatch(/mtvec/);
    expect(qemuEntryProblem(inputs('S', { mscratch: '0x1' }))).toMatch(/mscratch/);
  });
  test('S and U need an active PMP entry (QEMU 7.2 refuses the mret otherwise); M does not', () => {
    expect(qemuEntryProblem(inputs('S', {}))).toMatch(/PMP/);
    expect(qemuEntryProblem(inputs('U', { pmpcfg0: '0x7', pmpcfg2: '0x0' }))).toMatch(/PMP/); // permissions but A = OFF
    expect(qemuEntryProblem(inputs('U', { pmpcfg2: '0x1800000000000000' }))).toBeNull(); // entry 15 TOR
    expect(qemuEntryProblem(inputs('M', {}))).toBeNull();
  });
  test('an M-mode start needs the mstatus an mret leaves: MPIE = 1, MPP = U', () => {
    expect(qemuEntryProblem(inputs('M', { mstatus: '0x80' }))).toBeNull();
    expect(qemuEntryProblem(inputs('M', { mstatus: '0x0' }))).toMatch(/MPIE/);
    expect(qemuEntryProblem(inputs('M', { mstatus: '0x1880' }))).toMatch(/MPP/);
  });
});
