// The `devirt` command line. Each subcommand lives in its own module and registers itself here.

import { Command, CommanderError } from 'commander';
import { registerBoot } from './boot';
import { CliError, EXIT, signalExitCode } from './exit-codes';
import { isQemuLine, KnownOption, translateQemuArgs } from './qemu-args';

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
// A subcommand's module that fails to load is a broken install: say so and stop, rather than run on
// without the subcommand (which would then be reported as unknown).
for (const mod of process.argv[2] === 'boot' ? [] : ['./run', './vectors', './report', './gate', './upgrade']) {
  let m: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    m = require(mod);
  } catch (e) {
    const first = String((e as Error)?.message ?? e).split('\n')[0];
    process.stderr.write(`devirt: broken install: cannot load the ${mod.slice(2)} subcommands (${first}); run npm ci && npm run build\n`);
    process.exit(EXIT.internal);
  }
  for (const k of Object.keys(m)) if (k.startsWith('register') && typeof m[k] === 'function') (m[k] as (p: Command) => void)(program);
}

function fail(e: unknown): void {
  if (e instanceof CommanderError) { process.exitCode = e.exitCode === 0 ? 0 : EXIT.usage; return; }
  if (e instanceof CliError) { process.stderr.write(`devirt: ${e.message}\n`); process.exitCode = e.exitCode; return; }
  process.stderr.write(`devirt: internal error: ${(e as Error)?.stack ?? e}\n`);
  process.exitCode = EXIT.internal;
}

/**
 * `devirt boot` with QEMU's spelling (`-kernel x -M virt ...`) is translated into devirt's own
 * options first (cli/qemu-args.ts); what QEMU would do differently is said on stderr.
 */
function argv(): string[] {
  const args = process.argv;
  if (args[2] !== 'boot' || !isQemuLine(args.slice(3))) return args;
  const boot = program.commands.find((c) => c.name() === 'boot')!;
  const known = new Map<string, KnownOption>(boot.options.filter((o) => o.long).map((o) => [o.long!, { takesValue: o.required || o.optional }]));
  const notes: string[] = [];
  const translated = translateQemuArgs(args.slice(3), known, notes);
  for (const n of notes) process.stderr.write(`devirt: note: ${n}\n`);
  return [...args.slice(0, 3), ...translated];
}

try {
  program.parseAsync(argv()).catch(fail);
} catch (e) {
  fail(e);
}
