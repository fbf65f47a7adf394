// One QEMU pipeline: `devirt run --impl qemu` and `devirt vectors crosscheck --oracle qemu` both run
// the ordinary runner with the QEMU adapter. The adapter says what QEMU can run; qemu-skip tags are
// skipped with their reason; a divergence tag explains a difference only when
// conformance/qemu-divergences.md documents its KEY; the crosscheck has run's reporters and exit codes.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { qemuCannotRun, QEMU_CAPABILITIES } from '../../harness/adapters/qemu';
import { missingCapability } from '../../harness/capabilities';
import { countDivergences } from '../../harness/oracle/crosscheck';
import { documentedDivergences, qemuSkipReason } from '../../harness/oracle/divergences';
import { qemuAvailable } from '../../harness/oracle/qemu-state';
import type { Item } from '../../harness/load';
import { runSuite } from '../../harness/run-suite';
import type { ResultRecord, StateVector, Vector } from '../../vectors/format';
import { devirt, suiteItems } from './helpers';

const hasQemu = qemuAvailable();
if (!hasQemu) process.stderr.write('qemu-pipeline.test: QEMU runs skipped: qemu-system-riscv64 is not installed (apt-get install qemu-system-misc)\n');
const maybe = hasQemu ? test : test.skip;

const vectors = (): Vector[] => suiteItems().filter((it) => it.vector && !it.duplicateOf).map((it) => it.vector!);
const caps = new Set(QEMU_CAPABILITIES);
const withTag = (prefix: string) => vectors().filter((v) => v.tags.some((t) => t.startsWith(prefix)));

describe('what QEMU can run', () => {
  test('S, U, Sv39 and PMP vectors are QEMU\'s to run; Smrnmi, image vectors and the doorbell are not', () => {
    const priv = vectors().filter((v) => v.suite === 'priv');
    const sPmp = priv.filter((v) => v.tags.includes('s') && v.tags.includes('pmp'));
    expect(sPmp.length).toBeGreaterThan(1000);
    expect(sPmp.filter((v) => missingCapability(v, caps) !== null && !v.tags.includes('smrnmi'))).toEqual([]);
    const nmi = priv.find((v) => v.tags.includes('smrnmi'))!;
    expect(missingCapability(nmi, caps)).toBe('needs smrnmi (not among the implementation\'s capabilities)');
    const image = vectors().find((v) => v.inputs.kind === 'image')!;
    expect(missingCapability(image, caps)).toMatch(/^needs image vectors/);
  });

  test('a qemu-skip tag is a skip with its reason', () => {
    const skipped = withTag('qemu-skip:');
    expect(skipped.length).toBeGreaterThan(10);
    for (const v of skipped) expect(qemuCannotRun(v)).toBe(qemuSkipReason(v.tags));
    expect(qemuCannotRun(skipped[0])).toMatch(/^QEMU cannot run it: .*qemu-skip\)$/);
  });

  test('a vector QEMU can run has no reason; one checking a CSR the runner does not print does', () => {
    const plain = vectors().find((v) => v.suite === 'priv' && !v.tags.some((t) => t.startsWith('qemu-')))! as StateVector;
    expect(qemuCannotRun(plain)).toBeNull();
    expect(qemuCannotRun({ ...plain, expected: { ...plain.expected, csrs: { mstatus: '0x0', tselect: '0x0' } } })).toBe('the QEMU runner does not report tselect');
  });

  test('every divergence KEY the vectors carry is documented in conformance/qemu-divergences.md', () => {
    const keys = new Set(withTag('qemu-divergence:').map((v) => v.tags.find((t) => t.startsWith('qemu-divergence:'))!.slice('qemu-divergence:'.length)));
    expect(keys.size).toBeGreaterThan(5);
    expect([...keys].filter((k) => !documentedDivergences().has(k))).toEqual([]);
    expect(documentedDivergences().has('no-such-divergence')).toBe(false);
  });
});

