// The second example adapter (conformance/PROTOCOL.md section 5): Python 3, standard library
// only, over QEMU through its gdbstub, run as a user runs it (`devirt run --impl-cmd`) on a
// deterministic sample of the isa and priv suites (shard 1 of 150, about 150 vectors). QEMU's
// documented divergences (the vectors' qemu-divergence tags) go in an expected-failure list, as
// the harness provides for any implementation; everything else must pass.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { select } from '../../harness/load';
import { qemuAvailable } from '../../harness/oracle/qemu-state';
import { devirt, documentedStartCsrs, ROOT, suiteItems } from './helpers';

const hasPython = spawnSync('python3', ['--version']).status === 0;
const runnable = qemuAvailable() && hasPython;
if (!runnable) process.stderr.write('qemu-gdb-adapter.test: skipped: needs python3 and qemu-system-riscv64 (apt-get install python3 qemu-system-misc)\n');
const maybe = runnable ? test : test.skip;

const ADAPTER = `python3 ${JSON.stringify(path.join(ROOT, 'harness/adapters/qemu_gdb.py'))}`;
const SAMPLE = ['--suite', 'isa', 'priv', '--shard', '1/150'];
/** Requests the adapter declines, by design (its module comment says why). */
const DECLINED = /^the implementation reported: cannot report (mstatus|mepc|mcause|mtval)/;

describe('Python adapter over QEMU (gdbstub)', () => {
  maybe('starts from PROTOCOL.md 4 (checked on QEMU): RAM zero but the vector, every documented CSR it can report but tdata1', () => {
    // The trap overwrote these four; QEMU 7.2's gdbstub does not expose the others.
    const unreported = /^(mstatus|mepc|mcause|mtval|stimecmp|hpmcounter\d+|mhpmcounter(19|[23]\d)|mn\w+)$/;
    const table = [...documentedStartCsrs()].filter(([name]) => !unreported.test(name));
    const run = { type: 'run', id: 'isa-0000000000000001', inputs: { kind: 'state', memory: [{ base: '0x80000000', words: ['0x100073'] }], hart: { pc: '0x80000000' }, stop: { maxInsns: 5, onTrap: true } }, csrs: table.map(([name]) => name), observe: [{ base: '0x80000000', length: 0x100000 }] };
    const r = spawnSync('sh', ['-c', ADAPTER], { input: JSON.stringify(run) + '\n', encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    const [hello, reply] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(hello.type).toBe('hello');
    expect(reply.type).toBe('result');
    const differs = table.filter(([name, value]) => BigInt(reply.observation.csrs[name]) !== value).map(([name]) => [name, reply.observation.csrs[name]]);
    expect(differs).toEqual([['tdata1', '0x2000000000000000']]);
    expect(reply.observation.exit).toEqual({ kind: 'trap', cause: '0x0000000000000003', tval: '0x0000000000000000', epc: '0x0000000080000000' });
    // RAM is zero but for the vector's region (QEMU's device tree and the adapter's own store are gone).
    expect(reply.observation.memory[0].bytes).toBe('73001000' + '00'.repeat(0x100000 - 4));
  });

  maybe('speaks the protocol: a sample of isa and priv passes but for QEMU\'s documented divergences', () => {
    const sample = select(suiteItems(), { suite: ['isa', 'priv'], shard: { index: 1, count: 150 } }).map((it) => it.vector!);
    // qemu-skip: vectors make QEMU 7.2 itself abort (documented beside the divergences).
    const documented = (t: string) => t.startsWith('qemu-divergence:') || t.startsWith('qemu-skip:');
    const divergent = sample.filter((v) => v.tags.some(documented));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-qemu-gdb-'));
    try {
      const list = path.join(dir, 'qemu-divergences.txt');
      fs.writeFileSync(list, divergent.map((v) => `${v.id} # ${v.tags.find(documented)} (conformance/qemu-divergences.md)\n`).join(''));
      const r = devirt(['run', '--impl-cmd', `DEVIRT_QEMU_RUN_SECONDS=20 ${ADAPTER}`, ...SAMPLE, '--jobs', '2', '--timeout', '30000', '--reporter', 'json', '--expect-fail', list]);
      const report = JSON.parse(r.stdout);
      expect(report.implementation.name).toBe('qemu-system-riscv64 (gdbstub, qemu_gdb.py)');
      expect(report.implementation.capabilities).not.toContain('step');
      expect(report.total.total).toBe(sample.length);
      const divergentIds = new Set(divergent.map((v) => v.id));
      // A vector needing a capability the adapter does not declare (zihpm) is skipped with that reason.
      const unexplained = report.results.filter((x: { id: string; kind: string; reason?: string }) => x.kind !== 'pass' &&
        !(x.kind === 'skip' && /^needs /.test(x.reason ?? '')) && !divergentIds.has(x.id) && !(x.kind === 'error' && DECLINED.test(x.reason ?? '')));
      expect(unexplained).toEqual([]);
      // A divergence tag can be broader than the divergence (issue 8): such a vector passes
      // here (XPASS, which fails the run); it must be one of the tagged vectors.
      for (const x of report.results.filter((y: { kind: string }) => y.kind === 'xpass')) expect(divergentIds.has(x.id)).toBe(true);
      expect(report.total.pass).toBeGreaterThan(sample.length * 0.9);
      expect(r.status).toBe(report.total.xpass > 0 ? 1 : 0);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });

  maybe('a vector that never traps into M is answered with an error naming why, and the session goes on', () => {
    // `j .` forever: the adapter cannot stop at stop.maxInsns without a per-instruction hook.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-qemu-gdb-'));
    try {
      const loop = { id: 'isa-00000000000000aa', title: 'loops', suite: 'isa', tags: ['rv64i'], spec: 'test', provenance: { expected: 'reference', generator: 'test', generatorVersion: '1', referenceVersion: '0' },
        inputs: { kind: 'state', memory: [{ base: '0x80000000', words: ['0x6f'] }], hart: { pc: '0x80000000' }, stop: { maxInsns: 10, onTrap: true } },
        expected: { exit: { kind: 'limit' }, x: {}, pc: '0x80000000' } };
      const add = suiteItems().find((it) => it.file === 'isa/add.json')!.vector!;
      fs.mkdirSync(path.join(dir, 'isa'));
      fs.writeFileSync(path.join(dir, 'isa/t.json'), JSON.stringify({ vectors: [loop, add] }));
      const r = devirt(['run', '--impl-cmd', `DEVIRT_QEMU_RUN_SECONDS=1 ${ADAPTER}`, '--vectors', dir, '--jobs', '1', '--reporter', 'json']);
      const report = JSON.parse(r.stdout);
      expect(report.results.filter((x: { kind: string }) => x.kind !== 'pass')).toEqual([expect.objectContaining({ id: loop.id, kind: 'error', reason: expect.stringMatching(/no trap reached the M-mode trap vector within 1 s .*cannot stop at stop\.maxInsns/) })]);
      expect(report.total.pass).toBe(1);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});
