// Exit codes of the devirt command line (documented in the README).
export const EXIT = {
  ok: 0,
  failures: 1,
  usage: 2,
  internal: 3,
  /** `devirt boot --lockstep`: the translator differed from the interpreter (a bug in the translator). */
  lockstep: 4,
  /** The guest did not finish: --max-insns reached, or idle with nothing left to wake it. */
  hang: 124,
  /** The hart takes the same trap over and over and retires nothing (QEMU would spin forever). */
  stuck: 125,
} as const;

/** An error that the command line reports as one line with a distinct exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.usage) { super(message); }
}

/** A run stopped by a signal exits as a shell reports it: 128 + the signal number (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (require('os').constants.signals[signal] as number);
}
