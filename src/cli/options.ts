/** Option parsers shared by the commands. A bad value is bad usage: commander reports it and mirkit exits 2. */
import { InvalidArgumentError } from "commander";

/** A commander parser for an integer option from `min` to `max`. */
export function intOption(name: string, min = 1, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v) => {
    const n = /^[+-]?\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}, got "${v}"`);
    }
    return n;
  };
}

/** Bad usage found after parsing (an option value that does not fit another): printed as one line, exit 2. */
export class UsageError extends Error {}
