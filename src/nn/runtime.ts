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

/** An ONNX model loaded for float32 inference. */
export class OnnxModel {
  private constructor(private readonly ort: OrtLike, private readonly session: OrtSessionLike) {}

  static async load(ort: OrtLike, model: Uint8Array, options: { readonly threads?: number } = {}): Promise<OnnxModel> {
    try {
      const session = await ort.InferenceSession.create(model, {
        intraOpNumThreads: options.threads ?? 0,
        interOpNumThreads: 1,
        graphOptimizationLevel: "all",
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
