/**
 * Node-only: MP3 and Ogg Vorbis outputs through Debian's encoders (`lame`,
 * `oggenc`), which no npm package matches in quality and licence. The WAV
 * they read is ours; the result goes to a temporary sibling of the target and
 * is renamed into place, like every output.
 */
import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import { InvalidInputError, UnsupportedFormatError } from "../errors.js";
import { atomicTarget, releaseTemp, tempFor } from "./file.js";

export type ExternalFormat = "mp3" | "ogg";

/** The encoder's setting: for MP3 a constant bit rate (kbit/s), for Vorbis a quality level (−1…10). */
export interface EncoderSetting {
  readonly kbps?: number;
  readonly quality?: number;
}

const TOOLS: Record<ExternalFormat, { tool: string; pkg: string; args: (wav: string, out: string, s: EncoderSetting) => string[] }> = {
  // By default LAME's VBR preset V2 (≈ 190 kbit/s), the usual transparent setting, and oggenc quality 6
  // (≈ 192 kbit/s). Vorbis takes a quality rather than a bit rate: its bit-rate modes refuse many
  // rate/channel combinations (64 kbit/s stereo at 22.05 kHz, for one).
  mp3: { tool: "lame", pkg: "lame", args: (wav, out, s) => ["--quiet", ...(s.kbps ? ["-b", String(s.kbps)] : ["-V2"]), wav, out] },
  ogg: { tool: "oggenc", pkg: "vorbis-tools", args: (wav, out, s) => ["-Q", "-q", String(s.quality ?? 6), wav, "-o", out] },
};

/** Whether the encoder for `format` is installed (true), or the message saying how to get it. */
export function encoderAvailable(format: ExternalFormat): true | string {
  const t = TOOLS[format];
  return spawnSync(t.tool, ["--version"]).status === 0 ? true : `${format.toUpperCase()} output needs ${t.tool} (apt-get install ${t.pkg})`;
}

/** Encodes a WAV file to `out` (MP3 or Ogg Vorbis), at the encoder's transparent setting unless `setting` says otherwise. */
export async function encodeWithTool(format: ExternalFormat, wav: string, out: string, setting: EncoderSetting = {}): Promise<void> {
  const available = encoderAvailable(format);
  if (available !== true) throw new UnsupportedFormatError(available, { file: out });
  const target = await atomicTarget(out);
  const tmp = tempFor(target);
  const t = TOOLS[format];
  try {
    const r = spawnSync(t.tool, t.args(wav, tmp, setting), { encoding: "utf8" });
    if (r.status !== 0) throw new InvalidInputError(`${t.tool} failed: ${(r.stderr || r.error?.message || "").trim().split("\n")[0]}`, { file: out });
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  } finally {
    releaseTemp(tmp);
  }
}
