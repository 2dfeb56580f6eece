/**
 * Readers for mir_eval's text formats (mir_eval.io, 0.7): whitespace-
 * delimited columns, lines starting with '#' skipped. Pure functions over
 * the file's text; `name` appears in errors ("ref.txt:12: …").
 */
import { InvalidInputError } from "../errors.js";

function lines(text: string): { row: number; fields: string[] }[] {
  const out: { row: number; fields: string[] }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.startsWith("#")) return;
    const t = line.trim();
    if (t === "") return;
    out.push({ row: i + 1, fields: t.split(/\s+/) });
  });
  return out;
}

const DIGITS = String.raw`\d(?:_?\d)*`;
const DECIMAL = new RegExp(`^[+-]?(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`);
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/**
 * Python's float() on one field, as mir_eval's loaders read numbers:
 * decimal and exponent forms with digit-grouping underscores ("1_000"),
 * "inf"/"infinity"/"nan" in any case with a sign; not hexadecimal, binary or
 * octal ("0x1B8" is an error there, and here). Python also reads non-ASCII
 * digits ("١٢"); we do not.
 */
export function pythonFloat(text: string): number {
  const s = text.trim();
  const special = SPECIAL.exec(s);
  if (special) return special[2].toLowerCase() === "nan" ? NaN : special[1] === "-" ? -Infinity : Infinity;
  if (!DECIMAL.test(s)) return NaN;
  return Number(s.replace(/_/g, ""));
}

function num(s: string, name: string, row: number): number {
  const v = pythonFloat(s);
  if (Number.isNaN(v) && !SPECIAL.test(s.trim())) throw new InvalidInputError(`${name}:${row}: cannot read "${s}" as a number`);
  return v;
}

/** Multipitch format (load_ragged_time_series): time, then zero or more frequencies. */
export function parseRaggedTimeSeries(text: string, name = "input"): { times: Float64Array; values: Float64Array[] } {
  const rows = lines(text);
  return {
    times: Float64Array.from(rows, (r) => num(r.fields[0], name, r.row)),
    values: rows.map((r) => Float64Array.from(r.fields.slice(1), (f) => num(f, name, r.row))),
  };
}

/** Fixed-column rows (load_delimited): exactly `nColumns` numbers per line. */
export function parseColumns(text: string, nColumns: number, name = "input"): Float64Array[] {
  const cols = Array.from({ length: nColumns }, () => [] as number[]);
  for (const r of lines(text)) {
    if (r.fields.length !== nColumns) throw new InvalidInputError(`${name}:${r.row}: expected ${nColumns} columns, got ${r.fields.length}`);
    r.fields.forEach((f, c) => cols[c].push(num(f, name, r.row)));
  }
  return cols.map((c) => Float64Array.from(c));
}

/** Melody format (load_time_series): time, frequency (≤ 0 unvoiced). */
export function parseTimeSeries(text: string, name = "input"): { times: Float64Array; values: Float64Array } {
  const [times, values] = parseColumns(text, 2, name);
  return { times, values };
}

export interface Notes {
  readonly intervals: [number, number][];
  /** Hz for transcription files; MIDI numbers in the velocity format. */
  readonly pitches: Float64Array;
  readonly velocities?: Float64Array;
}

/** Transcription format (load_valued_intervals): onset, offset, pitch (Hz). */
export function parseNotes(text: string, name = "input"): Notes {
  const [on, off, pitch] = parseColumns(text, 3, name);
  return { intervals: Array.from(on, (o, i) => [o, off[i]] as [number, number]), pitches: pitch };
}

/** Velocity transcription format: onset, offset, MIDI pitch, velocity. */
export function parseNotesWithVelocity(text: string, name = "input"): Notes {
  const [on, off, pitch, vel] = parseColumns(text, 4, name);
  return { intervals: Array.from(on, (o, i) => [o, off[i]] as [number, number]), pitches: pitch, velocities: vel };
}

/** Writes the multipitch format: "time f1 f2 …" per line, times with 6 decimals. */
export function formatRaggedTimeSeries(times: ArrayLike<number>, values: readonly ArrayLike<number>[]): string {
  let out = "";
  for (let i = 0; i < times.length; i++) {
    out += times[i].toFixed(6);
    for (let k = 0; k < values[i].length; k++) out += `\t${Number(values[i][k].toFixed(4))}`;
    out += "\n";
  }
  return out;
}
