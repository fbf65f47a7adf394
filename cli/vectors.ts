// `devirt vectors regen | verify | crosscheck --oracle qemu`: maintenance of the vector suites.

import { Command } from 'commander';
import { divergenceAccount } from '../harness/oracle/crosscheck';
import { CliError, EXIT } from './exit-codes';
import { addRunOptions, qemuSpec, runAndReport, RunFlags, timeoutOf } from './run';
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

  // The crosscheck is an ordinary run with the QEMU adapter (the one path that drives QEMU), plus an
  // account of the divergences: the same selection, reporters, --out and exit codes as `devirt run`.
  addRunOptions(vectors.command('crosscheck').description('run the vectors on QEMU, the independent oracle, and account for every divergence')
    .requiredOption('--oracle <name>', 'the oracle (qemu)'))
    .action(async (o: RunFlags & { oracle: string }) => {
      if (o.oracle !== 'qemu') throw new CliError(`--oracle: unknown oracle '${o.oracle}' (known: qemu)`);
      const timeoutMs = timeoutOf(o);
      await runAndReport(o, qemuSpec('--oracle qemu', timeoutMs), 'devirt vectors crosscheck', divergenceAccount);
    });
}
