/** Option parsers shared by the commands. */
import { InvalidInputError } from "../errors.js";

/** A commander parser for an integer option ≥ `min`; anything else is a one-line input error. */
export function intOption(name: string, min = 1): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidInputError(`${name} must be an integer ≥ ${min}, got "${v}"`);
    return n;
  };
}
