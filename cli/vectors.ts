// `devirt vectors regen | verify | crosscheck --oracle qemu`: maintenance of the vector suites.

import { Command } from 'commander';
import { crosscheck, VectorFileError } from '../harness/oracle/crosscheck';
import { qemuAvailable } from '../harness/oracle/qemu-state';
import { CliError, EXIT } from './exit-codes';
import { registerVectorBrowsing } from './vectors-browse';

/** The generators load only for the commands that run them: `devirt run` starts without them. */
const generators = (): typeof import('../vectors/build') => require('../vectors/build');

export function registerVectors(program: Command): void {
  const vectors = program.command('vectors').description('list, show, export, regenerate, verify and cross-check the vector suites');
  registerVectorBrowsing(vectors);

  vectors.command('regen').description('rebuild every vector file from the generators and the reference')
    .action(() => {
      const t = Date.now();
      const r = generators().regen();
      process.stderr.write(`regenerated ${r.vectors} vectors in ${r.files} files (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
    });

  vectors.command('verify').description('check that a fresh regeneration is byte-identical to the committed vectors')
    .action(() => {
      const differing = generators().verify();
      if (differing.length) {
        for (const f of differing) process.stderr.write(`vectors/${f}: differs from a fresh regeneration\n`);
        process.exitCode = EXIT.failures;
      } else process.stderr.write('vectors: every file regenerates byte for byte\n');
    });

  vectors.command('crosscheck').description('run the vectors on an independent implementation and report divergences')
    .requiredOption('--oracle <name>', 'the oracle (qemu)')
    .option('--filter <text>', 'only vectors whose id or title contains TEXT')
    .option('--jobs <n>', 'QEMU processes in parallel', '2')
    .action(async (o: { oracle: string; filter?: string; jobs: string }) => {
      if (o.oracle !== 'qemu') throw new CliError(`--oracle: unknown oracle '${o.oracle}' (known: qemu)`);
      if (!qemuAvailable()) throw new CliError('--oracle qemu: qemu-system-riscv64 is not installed (apt-get install qemu-system-misc)');
      const jobs = Number(o.jobs);
      if (!Number.isInteger(jobs) || jobs < 1) throw new CliError(`--jobs: bad value '${o.jobs}'`);
      const tty = process.stderr.isTTY;
      let r;
      try { r = await crosscheck({ filter: o.filter, jobs, onProgress: (d, t) => { if (tty) process.stderr.write(`\rcrosscheck ${d}/${t}`); } }); }
      catch (e) { if (e instanceof VectorFileError) throw new CliError(e.message); throw e; }
      if (tty) process.stderr.write('\n');
      console.log(`checked ${r.checked} vectors on QEMU (${r.skipped} not runnable there): ${r.agreed} agree, ${r.documented.length} documented divergences, ${r.unexplained.length} unexplained`);
      const byKey = new Map<string, number>();
      for (const d of r.documented) byKey.set(d.key, (byKey.get(d.key) ?? 0) + 1);
      for (const [k, n] of byKey) console.log(`  documented ${k}: ${n} (conformance/qemu-divergences.md)`);
      for (const u of r.unexplained.slice(0, 50)) console.log(`  UNEXPLAINED ${u.id} ${u.title}: ${u.difference.where} expected ${u.difference.expected} qemu ${u.difference.actual}`);
      if (r.unexplained.length) process.exitCode = EXIT.failures;
    });
}
