/**
 * Whether a compressed file ends where its stream ends. One rule for every
 * format: a truncated file is refused (WAV and FLAC readers already refuse
 * data that stop short of what their headers declare). For the containers
 * that declare no length this looks at the file's last bytes:
 * - Ogg: the last page must be whole and carry the end-of-stream flag
 *   (header_type bit 2), as every Ogg muxer writes it;
 * - MP3: the chain of frame headers found near the end must end exactly at
 *   the end of the file (or at an ID3v1 "TAG" block); a last frame that runs
 *   past the end was cut.
 * Pure functions over bytes (browser-safe).
 */

/** How many bytes from the end of a file `truncation` wants to see. */
export const TAIL_BYTES = 1 << 16;

/** Why the file is truncated, or undefined when it ends where its stream ends. `tail` holds the file's last bytes, `size` its length. */
export function truncation(format: "ogg-vorbis" | "mp3", tail: Uint8Array, size: number): string | undefined {
  return format === "ogg-vorbis" ? oggTruncation(tail, size) : mp3Truncation(tail, size);
}

function oggTruncation(tail: Uint8Array, size: number): string | undefined {
  // The last "OggS" capture pattern whose page header parses.
  for (let p = tail.length - 27; p >= 0; p--) {
    if (tail[p] !== 0x4f || tail[p + 1] !== 0x67 || tail[p + 2] !== 0x67 || tail[p + 3] !== 0x53 || tail[p + 4] !== 0) continue;
    const segments = tail[p + 26];
    if (p + 27 + segments > tail.length) return "the last Ogg page is cut short (the file is truncated)";
    let body = 0;
    for (let i = 0; i < segments; i++) body += tail[p + 27 + i];
    const end = p + 27 + segments + body;
    if (end > tail.length) return `the last Ogg page is cut short: it needs ${end - tail.length} more bytes (the file is truncated at byte ${size})`;
    if ((tail[p + 5] & 0x04) === 0) return "the Ogg stream has no end-of-stream page (the file is truncated)";
    return undefined;
  }
  return "no Ogg page found in the file's last bytes";
}

const BITRATES: Record<string, number[]> = {
  // [version][layer] → kbit/s by index (MPEG-1; MPEG-2/2.5 share rows per layer).
  "1-1": [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  "1-2": [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  "1-3": [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  "2-1": [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  "2-2": [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  "2-3": [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

/** The length in bytes of the MPEG audio frame whose header starts at `p`, or 0 when no valid header is there. */
export function mp3FrameLength(b: Uint8Array, p: number): number {
  if (p + 4 > b.length || b[p] !== 0xff || (b[p + 1] & 0xe0) !== 0xe0) return 0;
  const versionBits = (b[p + 1] >> 3) & 3, layerBits = (b[p + 1] >> 1) & 3;
  const bitrateIndex = b[p + 2] >> 4, rateIndex = (b[p + 2] >> 2) & 3, padding = (b[p + 2] >> 1) & 1;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return 0;
  const layer = 4 - layerBits, v1 = versionBits === 3;
  const kbps = BITRATES[`${v1 ? 1 : 2}-${layer}`][bitrateIndex];
  const rate = RATES[versionBits][rateIndex];
  if (layer === 1) return (Math.floor((12 * kbps * 1000) / rate) + padding) * 4;
  const perFrame = layer === 3 && !v1 ? 72 : 144;
  return Math.floor((perFrame * kbps * 1000) / rate) + padding;
}

function mp3Truncation(tail: Uint8Array, size: number): string | undefined {
  let end = tail.length;
  if (end >= 128 && tail[end - 128] === 0x54 && tail[end - 127] === 0x41 && tail[end - 126] === 0x47) end -= 128; // ID3v1 "TAG"
  // The first place in the tail where three frames follow one another; then follow that chain to the end.
  for (let p = 0; p + 4 <= end; p++) {
    const a = mp3FrameLength(tail, p);
    if (a === 0) continue;
    const b = mp3FrameLength(tail, p + a);
    if (b === 0 || mp3FrameLength(tail, p + a + b) === 0) continue;
    let q = p;
    for (;;) {
      const len = mp3FrameLength(tail, q);
      if (len === 0) return undefined; // the chain ends in something else (a tag): not a cut frame
      if (q + len === end) return undefined;
      if (q + len > end) return `the last MP3 frame is cut short: it needs ${q + len - end} more bytes (the file is truncated at byte ${size})`;
      q += len;
    }
  }
  return undefined; // no frame chain near the end (a tiny file): the decoder decides
}
