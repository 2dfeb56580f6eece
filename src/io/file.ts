/**
 * Node-only file access: whole-file reads, atomic writes, and a chunked reader
 * whose memory does not grow with the file's length.
 */
import { spawnSync } from "node:child_process";
import { existsSync, promises as fs, rmdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { InvalidInputError, MirError, UnsupportedFormatError } from "../errors.js";
import { checkAudioFormat, type AudioSignal } from "./audio.js";
import { TAIL_BYTES } from "./completeness.js";
import { checkComplete, checkDecoded, concatDecoded, createStreamDecoder, decodeAudio, sniffFormat, type AudioFormat } from "./decode.js";
import { encodeFlac } from "./flac.js";
import { decodeWav, encodeWav, parseWavHeader, wavBytesToChannels, type WavEncoding } from "./wav.js";

/**
 * The size of an input that must be a regular file (symbolic links
 * followed), or a typed error naming it: missing, a folder, or a special
 * file (a FIFO would block a read forever, /dev/zero never ends).
 */
export async function regularFileSize(file: string, what = "an audio file"): Promise<number> {
  let st;
  try {
    st = await fs.stat(file);
  } catch (e) {
    throw fileError(e, file);
  }
  if (st.isDirectory()) throw new InvalidInputError(`is a directory, expected ${what}`, { file });
  if (!st.isFile()) throw new InvalidInputError(`is not a regular file (a pipe, socket or device), expected ${what}`, { file });
  return st.size;
}

async function readBytes(file: string): Promise<Uint8Array> {
  await regularFileSize(file);
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (e) {
    throw fileError(e, file);
  }
}

function fileError(e: unknown, file: string): MirError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return new InvalidInputError("no such file", { file });
  if (code === "EISDIR") return new InvalidInputError("is a directory, expected an audio file", { file });
  if (code === "EACCES") return new InvalidInputError("permission denied", { file });
  return new InvalidInputError(`cannot read: ${(e as Error).message}`, { file, cause: e });
}

/**
 * Reads and decodes an audio file (WAV, FLAC, MP3, Ogg Vorbis). Other
 * containers (MP4/AAC, Opus…) are decoded through ffmpeg when it is on PATH.
 */
export async function readAudioFile(file: string): Promise<AudioSignal> {
  const bytes = await readBytes(file);
  try {
    return await decodeAudio(bytes, { file });
  } catch (e) {
    if (e instanceof UnsupportedFormatError && bytes.length > 0) {
      const viaFfmpeg = decodeWithFfmpeg(file);
      if (viaFfmpeg !== undefined) return viaFfmpeg;
    }
    throw e;
  }
}

function decodeWithFfmpeg(file: string): AudioSignal | undefined {
  const r = spawnSync("ffmpeg", ["-v", "error", "-i", file, "-f", "wav", "-c:a", "pcm_f32le", "-"], {
    maxBuffer: 2 ** 31,
  });
  if (r.error !== undefined || r.status !== 0 || r.stdout.length === 0) return undefined;
  return decodeWav(new Uint8Array(r.stdout), file);
}

export type OutputFormat = "wav" | "flac";

/**
 * Where an atomic write of `file` goes: the file itself, or the file a
 * symbolic link points to (the link stays). A target that exists and is not
 * a regular file (a folder, /dev/stdout, a FIFO) is refused: renaming over it
 * would replace it.
 */
export async function atomicTarget(file: string): Promise<string> {
  let st;
  try {
    st = await fs.stat(file); // follows links, /dev/stdout's included (to the pipe or terminal behind it)
  } catch {
    st = undefined;
  }
  if (st?.isDirectory()) throw new InvalidInputError("is a directory; give a file name for this output", { file });
  if (st !== undefined && !st.isFile()) throw new InvalidInputError("is not a regular file (a pipe, socket or device); outputs are written only to files", { file });
  let link = false;
  try {
    link = (await fs.lstat(file)).isSymbolicLink();
  } catch {
    return file; // does not exist: written as a new file
  }
  if (!link) return file;
  if (st === undefined) throw new InvalidInputError("is a symbolic link to nothing; give a file name for this output", { file });
  try {
    return await fs.realpath(file);
  } catch (e) {
    throw new InvalidInputError(`cannot resolve the symbolic link: ${(e as Error).message}`, { file, cause: e });
  }
}

