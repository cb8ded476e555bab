/** A bad flag or argument: the message names it and says what was expected. Exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Bad input data: the message names the file (and line, where there is one) and what was expected.
 * Exit code 1. Batch jobs catch it per record, count it and go on.
 */
export class DataError extends Error {
  override name = 'DataError';
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly line?: number,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${problem}`);
  }
}

/** The exit code a command ends with for an error. */
export function exitCodeFor(err: unknown): number {
  return err instanceof UsageError ? 2 : 1;
}
