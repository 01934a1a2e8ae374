/** The `plantwire` exit codes, documented in docs/cli.md. */
export const EXIT = {
  /** Success; for `validate`, warnings alone still exit 0. */
  OK: 0,
  /** The flow document is invalid (JSON or validation errors), or the runtime failed. */
  INVALID: 1,
  /** Usage error (unknown command or option, missing argument) or the file could not be read. */
  USAGE: 2,
  /** A service could not start: the metrics port is taken or the data directory is unusable. */
  UNAVAILABLE: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure that ends the command with a given exit code and a one-line message. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