/**
 * Writes audio atomically: to a temporary file beside the target, then renamed,
 * so a failure never leaves a half-written file in place of a good one.
 */
export async function writeAudioFile(
  file: string,
  audio: AudioSignal,
  options: { readonly format?: OutputFormat; readonly encoding?: WavEncoding } = {},
): Promise<void> {
  const format = options.format ?? (path.extname(file).toLowerCase() === ".flac" ? "flac" : "wav");
  const bytes =
    format === "flac"
      ? encodeFlac(audio, { bitsPerSample: options.encoding === "pcm24" ? 24 : 16 })
      : encodeWav(audio, { encoding: options.encoding });
  await writeFileAtomic(file, bytes);
}

/** Temporary files being written, and output folders this process made, for cleanUpOutputs(). */
const liveTemps = new Set<string>();
const madeDirs: string[] = [];

/** The temporary sibling an atomic write of `target` goes through (tracked until renamed or removed: `releaseTemp`). */
export function tempFor(target: string): string {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  liveTemps.add(tmp);
  return tmp;
}

/** A scratch folder (under the system's temporary folder) that cleanUpOutputs() removes if the run stops; `done()` removes it. */
export async function scratchDir(): Promise<{ path: string; done: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), "mirkit-"));
  liveTemps.add(dir);
  return { path: dir, done: async () => { await fs.rm(dir, { recursive: true, force: true }); liveTemps.delete(dir); } };
}

/** Stops tracking a temporary file (renamed into place, or removed). */
export function releaseTemp(tmp: string): void {
  liveTemps.delete(tmp);
}

/** Makes an output folder (and its parents); cleanUpOutputs() removes the ones it made while they are empty. */
export async function makeOutputDir(dir: string): Promise<void> {
  let first: string | undefined;
  try {
    first = await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new InvalidInputError(`cannot create the output folder: ${(e as Error).message}`, { file: dir, cause: e });
  }
  if (first === undefined) return;
  const chain: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    chain.push(d);
    if (d === path.resolve(first) || d === path.dirname(d)) break;
  }
  madeDirs.push(...chain.reverse());
}

/**
 * After a failure or an interruption: removes the temporary files still
 * being written and the output folders this process made that are still
 * empty, so a failed run leaves nothing behind. Synchronous, so that a
 * signal handler can call it.
 */
export function cleanUpOutputs(): void {
  for (const t of liveTemps) rmSync(t, { force: true, recursive: true });
  liveTemps.clear();
  for (const d of [...madeDirs].reverse()) {
    try {
      rmdirSync(d); // only an empty folder goes
    } catch {
      // not empty (or gone): kept
    }
  }
  madeDirs.length = 0;
}

/** Writes bytes to `file` through a temporary sibling and a rename. */
export async function writeFileAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
  const target = await atomicTarget(file);
  const tmp = tempFor(target);
  try {
    const fh = await fs.open(tmp, "w");
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw new InvalidInputError(`cannot write: ${(e as Error).message}`, { file, cause: e });
  } finally {
    liveTemps.delete(tmp);
  }
}

/**
 * A WAV file written block by block: the data go to a temporary sibling,
 * `close` patches the header's sizes and renames it into place, `abort`
 * removes it. Memory is one block, whatever the length.
 */
export class WavFileWriter {
  private frames = 0;
  private constructor(
    private readonly file: string,
    private readonly tmp: string,
    private readonly handle: fs.FileHandle,
    private readonly header: number,
    private readonly sampleRate: number,
    private readonly encoding: WavEncoding,
  ) {}

