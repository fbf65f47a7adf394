// Image vectors through the harness: a tiny kernel (an ELF made here) prints and powers off; the
// image rule compares console text and exit, and reports the first differing console line.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkImage, imageDifferenceText } from '../../conformance/image-check';
import { loadSuites } from '../../harness/load';
import { runSuite } from '../../harness/run-suite';
import { encode } from '../../reference/tools/disasm';
import { storeImage } from '../../vectors/format';
import { nodeCmd } from './helpers';

/** A minimal RV64 ELF: one loadable segment at 0x80000000 holding `words`, entry at its start. */
function elf(words: number[]): Buffer {
  const code = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => code.writeUInt32LE(w >>> 0, i * 4));
  const h = Buffer.alloc(64 + 56);
  h.write('\x7fELF', 0, 'latin1');
  h[4] = 2; h[5] = 1; h[6] = 1;
  h.writeUInt16LE(2, 16); h.writeUInt16LE(243, 18); h.writeUInt32LE(1, 20);
  h.writeBigUInt64LE(0x80000000n, 24); h.writeBigUInt64LE(64n, 32);
  h.writeUInt16LE(64, 52); h.writeUInt16LE(56, 54); h.writeUInt16LE(1, 56);
  h.writeUInt32LE(1, 64); h.writeUInt32LE(5, 68);
  h.writeBigUInt64LE(120n, 72); h.writeBigUInt64LE(0x80000000n, 80); h.writeBigUInt64LE(0x80000000n, 88);
  h.writeBigUInt64LE(BigInt(code.length), 96); h.writeBigUInt64LE(BigInt(code.length), 104); h.writeBigUInt64LE(4n, 112);
  return Buffer.concat([h, code]);
}

/** Print `text` on the UART, then write PASS (0x5555) to the sifive_test finisher. */
function printer(text: string): number[] {
  const t0 = 5, t1 = 6;
  const w = [encode('lui', { rd: t0, imm: 0x10000000 })];
  for (const ch of Buffer.from(text)) w.push(encode('addi', { rd: t1, rs1: 0, imm: ch }), encode('sb', { rs1: t0, rs2: t1, imm: 0 }));
  w.push(encode('lui', { rd: t0, imm: 0x100000 }), encode('lui', { rd: t1, imm: 0x5000 }), encode('addi', { rd: t1, rs1: t1, imm: 0x555 }), encode('sw', { rs1: t0, rs2: t1, imm: 0 }), encode('jal', { rd: 0, imm: 0 }));
  return w;
}

describe('image vectors', () => {
  test('the image rule: console first, line by line, then the exit', () => {
    const ok = { console: 'a\nb\n', exit: { kind: 'finisher', code: 0 } };
    expect(checkImage(ok, ok)).toBeNull();
    expect(checkImage(ok, { ...ok, console: 'a\nc\n' })).toEqual({ where: 'console line 2', expected: '"b"', actual: '"c"' });
    expect(checkImage(ok, { ...ok, console: 'a\n' })).toEqual({ where: 'console line 2', expected: '"b"', actual: '""' });
    expect(checkImage(ok, { ...ok, console: 'a\nb\nextra' })).toEqual({ where: 'console line 3', expected: '""', actual: '"extra"' });
    expect(checkImage(ok, { ...ok, exit: { kind: 'finisher', code: 3 } })).toEqual({ where: 'exit code', expected: '0', actual: '3' });
    expect(checkImage(ok, { ...ok, exit: { kind: 'limit' } })).toEqual({ where: 'exit kind', expected: 'finisher', actual: 'limit' });
  });

  test('one image judge: the tools that print a verdict use the conformance rule, the reference ships none', () => {
    const ok = { console: 'a\nb\n', exit: { kind: 'finisher', code: 0 } };
    expect(imageDifferenceText(ok, ok)).toBeNull();
    expect(imageDifferenceText(ok, { ...ok, console: 'a\nc\n' })).toBe('console line 2: expected "b", got "c"');
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const runImageModule = require('../../reference/run-image') as Record<string, unknown>;
    expect(Object.keys(runImageModule).filter((k) => /difference|check|judge/i.test(k))).toEqual([]);
  });

  test('run in-process and through the protocol: a pass, a console difference, a missing image', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-image-'));
    try {
      const image = elf(printer('hi\nthere\n'));
      const sha = storeImage(image, path.join(dir, 'images'));
      fs.mkdirSync(path.join(dir, 'transparency'));
      const vector = (id: string, kernel: string, console: string) => ({
        id, suite: 'transparency', title: id, tags: ['uart'], spec: 'conformance/microvisor.md#transparent',
        provenance: { generator: 'test', generatorVersion: '1', referenceVersion: '0.1.0', expected: 'spec' },
        inputs: { kind: 'image', kernel, bios: 'none', maxInsns: 10_000, schedule: [{ at: 3, action: 'doorbell', cause: 0 }] },
        expected: { console, exit: { kind: 'finisher', code: 0 } },
      });
      fs.writeFileSync(path.join(dir, 'transparency/t.json'), JSON.stringify({ vectors: [
        vector('transparency-pass', sha, 'hi\nthere\n'),
        vector('transparency-differs', sha, 'hi\nthese\n'),
        vector('transparency-missing', 'f'.repeat(64), ''),
      ] }));
      const items = loadSuites(dir);
      const imagesDir = path.join(dir, 'images');
      for (const spec of [{ kind: 'reference' as const }, { kind: 'external' as const, command: nodeCmd('harness/adapters/reference-external.js'), timeoutMs: 20_000 }]) {
        const r = await runSuite({ items, selection: {}, spec, jobs: 1, imagesDir });
        expect(r.records.map((x) => x.kind)).toEqual(['pass', 'fail', 'error']);
        expect(r.records[1].difference).toEqual({ where: 'console line 2', expected: '"these"', actual: '"there"' });
        expect(r.records[2].reason).toContain(`image ${'f'.repeat(64)} not found`);
      }
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});
