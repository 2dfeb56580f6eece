/**
 * Spoken syllables from eSpeak NG (Debian `espeak-ng`), the raw material of
 * the speech singer (data/songs.ts singSpeech), which re-pitches them onto
 * sung contours. Node-only: runs the `espeak-ng` program and reads its WAV.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { MirError } from "../errors.js";
import { decodeWav } from "./wav.js";

/** Voice variants used for singing: eSpeak's male and female formant variants. */
export const ESPEAK_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5"] as const;
export type EspeakVariant = (typeof ESPEAK_VARIANTS)[number];

export function espeakAvailable(): true | string {
  const r = spawnSync("espeak-ng", ["--version"], { encoding: "utf8" });
  return r.error === undefined && r.status === 0 ? true : "espeak-ng is not installed (apt-get install espeak-ng)";
}

const cache = new Map<string, { audio: Float32Array; sampleRate: number }>();

/**
 * `text` spoken by eSpeak NG's English voice with `variant`, base pitch `pitch` (0–99) and `wpm` words
 * per minute: mono audio at its own rate (22050 Hz). Cached per arguments.
 */
export function speak(text: string, variant: EspeakVariant, pitch: number, wpm = 90): { audio: Float32Array; sampleRate: number } {
  const key = `${text}|${variant}|${pitch}|${wpm}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const dir = mkdtempSync(path.join(tmpdir(), "mirkit-espeak-"));
  try {
    const file = path.join(dir, "out.wav");
    const r = spawnSync("espeak-ng", ["-v", `en+${variant}`, "-p", String(Math.round(pitch)), "-s", String(wpm), "-w", file, text.replace(/[^a-z ]/gi, "")], { encoding: "utf8", timeout: 30000 });
    if (r.error !== undefined) throw new MirError(`espeak-ng could not run: ${r.error.message}`);
    if (r.status !== 0) throw new MirError(`espeak-ng failed (exit ${r.status ?? r.signal}): ${r.stderr.trim().split("\n").pop() ?? ""}`);
    const w = decodeWav(new Uint8Array(readFileSync(file)), file);
    const out = { audio: w.channels[0], sampleRate: w.sampleRate };
    if (cache.size > 512) cache.delete(cache.keys().next().value as string);
    cache.set(key, out);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