  static async open(file: string, sampleRate: number, channels: number, encoding: WavEncoding = "float32"): Promise<WavFileWriter> {
    const target = await atomicTarget(file);
    const tmp = tempFor(target);
    const header = encodeWav({ sampleRate, channels: Array.from({ length: channels }, () => new Float32Array(0)) }, { encoding });
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(tmp, "w");
      await handle.write(header, 0, header.length, null);
    } catch (e) {
      liveTemps.delete(tmp);
      throw new InvalidInputError(`cannot write: ${(e as Error).message}`, { file, cause: e });
    }
    return new WavFileWriter(target, tmp, handle, header.length, sampleRate, encoding);
  }

  async write(channels: readonly Float32Array[]): Promise<void> {
    const bytes = encodeWav({ sampleRate: this.sampleRate, channels }, { encoding: this.encoding }).subarray(this.header);
    await this.handle.write(bytes, 0, bytes.length, null);
    this.frames += channels[0].length;
  }

  async close(): Promise<void> {
    try {
      const { size } = await this.handle.stat();
      if (size > 0xffffffff) throw new Error(`${size} bytes exceed the 4 GiB limit of RIFF WAV`);
      const word = (v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v, true); return b; };
      await this.handle.write(word(size - 8), 0, 4, 4);
      await this.handle.write(word(size - this.header), 0, 4, this.header - 4);
      await this.handle.close();
      await fs.rename(this.tmp, this.file);
      liveTemps.delete(this.tmp);
    } catch (e) {
      await this.abort();
      throw new InvalidInputError(`cannot write: ${(e as Error).message}`, { file: this.file, cause: e });
    }
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await fs.rm(this.tmp, { force: true });
    liveTemps.delete(this.tmp);
  }
}

/** One block of a chunked read. */
export interface AudioBlock {
  readonly sampleRate: number;
  readonly channels: Float32Array[];
  /** Index of this block's first sample frame in the file. */
  readonly startFrame: number;
}

export interface StreamInfo {
  readonly format: AudioFormat;
  readonly sizeBytes: number;
  /** Sample frames in the file, where the header says (WAV). */
  readonly frames?: number;
}

/** An open audio file: rate, channels, length in frames where the header says, and its blocks. */
export interface AudioStream {
  readonly sampleRate: number;
  readonly channels: number;
  readonly frames?: number;
  readonly blocks: AsyncIterable<AudioBlock>;
}

/**
 * A streamed file whose first block has been read: its rate, channel count
 * and (where the header says) length are known before the caller commits to
 * outputs; `blocks` yields every block, the first one included; `close()`
 * releases the file whether or not `blocks` was read (withAudioStream calls it).
 */
async function openAudioStream(file: string): Promise<AudioStream & { close: () => Promise<void> }> {
  let info: StreamInfo | undefined;
  const rest = streamAudioFile(file, { onInfo: (i) => (info = i) });
  const first = await rest.next();
  if (first.done) throw new InvalidInputError("the file holds no audio", { file });
  const head = first.value;
  return {
    sampleRate: head.sampleRate,
    channels: head.channels.length,
    frames: info?.frames,
    blocks: (async function* () { yield head; yield* rest; })(),
    // The reader is open from the first block on: a caller that stops before reading `blocks` to the end
    // (a bad alignment, an abort) closes it here, not when the garbage collector finds it.
    close: async () => {
      await rest.return(undefined);
    },
  };
}

/** Runs `job` on `file` opened as a stream; the file is closed however the job ends (done, failed, aborted). */
export async function withAudioStream<T>(file: string, job: (stream: AudioStream) => Promise<T>): Promise<T> {
  const { close, ...stream } = await openAudioStream(file);
  try {
    return await job(stream);
  } finally {
    await close();
  }
}

/**
 * Reads an audio file block by block. Memory stays bounded by the block size
 * (and the decoders' own small buffers), whatever the file's length.
 */
