/**
 * The SoundFonts the synthetic-data generator uses, from Debian's packages.
 * Node-only (reads files). Default split: train on FluidR3 and MuseScore
 * General, hold TimGM6mb out for the test split.
 */
import { existsSync, readFileSync } from "node:fs";
import { InvalidInputError } from "../errors.js";

export const SOUNDFONTS = {
  fluid: { path: "/usr/share/sounds/sf2/FluidR3_GM.sf2", package: "fluid-soundfont-gm" },
  musescore: { path: "/usr/share/sounds/sf3/MuseScore_General.sf3", package: "musescore-general-soundfont" },
  timgm6mb: { path: "/usr/share/sounds/sf2/TimGM6mb.sf2", package: "timgm6mb-soundfont" },
} as const;

export type FontName = keyof typeof SOUNDFONTS;
export const TRAIN_FONTS: readonly FontName[] = ["fluid", "musescore"];
export const TEST_FONTS: readonly FontName[] = ["timgm6mb"];

export function isFontName(s: string): s is FontName {
  return s in SOUNDFONTS;
}

const cache = new Map<FontName, ArrayBuffer>();

export function readSoundFont(name: FontName): ArrayBuffer {
  const hit = cache.get(name);
  if (hit) return hit;
  const f = SOUNDFONTS[name];
  if (!existsSync(f.path)) throw new InvalidInputError(`SoundFont "${name}" not found at ${f.path}: apt-get install ${f.package}`);
  const b = readFileSync(f.path);
  const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  cache.set(name, ab);
  return ab;
}

export function soundFontsAvailable(names: readonly FontName[]): true | string {
  const missing = names.filter((n) => !existsSync(SOUNDFONTS[n].path));
  return missing.length === 0 ? true : `SoundFonts missing: apt-get install ${missing.map((n) => SOUNDFONTS[n].package).join(" ")}`;
}
