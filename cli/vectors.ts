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

  const suitesOf = (o: { suite?: string[] }): string[] | undefined => {
    if (!o.suite) return undefined;
    const known = new Set(generators().everyGroup().map((g) => g.suite));
    for (const s of o.suite) if (!known.has(s)) throw new CliError(`--suite: no generator makes suite '${s}' (known: ${[...known].sort().join(', ')})`);
    return o.suite;
  };

  vectors.command('regen').description('rebuild the vector files from the generators and the reference')
    .option('--suite <name...>', 'only these suites\' files (stale files and images are cleaned up only by a full regen)')
    .option('--seed <n>', 'instead: random streams from seed N into --out DIR (not the committed suite), for fuzzing')
    .option('--count <n>', 'with --seed: how many streams', '100')
    .option('--out <dir>', 'with --seed: the vectors directory to write (run it with devirt run --vectors DIR)')
    .action((o: { suite?: string[]; seed?: string; count: string; out?: string }) => {
      const t = Date.now();
      if (o.seed !== undefined || o.out !== undefined) {
        const seed = Number(o.seed), count = Number(o.count);
        if (o.seed === undefined || !/^\d+$/.test(o.seed) || !Number.isSafeInteger(seed) || seed < 1) throw new CliError(`--seed: bad value '${o.seed ?? ''}' (a positive integer; --out needs it)`);
        if (!/^\d+$/.test(o.count) || count < 1 || count > 100_000) throw new CliError(`--count: bad value '${o.count}' (1 to 100000)`);
        if (o.out === undefined) throw new CliError('--seed: needs --out DIR (the committed suite is only ever regenerated as it is)');
        if (o.suite) throw new CliError('--seed: makes isa random streams; --suite does not apply');
        const file = generators().randomVectors(o.out, seed, count);
        process.stderr.write(`wrote ${count} random streams (seeds ${seed}..${seed + count - 1}) to ${file} (${((Date.now() - t) / 1000).toFixed(1)} s); run them with devirt run --vectors ${o.out}\n`);
        return;
      }
      const r = generators().regen(undefined, suitesOf(o));
      process.stderr.write(`regenerated ${r.vectors} vectors in ${r.files} files (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
    });

  vectors.command('verify').description('check that a fresh regeneration is byte-identical to the committed vectors')
    .option('--suite <name...>', 'only these suites\' files')
    .action((o: { suite?: string[] }) => {
      const differing = generators().verify(undefined, suitesOf(o));
      if (differing.length) {
        for (const f of differing) process.stderr.write(`vectors/${f}: differs from a fresh regeneration\n`);
        process.exitCode = EXIT.failures;
      } else process.stderr.write(`vectors: every file${o.suite ? ` of ${o.suite.join(', ')}` : ''} regenerates byte for byte\n`);
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
