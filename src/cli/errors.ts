/**
 * Errors the command-line tools raise on purpose. Each carries the exact line a
 * user sees and the exit status; `main()` prints it and sets the status.
 */

/** A failure the user can fix: printed as one line on stderr, exit status `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/**
 * A command-line usage mistake (bad flag, missing required option): Kafka's tools
 * print the message followed by the option table on stderr and exit 1.
 */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'UsageError';
  }
}

/** Thrown to end a command early with a given status after it printed what it had to. */
export class ExitRequest extends Error {
  readonly exitCode: number;
  constructor(exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitRequest';
    this.exitCode = exitCode;
  }
}
