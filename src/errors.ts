/**
 * One error hierarchy for the whole library. A message names the operation,
 * what it got, what it expected and how to fix it; `file` carries the path
 * when the problem is in a file, so the CLI can print one line naming it.
 */
export class MirError extends Error {
  readonly file: string | undefined;
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super(options.file === undefined ? message : `${options.file}: ${message}`, { cause: options.cause });
    this.name = new.target.name;
    this.file = options.file;
  }
}

/** The input is malformed: bad values, bad shapes, a corrupt or truncated file. */
export class InvalidInputError extends MirError {}

/** The input is well-formed but uses something we do not read (a codec, a bit depth). */
export class UnsupportedFormatError extends MirError {}

/** A model could not be loaded or run. */
export class ModelError extends MirError {}

/** Throws InvalidInputError unless `condition` holds. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvalidInputError(message);
}