describe('the divergence account', () => {
  test('counts agreement, documented divergences, tags broader than the divergence, unexplained differences and undocumented keys', () => {
    const v = (id: string, tags: string[]): Item => ({ file: 'priv/x.json', vector: { id, tags } as unknown as Vector });
    const items = [v('a', []), v('b', ['qemu-divergence:pmpcfg-fields']), v('c', ['qemu-divergence:pmpcfg-fields']), v('d', []), v('e', ['qemu-divergence:made-up']), v('f', [])];
    const rec = (id: string, kind: ResultRecord['kind'], reason?: string): ResultRecord => ({ id, suite: 'priv', title: id, file: 'priv/x.json', kind, reason });
    const records = [rec('a', 'pass'), rec('b', 'xfail'), rec('c', 'xpass'), rec('d', 'fail'), rec('e', 'fail'), rec('f', 'skip', 'needs smrnmi')];
    const c = countDivergences({ hello: {} as never, records, summary: {} as never, info: {} as never }, items);
    expect(c.ran).toBe(5);
    expect(c.agree).toBe(1);
    expect([...c.documented]).toEqual([['pmpcfg-fields', 1]]);
    expect([...c.taggedButAgree]).toEqual([['pmpcfg-fields', 1]]);
    expect(c.unexplained).toEqual(['d', 'e']);
    expect([...c.undocumentedKeys]).toEqual([['made-up', 1]]);
    expect([...c.notRun]).toEqual([['needs smrnmi', 1]]);
  });
});

