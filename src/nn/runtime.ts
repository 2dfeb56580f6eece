/**
 * Inference with ONNX Runtime, written against the API that onnxruntime-node
 * and onnxruntime-web share, so that this module runs in Node and in browsers:
 * the caller passes the runtime module (`await import("onnxruntime-node")`
 * in Node, see src/node.ts; onnxruntime-web in a page).
 */
import { ModelError } from "../errors.js";

export interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
}

export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  release?(): Promise<void>;
}

export interface OrtLike {
  readonly InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSessionLike> };
  readonly Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => OrtTensorLike;
}

export interface TensorF32 {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/**
 * A chunked input made on demand instead of held whole: `fill(out, start, len, width)` writes frames
 * [start, start + len) of every row (the dims without the last axis, flattened) to out[row·width + t − start].
 * runChunked cuts it chunk by chunk, so the whole tensor never exists.
 */
export interface TensorSource {
  readonly dims: readonly number[];
  fill(out: Float32Array, start: number, len: number, width: number): void;
}

const isSource = (t: TensorF32 | TensorSource): t is TensorSource => typeof (t as TensorSource).fill === "function";

export interface SessionOptions {
  readonly threads?: number;
  /** ONNX Runtime's execution providers in order of preference, e.g. ["webgpu", "wasm"] in a browser with WebGPU. */
  readonly executionProviders?: readonly string[];
}

/** An ONNX model loaded for float32 inference. */
export class OnnxModel {
  private constructor(private readonly ort: OrtLike, private readonly session: OrtSessionLike) {}

