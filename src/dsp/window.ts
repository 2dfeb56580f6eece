/**
 * Window functions. Conventions follow scipy.signal.get_window: a *periodic*
 * window of length N is the symmetric window of length N+1 without its last
 * sample (what spectral analysis wants, and librosa's default through
 * `fftbins=True`); a *symmetric* window is the filter-design form.
 */
import { InvalidInputError } from "../errors.js";

export type WindowName = "hann" | "hamming" | "blackman" | "blackmanharris" | "blackmanharris62" | "rect";

/** Generalised cosine window coefficients a_k, w[n] = Σ (-1)^k a_k cos(2πkn/M). */
const COSINE_TERMS: Record<Exclude<WindowName, "rect">, readonly number[]> = {
  hann: [0.5, 0.5],
  hamming: [0.54, 0.46],
  blackman: [0.42, 0.5, 0.08],
  // 4-term, -92 dB side lobes (Harris 1978; scipy.signal.windows.blackmanharris).
  blackmanharris: [0.35875, 0.48829, 0.14128, 0.01168],
  // 3-term, -62 dB side lobes (Harris 1978, table 1); the HPCP front end's window.
  blackmanharris62: [0.44959, 0.49364, 0.05677],
};

export interface WindowOptions {
  /** Periodic (DFT-even, default) or symmetric. */
  readonly periodic?: boolean;
}

/** Returns the named window of `length` samples as Float64Array. */
export function getWindow(name: WindowName, length: number, options: WindowOptions = {}): Float64Array {
  if (!Number.isInteger(length) || length < 1) {
    throw new InvalidInputError(`getWindow: length must be a positive integer, got ${length}`);
  }
  const w = new Float64Array(length);
  if (name === "rect") return w.fill(1);
  const terms = COSINE_TERMS[name];
  if (terms === undefined) throw new InvalidInputError(`getWindow: unknown window "${name}"; expected one of rect, ${Object.keys(COSINE_TERMS).join(", ")}`);
  if (length === 1) return w.fill(1);
  const periodic = options.periodic ?? true;
  const m = periodic ? length : length - 1;
  for (let n = 0; n < length; n++) {
    let v = 0;
    for (let k = 0; k < terms.length; k++) v += (k % 2 === 0 ? 1 : -1) * terms[k] * Math.cos((2 * Math.PI * k * n) / m);
    w[n] = v;
  }
  return w;
}

/** Zero-pads `w` on both sides to `size`, centred as librosa's `util.pad_center` does. */
export function padCenter(w: Float64Array, size: number): Float64Array {
  if (w.length > size) throw new InvalidInputError(`padCenter: window of length ${w.length} exceeds the frame size ${size}`);
  const out = new Float64Array(size);
  out.set(w, Math.floor((size - w.length) / 2));
  return out;
}
