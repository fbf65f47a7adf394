// The `devirt` command line. Each subcommand lives in its own module and registers itself here.

import { Command, CommanderError } from 'commander';
import { registerBoot } from './boot';
import { CliError, EXIT, signalExitCode } from './exit-codes';

const program = new Command();
program
  .name('devirt')
  .description('conformance suite and reference implementation for devirtualizable virtual machines')
  .version(require('../../package.json').version)
  .exitOverride()
  // Subcommands inherit this: a stray word (`devirt vectors verify extra`) is an error, not ignored.
  .allowExcessArguments(false)
  // Commander's own usage errors get devirt's prefix, like every other bad-input line.
  .configureOutput({ writeErr: (s) => process.stderr.write(s.replace(/^error: /, 'devirt: ')) });

// `devirt run | head`: when the reader of stdout goes away, stop quietly with SIGPIPE's status, as
// a pipeline's writer does, rather than crash on the write.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(signalExitCode('SIGPIPE'));
  throw e;
});

registerBoot(program);
// `devirt boot` registers alone: the other subcommands pull in the vector and harness code,
// which would slow every boot's startup for nothing.
for (const mod of process.argv[2] === 'boot' ? [] : ['./run', './vectors', './report', './gate']) {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const m = require(mod);
    for (const k of Object.keys(m)) if (k.startsWith('register') && typeof m[k] === 'function') m[k](program);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
  }
}

function fail(e: unknown): void {
  if (e instanceof CommanderError) { process.exitCode = e.exitCode === 0 ? 0 : EXIT.usage; return; }
  if (e instanceof CliError) { process.stderr.write(`devirt: ${e.message}\n`); process.exitCode = e.exitCode; return; }
  process.stderr.write(`devirt: internal error: ${(e as Error)?.stack ?? e}\n`);
  process.exitCode = EXIT.internal;
}

program.parseAsync(process.argv).catch(fail);
