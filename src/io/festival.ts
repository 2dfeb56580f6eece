/**
 * Sung lyrics from Festival's singing mode (Debian `festival`, voices
 * `festvox-kallpc16k` and `festvox-us-slt-hts`). Node-only: it runs the
 * `festival` program on a generated XML score and a Scheme script that
 * saves the wave and prints the Segment relation (phone, end time).
 *
 * Festival's conventions, handled here: with BPM = 50 one beat lasts one
 * second (its beat is 50/BPM s), so durations are written in seconds; note
 * names use octave = ⌊MIDI/12⌋ (its "A5" is 440 Hz); rests are REST elements.
 * The kal voice crashes on notes above ≈ 500 Hz: pitches above MIDI 71 are
 * refused before Festival runs. A crash or a hang is reported as an error.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { InvalidInputError, MirError } from "../errors.js";
import { decodeWav } from "./wav.js";

export interface SungNote {
  readonly onset: number;
  readonly offset: number;
  readonly pitch: number;
  readonly syllable: string;
}

export interface Segment {
  readonly phone: string;
  readonly start: number;
  readonly end: number;
}

export interface SungPhrase {
  readonly audio: Float32Array;
  readonly sampleRate: number;
  readonly segments: Segment[];
}

export type FestivalVoice = "kal" | "slt";
const VOICE_CMD: Record<FestivalVoice, string> = { kal: "(voice_kal_diphone)", slt: "(voice_cmu_us_slt_arctic_hts)" };
const NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
export const MAX_KAL_PITCH = 71;

export function festivalAvailable(): true | string {
  const r = spawnSync("festival", ["--version"], { encoding: "utf8" });
  return r.error === undefined ? true : "festival is not installed (apt-get install festival festvox-kallpc16k)";
}

/** The singing-mode XML for notes (sorted, non-overlapping), starting at time 0. */
export function singingXml(notes: readonly SungNote[]): string {
  let xml = '<?xml version="1.0"?>\n<!DOCTYPE SINGING PUBLIC "-//SINGING//DTD SINGING mark up//EN" "Singing.v0_1.dtd" []>\n<SINGING BPM="50">\n';
  let t = 0;
  for (const n of notes) {
    if (n.onset < t - 1e-9) throw new InvalidInputError(`sung notes overlap at ${n.onset.toFixed(3)} s; a voice sings one note at a time`);
    if (n.onset - t > 1e-4) xml += `<REST BEATS="${(n.onset - t).toFixed(4)}"></REST>\n`;
    const name = `${NAMES[n.pitch % 12]}${Math.floor(n.pitch / 12)}`;
    const syl = n.syllable.replace(/[^a-z]/gi, "") || "la";
    xml += `<PITCH NOTE="${name}"><DURATION BEATS="${(n.offset - n.onset).toFixed(4)}">${syl}</DURATION></PITCH>\n`;
    t = n.offset;
  }
  return xml + "</SINGING>\n";
}

/** Sings `notes` (one phrase); returns the voice's audio at its own rate and the phone segments. */
export function singPhrase(notes: readonly SungNote[], options: { voice?: FestivalVoice; timeoutMs?: number } = {}): SungPhrase {
  const voice = options.voice ?? "kal";
  for (const n of notes) if (voice === "kal" && n.pitch > MAX_KAL_PITCH) throw new InvalidInputError(`Festival's kal voice cannot sing MIDI ${n.pitch} (above B4 it crashes); keep sung parts at or below ${MAX_KAL_PITCH}`);
  const dir = mkdtempSync(path.join(tmpdir(), "mirkit-festival-"));
  try {
    const xmlFile = path.join(dir, "song.xml"), wavFile = path.join(dir, "out.wav"), scm = path.join(dir, "run.scm");
    writeFileSync(xmlFile, singingXml(notes));
    writeFileSync(scm, `${VOICE_CMD[voice]}
(set! mirkit_dump (lambda (utt)
  (mapcar (lambda (s) (format t "SEG %s %f\\n" (item.name s) (item.feat s "end"))) (utt.relation.items utt 'Segment))
  (utt.save.wave utt "${wavFile}" 'riff)
  utt))
(set! tts_hooks (list utt.synth mirkit_dump))
(tts_file "${xmlFile}" 'singing)
`);
    const r = spawnSync("festival", ["-b", scm], { encoding: "utf8", timeout: options.timeoutMs ?? 120000 });
    if (r.error !== undefined) throw new MirError(`festival could not run: ${r.error.message}`);
    if (r.status !== 0) throw new MirError(`festival failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim().split("\n").pop() ?? ""}`);
    const segments: Segment[] = [];
    let prev = 0;
    for (const line of r.stdout.split("\n")) {
      const m = /^SEG (\S+) ([\d.]+)$/.exec(line.trim());
      if (!m) continue;
      const end = Number(m[2]);
      segments.push({ phone: m[1], start: prev, end });
      prev = end;
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(wavFile));
    } catch {
      throw new MirError("festival produced no audio (did the voice crash?)");
    }
    const audio = decodeWav(bytes, wavFile);
    return { audio: audio.channels[0], sampleRate: audio.sampleRate, segments };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Festival's vowels (radio/mrpa phone sets, which kal and slt use). */
export const VOWELS = new Set(["aa", "ae", "ah", "ao", "aw", "ax", "ay", "eh", "er", "ey", "ih", "iy", "ow", "oy", "uh", "uw", "a", "e", "i", "o", "u", "@", "@@"]);