  static async load(ort: OrtLike, model: Uint8Array, options: SessionOptions = {}): Promise<OnnxModel> {
    try {
      const session = await ort.InferenceSession.create(model, {
        intraOpNumThreads: options.threads ?? 0,
        interOpNumThreads: 1,
        graphOptimizationLevel: "all",
        ...(options.executionProviders ? { executionProviders: [...options.executionProviders] } : {}),
      });
      return new OnnxModel(ort, session);
    } catch (e) {
      throw new ModelError(`ONNX Runtime could not load the model: ${(e as Error).message}`, { cause: e });
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Runs the model on named float32 inputs; returns every output. */
  async run(inputs: Readonly<Record<string, TensorF32>>): Promise<Record<string, TensorF32>> {
    const feeds: Record<string, OrtTensorLike> = {};
    for (const name of this.session.inputNames) {
      const t = inputs[name];
      if (t === undefined) throw new ModelError(`model input "${name}" was not given (have: ${Object.keys(inputs).join(", ") || "none"})`);
      const size = t.dims.reduce((a, b) => a * b, 1);
      if (size !== t.data.length) throw new ModelError(`input "${name}": dims [${t.dims.join(", ")}] need ${size} values, got ${t.data.length}`);
      feeds[name] = new this.ort.Tensor("float32", t.data, t.dims);
    }
    let out: Record<string, OrtTensorLike>;
    try {
      out = await this.session.run(feeds);
    } catch (e) {
      throw new ModelError(`ONNX Runtime failed to run the model: ${(e as Error).message}`, { cause: e });
    }
    const result: Record<string, TensorF32> = {};
    for (const [k, v] of Object.entries(out)) {
      if (!(v.data instanceof Float32Array)) throw new ModelError(`model output "${k}" is ${v.type}, expected float32`);
      result[k] = { data: v.data, dims: [...v.dims] };
    }
    return result;
  }

  async dispose(): Promise<void> {
    await this.session.release?.();
  }
}

/**
 * Weight of a chunk's frame t (of len) in an overlap-add whose neighbouring
 * chunks share `overlap` frames: the outer quarter of each overlap is
 * discarded (too little context), the middle half is a raised-cosine
 * cross-fade; complementary weights of two neighbours sum to 1.
 */
export function chunkWeight(t: number, len: number, first: boolean, last: boolean, overlap: number): number {
  const guard = Math.floor(overlap / 4);
  const fade = overlap - 2 * guard;
  let w = 1;
  if (!first) {
    if (t < guard) return 0;
    if (t < guard + fade) w = 0.5 - 0.5 * Math.cos((Math.PI * (t - guard + 0.5)) / fade);
  }
  if (!last) {
    const u = len - 1 - t; // frames to the chunk's end
    if (u < guard) return 0;
    if (u < guard + fade) w *= 0.5 - 0.5 * Math.cos((Math.PI * (u - guard + 0.5)) / fade);
  }
  return w;
}

export interface ChunkOptions {
  /** Input name (default: the model's first input) and output name (default: first output). */
  readonly input?: string;
  readonly output?: string;
  /** Frames per chunk along the last axis. */
  readonly chunk: number;
  /** Frames shared by neighbouring chunks; at least the model's receptive field radius × 2 for seamless output. */
  readonly overlap: number;
  readonly onProgress?: (fraction: number) => void;
  /** The model takes exactly `chunk` frames (exported without a dynamic time axis): the last chunk is zero-padded. */
  readonly fixedLength?: boolean;
  /** Stops the run before its next chunk (rejecting with the signal's reason). */
  readonly signal?: AbortSignal;
}

/**
 * Runs a model whose output is frame-aligned with its input along the last
 * axis (same length) on a long input, chunk by chunk: chunks overlap by
 * `overlap` frames and the outputs are cross-faded with complementary raised-
 * cosine ramps over the central half of each overlap, where both chunks
 * see enough context; the edges of each overlap are discarded. Memory is
 * bounded by the chunk size, not the input length.
 */
export async function runChunked(model: OnnxModel, input: TensorF32 | TensorSource, options: ChunkOptions): Promise<TensorF32> {
  const inName = options.input ?? model.inputNames[0];
  const outName = options.output ?? model.outputNames[0];
  return (await runChunkedAll(model, { [inName]: input }, options))[outName];
}

/**
 * runChunked for models with several inputs and outputs that all share the last (time) axis, say a
 * mixture and its frame-aligned conditioning in, a mask and a per-frame activation out: every input is
 * cut at the same frames, and every output is cross-faded the same way. Returns every output.
 */
export async function runChunkedAll(model: OnnxModel, inputs: Readonly<Record<string, TensorF32 | TensorSource>>, options: ChunkOptions): Promise<Record<string, TensorF32>> {
  const entries = Object.entries(inputs);
  const lead = (t: TensorF32 | TensorSource) => t.dims.slice(0, -1).reduce((a, b) => a * b, 1);
  const T = entries[0][1].dims[entries[0][1].dims.length - 1];
  for (const [n, t] of entries) if (t.dims[t.dims.length - 1] !== T) throw new ModelError(`runChunked: input "${n}" has ${t.dims[t.dims.length - 1]} frames, "${entries[0][0]}" has ${T}; chunked inputs share their last axis`);
  const { chunk, overlap } = options;
  if (!(chunk > overlap && overlap >= 0)) throw new ModelError(`runChunked: chunk (${chunk}) must exceed overlap (${overlap})`);
  options.signal?.throwIfAborted();
  const fixed = options.fixedLength === true;
  if (T <= chunk && !fixed) {
    const whole = (t: TensorF32 | TensorSource): TensorF32 => {
      if (!isSource(t)) return t;
      const data = new Float32Array(lead(t) * T);
      t.fill(data, 0, T, T);
      return { data, dims: t.dims };
    };
    const out = await model.run(Object.fromEntries(entries.map(([n, t]) => [n, whole(t)])));
    options.onProgress?.(1);
    return out;
  }
  const step = chunk - overlap;
  const outs: Record<string, { data: Float32Array; lead: number; dims: number[] }> = {};
  const slices = entries.map(([, t]) => new Float32Array(lead(t) * chunk));
  for (let start = 0; start < T; start += step) {
    options.signal?.throwIfAborted();
    const len = Math.min(chunk, T - start);
    // A fixed-length model gets the last chunk zero-padded to `chunk` frames; only its first `len` are used.
    const runLen = fixed ? chunk : len;
    const feeds: Record<string, TensorF32> = {};
    entries.forEach(([name, t], k) => {
      const rows = lead(t);
      const buf = runLen === chunk ? slices[k] : new Float32Array(rows * runLen);
      if (len < runLen) buf.fill(0);
      if (isSource(t)) t.fill(buf, start, len, runLen);
      else for (let r = 0; r < rows; r++) buf.set(t.data.subarray(r * T + start, r * T + start + len), r * runLen);
      feeds[name] = { data: buf, dims: [...t.dims.slice(0, -1), runLen] };
    });
    const res = await model.run(feeds);
    const first = start === 0, last = start + len >= T;
    const w = Float32Array.from({ length: len }, (_, t) => chunkWeight(t, len, first, last, overlap));
    for (const [name, r] of Object.entries(res)) {
      const oT = r.dims[r.dims.length - 1];
      if (oT !== runLen) throw new ModelError(`runChunked: output "${name}" has ${oT} frames for ${runLen} input frames; the model must keep the time axis`);
      const o = (outs[name] ??= { data: new Float32Array((r.data.length / oT) * T), lead: r.data.length / oT, dims: [...r.dims.slice(0, -1), T] });
      // Row by row (each row's frames are contiguous in both arrays).
      for (let q = 0; q < o.lead; q++) {
        const dst = q * T + start, src = q * oT;
        for (let t = 0; t < len; t++) o.data[dst + t] += w[t] * r.data[src + t];
      }
    }
    options.onProgress?.(Math.min(1, (start + len) / T));
    if (last) break;
  }
  return Object.fromEntries(Object.entries(outs).map(([n, o]) => [n, { data: o.data, dims: o.dims }]));
}

/**
 * A model as stored: its ONNX bytes and its recipe (the JSON written beside
 * it by the training script), with the name messages give (the recipe's
 * path in Node, a URL in a page). Each model family's `load` reads what it
 * needs from the recipe and reports what is missing.
 */
export interface ModelFiles {
  readonly onnx: Uint8Array;
  readonly recipe: unknown;
  readonly recipeName: string;
  /** Second graphs by part name ("step"), for models that have them. */
  readonly companions?: Readonly<Record<string, Uint8Array>>;
}

/** `files.recipe` as R after `valid` accepts it; otherwise a ModelError naming the recipe and what it lacks. */
export function recipeOf<R>(files: ModelFiles, needs: string, valid: (r: R) => boolean): R {
  const r = files.recipe as R;
  if (r === null || typeof r !== "object" || !valid(r)) throw new ModelError(`the recipe lacks ${needs}`, { file: files.recipeName });
  return r;
}