export async function* streamAudioFile(
  file: string,
  options: { readonly readBytes?: number; readonly onInfo?: (info: StreamInfo) => void } = {},
): AsyncGenerator<AudioBlock> {
  const chunkBytes = options.readBytes ?? 1 << 20;
  await regularFileSize(file);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, "r");
  } catch (e) {
    throw fileError(e, file);
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) throw new InvalidInputError("the file is empty (0 bytes); expected audio", { file });
    const head = new Uint8Array(Math.min(size, 1 << 16));
    await handle.read(head, 0, head.length, 0);
    const format = sniffFormat(head, file);
    if (format !== "wav") options.onInfo?.({ format, sizeBytes: size });
    if (format === "wav") {
      const layout = parseWavHeader(head, size, file);
      const frameBytes = (layout.bitsPerSample / 8) * layout.numChannels;
      options.onInfo?.({ format, sizeBytes: size, frames: Math.floor(layout.dataBytes / frameBytes) });
      const blockBytes = Math.max(1, Math.floor(chunkBytes / frameBytes)) * frameBytes;
      const buf = new Uint8Array(blockBytes);
      let frame = 0;
      for (let off = 0; off < layout.dataBytes; off += blockBytes) {
        const want = Math.min(blockBytes, layout.dataBytes - off);
        const { bytesRead } = await handle.read(buf, 0, want, layout.dataOffset + off);
        if (bytesRead < want) throw new InvalidInputError("file shrank while being read", { file });
        const channels = wavBytesToChannels(buf.subarray(0, want), layout, file, frame);
        yield { sampleRate: layout.sampleRate, channels, startFrame: frame };
        frame += channels[0].length;
      }
      return;
    }
    const tail = new Uint8Array(Math.min(size, TAIL_BYTES));
    await handle.read(tail, 0, tail.length, size - tail.length);
    checkComplete(format, tail, size, file);
    const decoder = await createStreamDecoder(format, file);
    try {
      const buf = new Uint8Array(chunkBytes);
      let frame = 0;
      for (let off = 0; off <= size; off += chunkBytes) {
        const last = off + chunkBytes >= size;
        const { bytesRead } = await handle.read(buf, 0, Math.min(chunkBytes, size - off), off);
        const parts: Awaited<ReturnType<typeof decoder.decode>>[] = [];
        try {
          parts.push(await decoder.decode(buf.slice(0, bytesRead)));
          if (last) parts.push(await decoder.flush());
        } catch (e) {
          // A decoder that throws (rather than reporting) on damaged data: still the file's problem.
          if (e instanceof MirError) throw e;
          throw new InvalidInputError(`corrupt ${format} data in bytes ${off}–${off + bytesRead}: ${(e as Error).message ?? String(e)}`, { file, cause: e });
        }
        const out = concatDecoded(parts);
        if (out.errors.length > 0) throw new InvalidInputError(`corrupt ${format} data near byte ${out.errors[0].inputBytes ?? off}: ${out.errors[0].message}`, { file });
        if (out.samplesDecoded > 0) {
          if (frame === 0) checkAudioFormat(out.sampleRate, out.channelData.length, file);
          yield { sampleRate: out.sampleRate, channels: out.channelData, startFrame: frame };
          frame += out.samplesDecoded;
        }
        if (last) {
          if (frame === 0) checkDecoded(out, format, file); // throws the "nothing decoded" error
          break;
        }
      }
    } finally {
      decoder.free();
    }
  } finally {
    await handle.close();
  }
}

/** File name extensions read as audio when a folder is given as input. */
export const AUDIO_EXTENSIONS = /\.(wav|flac|mp3|ogg|oga)$/i;

/**
 * The audio files of `inputs`: files as given, folders walked recursively
 * (audio by extension, in name order). A missing input is an error naming it.
 */
export async function listAudioFiles(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const f = path.join(dir, e.name);
      if (e.isDirectory()) await walk(f);
      else if (AUDIO_EXTENSIONS.test(e.name)) out.push(f);
    }
  };
  for (const p of inputs) {
    let st;
    try {
      st = await fs.stat(p);
    } catch {
      throw new InvalidInputError("no such file or folder", { file: p });
    }
    if (st.isDirectory()) await walk(p);
    else out.push(p);
  }
  return out;
}

/**
 * Training checkpoints in a folder (nn/train's CheckpointStore, Node side):
 * each name one file, written atomically, so a run killed mid-save resumes
 * from the previous checkpoint. Long runs go in segments (train's `stopAt`,
 * one process each), which also bounds the per-step memory growth a single
 * jax-js training process shows over thousands of steps.
 */
export class FolderCheckpointStore {
  constructor(readonly dir: string) {}
  async save(name: string, bytes: Uint8Array): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    await writeFileAtomic(path.join(this.dir, name), bytes);
  }
  async load(name: string): Promise<Uint8Array | undefined> {
    const f = path.join(this.dir, name);
    return existsSync(f) ? new Uint8Array(await fs.readFile(f)) : undefined;
  }
}