describe('QEMU runs', () => {
  maybe('a divergence tag explains a difference only when its KEY is documented', async () => {
    const divergent = withTag('qemu-divergence:amo-misaligned-cause').slice(0, 2);
    expect(divergent.length).toBe(2);
    const retagged = { ...divergent[1], tags: divergent[1].tags.map((t) => (t.startsWith('qemu-divergence:') ? 'qemu-divergence:not-in-the-document' : t)) };
    const items: Item[] = [{ file: 'priv/a.json', vector: divergent[0] }, { file: 'priv/a.json', vector: retagged }];
    const r = await runSuite({ items, selection: {}, spec: { kind: 'qemu', timeoutMs: 60_000 }, jobs: 1 });
    expect(r.records.map((x) => x.kind)).toEqual(['xfail', 'fail']);
  });

  maybe('S/U vectors with PMP, PMP-lock vectors (each in its own QEMU) and qemu-skip vectors', async () => {
    const priv = vectors().filter((v) => v.suite === 'priv' && !v.tags.some((t) => t.startsWith('qemu-divergence:')));
    const su = priv.filter((v) => v.tags.includes('s') && v.tags.includes('pmp') && !v.tags.includes('pmp-lock') && !qemuCannotRun(v)).slice(0, 30);
    const locked = priv.filter((v) => v.tags.includes('pmp-lock') && !qemuCannotRun(v)).slice(0, 4);
    const skipped = withTag('qemu-skip:').slice(0, 2);
    const items: Item[] = [...su, ...locked, ...skipped].map((vector) => ({ file: `priv/${vector.id}.json`, vector }));
    const r = await runSuite({ items, selection: {}, spec: { kind: 'qemu', timeoutMs: 60_000 }, jobs: 1 });
    const kinds = r.records.map((x) => x.kind);
    expect(kinds.slice(0, su.length + locked.length)).toEqual(Array(su.length + locked.length).fill('pass'));
    expect(r.records.slice(-2).map((x) => [x.kind, x.reason])).toEqual(skipped.map((v) => ['skip', qemuSkipReason(v.tags)]));
  });

  maybe('the tags vectors/generators/priv/qemu-model.ts decides sit on exactly the vectors that diverge (issue 8: no XPASS)', async () => {
    // Pairs of the same kind of vector on either side of a rule: a W-only PMP entry (the store
    // inside diverges, the load does not), an Sv39 AMO (read side faults vs write side faults or
    // passes), hpm counters (19..31 from M vs 3..18 and event selectors, a legal alternative),
    // csrrs of zero on a read-only CSR (allowed vs below its privilege).
    const priv = vectors().filter((v) => v.suite === 'priv');
    const byTitle = (t: RegExp) => priv.filter((v) => t.test(v.title)).slice(0, 2);
    const pick = [
      ...byTitle(/^pmp TOR -W- from S: store inside$/), ...byTitle(/^pmp TOR -W- from S: load inside$/), ...byTitle(/^pmp NAPOT -WX L from M: store inside$/), ...byTitle(/^pmp NAPOT -WX from M: store inside$/),
      ...byTitle(/^sv39 S amo: leaf level 0 flags VR$/), ...byTitle(/^sv39 S amo: leaf level 0 flags VRA$/), ...byTitle(/^sv39 S amo: leaf level 0 flags VRW$/),
      ...byTitle(/^csr mhpmcounter31: write 0x1,/), ...byTitle(/^csr mhpmcounter3: write 0x1,/), ...byTitle(/^csr mhpmevent31: write 0x1,/),
      ...byTitle(/^csr access hpmcounter31 \(0xc1f\): read from M$/), ...byTitle(/^csr access hpmcounter31 \(0xc1f\): read from S$/),
      ...byTitle(/^csr access mhartid \(0xf14\): csrrs with nonzero source from M$/), ...byTitle(/^csr access mhartid \(0xf14\): csrrs with nonzero source from S$/),
    ];
    expect(pick.length).toBe(14);
    const tagged = pick.map((v) => v.tags.some((t) => t.startsWith('qemu-divergence:')));
    expect(tagged).toEqual([true, false, true, false, true, false, false, true, false, false, true, false, true, false]);
    const items: Item[] = pick.map((vector) => ({ file: `priv/${vector.id}.json`, vector }));
    const r = await runSuite({ items, selection: {}, spec: { kind: 'qemu', timeoutMs: 60_000 }, jobs: 1 });
    expect(r.records.map((x) => [x.title, x.kind])).toEqual(pick.map((v, i) => [v.title, tagged[i] ? 'xfail' : 'pass']));
  });

  maybe('crosscheck: the ordinary reporters, --out, the account on stderr, and run\'s exit codes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-crosscheck-'));
    try {
      const out = path.join(dir, 'report.json');
      const divergent = withTag('qemu-divergence:amo-misaligned-cause').slice(0, 2).map((v) => v.id);
      const plain = vectors().filter((v) => v.suite === 'priv' && !v.tags.some((t) => t.startsWith('qemu-')) && !qemuCannotRun(v) && missingCapability(v, caps) === null).slice(0, 3).map((v) => v.id);
      const r = devirt(['vectors', 'crosscheck', '--oracle', 'qemu', ...[...divergent, ...plain].flatMap((id) => ['--filter', id]), '--reporter', 'json', '--out', out]);
      expect(r.stderr).toMatch(/^crosscheck: QEMU ran \d+ vectors: \d+ agree, \d+ documented divergences, 0 unexplained differences, 0 tagged but agreeing$/m);
      expect(r.stderr).toMatch(/^crosscheck: QEMU ran 5 vectors: 3 agree, 2 documented divergences,/m);
      expect(r.stderr).toMatch(/documented amo-misaligned-cause: 2 /);
      expect(r.status).toBe(0);
      const report = JSON.parse(fs.readFileSync(out, 'utf8'));
      expect(report.implementation.name).toBe('qemu-system-riscv64');
      expect(devirt(['vectors', 'crosscheck', '--oracle', 'qemu', '--filter', 'no vector has this in its title']).status).toBe(2);
      expect(devirt(['vectors', 'crosscheck', '--oracle', 'spike']).status).toBe(2);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});
