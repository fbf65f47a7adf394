// The transparency suite for kernels that own M-mode: every committed schedule gives the native
// signature on the reference, and firmwares with a deliberate emulation bug are caught.

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IMAGES_DIR, imageHashOfFile, storeImage } from '../../vectors/format';
import { MMODE_FIRMWARE, PROBE_KERNEL, PROBE_KERNEL_VECTORED } from '../../vectors/generators/mkernel';
import { loadMkernelVectors, MkernelVerdict, runMkernelVector } from '../../vectors/generators/mkernel-run';

const ROOT = path.resolve(__dirname, '../../..');
const vectors = loadMkernelVectors();

/** The suite runs in a plain node process: the test runner's sandbox makes the emulator slower. */
function runSuite(args: string[]): { checked: number; failures: MkernelVerdict[] } {
  const script = path.join(ROOT, 'dist/vectors/generators/mkernel-run.js');
  return JSON.parse(execFileSync(process.execPath, [script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

describe('mkernel transparency vectors', () => {
  test('there are at least 500 schedules, each with its provenance', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(500);
    for (const v of vectors) {
      expect(v.provenance.generator).toBe('transparency/mkernel');
      expect(v.inputs.bios).toBe('none');
      expect(v.inputs.schedule?.length).toBeGreaterThan(0);
    }
  });

  test('the vectors use the committed firmware and kernel', () => {
    expect(new Set(vectors.map((v) => v.inputs.mmodeFirmware))).toEqual(new Set([imageHashOfFile(MMODE_FIRMWARE)]));
    expect(new Set(vectors.map((v) => v.inputs.kernel))).toEqual(new Set([PROBE_KERNEL, PROBE_KERNEL_VECTORED].map(imageHashOfFile)));
  });

  test('every schedule leaves the signature as it is natively', () => {
    const r = runSuite([]);
    expect(r.checked).toBe(vectors.length);
    expect(r.failures.map((f) => `${f.id} ${f.title}: ${f.problem}`)).toEqual([]);
  });

  describe('a firmware with an emulation bug is caught', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkernel-bug-'));
      for (const f of fs.readdirSync(IMAGES_DIR)) fs.copyFileSync(path.join(IMAGES_DIR, f), path.join(dir, f));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    const stageBug = (name: string): string => {
      return storeImage(fs.readFileSync(path.join(ROOT, `reference/firmware/mmode/build/${name}.elf`)), dir);
    };
    // The schedules that virtualize once and stay virtualized, earliest point first: the suite
    // catches the bug as soon as one of them fails.

    test.each([
      ['mmode-fw-bug-mie', 'a virtual mie bit (MSIE) lost'],
      ['mmode-fw-bug-mepc', 'mepc off by one instruction length on ecalls'],
    ])('%s (%s)', (name) => {
      const firmware = stageBug(name);
      const r = runSuite(['--images', dir, '--firmware', firmware, '--only-virtualize', '--stop-at-first-failure']);
      expect(r.failures.length).toBe(1);
      // The same vector passes with the correct firmware: it is the bug that it catches.
      const caught = vectors.find((v) => v.id === r.failures[0].id)!;
      expect(runMkernelVector(caught).pass).toBe(true);
    });
  });
});
