// Vectors you can take away: an exported vector is a standalone program that runs the vector and
// checks itself against every allowed outcome. A sample of the isa and priv suites passes on QEMU
// (the independent implementation) and on the reference booting the program like any kernel; a
// vector whose expectation is made wrong fails with its difference printed; the committed program
// rebuilds byte for byte; and what cannot be exported is refused with the reason.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { exportVector, ExportError, SELFCHECK } from '../../harness/export/export';
import { qemuAvailable, qemuEntryProblem, QEMU_CPU } from '../../harness/oracle/qemu-state';
import { QEMU_CAPABILITIES } from '../../harness/adapters/qemu';
import { missingCapability } from '../../harness/capabilities';
import type { StateVector } from '../../vectors/schema/types';
import { devirt, ROOT, suiteItems } from '../harness/helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-export-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** State vectors the program can enter and QEMU runs as the specification says (no documented QEMU departure, nothing QEMU 7.2 lacks, such as Smrnmi). */
function exportable(stride: number): StateVector[] {
  const all = suiteItems().filter((it) => it.vector && !it.duplicateOf && it.vector.inputs.kind === 'state').map((it) => it.vector as StateVector);
  const qemuHas = new Set(QEMU_CAPABILITIES);
  return all.filter((v) => qemuEntryProblem(v.inputs) === null && missingCapability(v, qemuHas) === null && !v.tags.some((t) => t.startsWith('qemu-')) && (v.expected as { exit: { kind: string } }).exit.kind === 'trap')
    .filter((_, i) => i % stride === 0);
}

function onQemu(elf: string): { status: number | null; out: string } {
  const r = spawnSync('qemu-system-riscv64', ['-M', 'virt', '-cpu', QEMU_CPU, '-m', '128M', '-bios', 'none', '-nographic', '-kernel', elf], { encoding: 'latin1', timeout: 30_000 });
  return { status: r.status, out: r.stdout };
}

describe('devirt vectors export', () => {
  const sample = exportable(450);

  test('the sample spans both suites', () => {
    expect(sample.filter((v) => v.suite === 'isa').length).toBeGreaterThan(10);
    expect(sample.filter((v) => v.suite === 'priv').length).toBeGreaterThan(3);
  });

  (qemuAvailable() ? test : test.skip)('a sample of exported vectors passes on QEMU', () => {
    const failed: string[] = [];
    for (const v of sample) {
      const elf = path.join(tmp, `${v.id}.elf`);
      fs.writeFileSync(elf, exportVector(v));
      const r = onQemu(elf);
      if (r.status !== 0 || !r.out.includes(`devirt vector ${v.id}: PASS`)) failed.push(`${v.id} ${v.title}: exit ${r.status}: ${r.out.trim()}`);
    }
    expect(failed).toEqual([]);
  }, 300_000);

  test('exported vectors pass on the reference booted as a kernel (devirt boot --bios none)', () => {
    for (const v of sample.filter((_, i) => i % 6 === 0)) {
      const elf = path.join(tmp, `ref-${v.id}.elf`);
      fs.writeFileSync(elf, exportVector(v));
      const r = devirt(['boot', '--bios', 'none', '--kernel', elf]);
      expect({ id: v.id, status: r.status, out: r.stdout }).toEqual({ id: v.id, status: 0, out: expect.stringContaining(`devirt vector ${v.id}: PASS`) });
    }
  }, 120_000);

  test('a wrong expectation fails inside the guest, with the difference and finisher code 1', () => {
    const v = sample.find((x) => x.suite === 'isa' && Object.keys(x.expected.x).length > 0)!;
    const [reg, value] = Object.entries(v.expected.x)[0];
    const wrong = { ...v, expected: { ...v.expected, alternatives: [], x: { ...v.expected.x, [reg]: '0x' + (BigInt(value) ^ 1n).toString(16) } } } as StateVector;
    const elf = path.join(tmp, 'wrong.elf');
    fs.writeFileSync(elf, exportVector(wrong));
    const r = devirt(['boot', '--bios', 'none', '--kernel', elf]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`devirt vector ${v.id}: FAIL`);
    expect(r.stdout).toMatch(new RegExp(`  ${reg}: expected 0x0*${(BigInt(value) ^ 1n).toString(16)}, got 0x0*${BigInt(value).toString(16)}`));
    if (qemuAvailable()) {
      const q = onQemu(elf);
      expect(q.status).toBe(1);
      expect(q.out).toContain('FAIL');
    }
  });

  test('an allowed alternative is met and named (ebreak tval = pc is legal)', () => {
    const v = sample.find((x) => (x.expected.alternatives ?? []).some((a) => a.choices.includes('breakpoint-tval-pc')))!;
    // Make the reference's own outcome impossible: only the alternative can be met.
    const alt = { ...v, expected: { ...v.expected, exit: { ...v.expected.exit, tval: '0x1234' } } } as StateVector;
    const pcTval = { ...alt, expected: { ...alt.expected, alternatives: [{ choices: ['breakpoint-tval-pc'], exit: { tval: '0x0' } }] } } as StateVector;
    const elf = path.join(tmp, 'alt.elf');
    fs.writeFileSync(elf, exportVector(pcTval));
    const r = devirt(['boot', '--bios', 'none', '--kernel', elf]);
    expect(r.stdout).toContain('PASS (allowed alternative: breakpoint-tval-pc)');
    expect(r.status).toBe(0);
  });

  test('the CLI writes the program, shows and lists vectors, and refuses what it cannot export', () => {
    const v = sample[0];
    const elf = path.join(tmp, 'cli.elf');
    expect(devirt(['vectors', 'export', v.id, '--elf', elf]).status).toBe(0);
    expect(fs.readFileSync(elf)).toEqual(Buffer.from(exportVector(v)));
    const shown = devirt(['vectors', 'show', v.id]);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain('program:');
    expect(shown.stdout).toContain('expected (the reference\'s outcome):');
    const listed = devirt(['vectors', 'list', '--suite', v.suite, '--filter', v.id]);
    expect(listed.stdout.trim().split('\t')[0]).toBe(v.id);
    expect(devirt(['vectors', 'show', 'isa-nosuchvector']).status).toBe(2);
    const entry = suiteItems().map((it) => it.vector).find((x) => x && x.inputs.kind === 'state' && qemuEntryProblem(x.inputs) !== null) as StateVector;
    expect(() => exportVector(entry)).toThrow(ExportError);
    const refused = devirt(['vectors', 'export', entry.id, '--elf', path.join(tmp, 'no.elf')]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/cannot be exported/);
  });

  test('the committed self-checking program rebuilds byte for byte', () => {
    const cc = spawnSync('riscv64-unknown-elf-gcc', ['--version']);
    if (cc.status !== 0) return; // the cross compiler is installed by .ci/run
    const out = fs.mkdtempSync(path.join(tmp, 'build-'));
    const r = spawnSync('make', ['-s', '-C', path.join(ROOT, 'harness/export'), `OUT=${out}`, `${out}/selfcheck.elf`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(out, 'selfcheck.elf'))).toEqual(fs.readFileSync(SELFCHECK));
  });
});
