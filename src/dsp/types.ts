/**
 * The one layout for time-frequency data: a contiguous Float32Array in
 * frame-major order, `data[frame * nBins + bin]` (shape nFrames × nBins), so a
 * frame's spectrum is contiguous. Frame t is centred at sample t·hopLength
 * when the transform was computed with `center: true`.
 */
export interface Spectrogram {
  readonly data: Float32Array;
  readonly nFrames: number;
  readonly nBins: number;
  readonly hopLength: number;
  readonly sampleRate: number;
}

/** Complex time-frequency data in the same layout, real and imaginary parts apart. */
export interface ComplexSpectrogram {
  readonly re: Float32Array;
  readonly im: Float32Array;
  readonly nFrames: number;
  readonly nBins: number;
  readonly hopLength: number;
  readonly sampleRate: number;
}

/** A bank of filters over FFT bins, row-major: weights[filter * nBins + bin]. */
export interface Filterbank {
  readonly weights: Float32Array;
  readonly nFilters: number;
  readonly nBins: number;
}

/** |z|^power of a complex spectrogram (power 1: magnitude, 2: power). */
export function magnitude(spec: ComplexSpectrogram, power = 1): Spectrogram {
  const { re, im } = spec;
  const data = new Float32Array(re.length);
  for (let i = 0; i < re.length; i++) {
    const p = re[i] * re[i] + im[i] * im[i];
    data[i] = power === 2 ? p : power === 1 ? Math.sqrt(p) : Math.pow(p, power / 2);
  }
  return { data, nFrames: spec.nFrames, nBins: spec.nBins, hopLength: spec.hopLength, sampleRate: spec.sampleRate };
}

/**
 * Power to decibels, librosa's `power_to_db`: 10·log10(max(S, amin)) − 10·log10(max(ref, amin)),
 * floored at (max − topDb). Use `amplitudeToDb` for magnitudes.
 */
export function powerToDb(
  spec: Spectrogram,
  options: { readonly ref?: number | "max"; readonly amin?: number; readonly topDb?: number | null } = {},
): Spectrogram {
  const amin = options.amin ?? 1e-10;
  const topDb = options.topDb === undefined ? 80 : options.topDb;
  let ref = options.ref ?? 1;
  if (ref === "max") {
    ref = 0;
    for (const v of spec.data) ref = v > ref ? v : ref;
  }
  const offset = 10 * Math.log10(Math.max(amin, ref));
  const data = new Float32Array(spec.data.length);
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    data[i] = 10 * Math.log10(Math.max(amin, spec.data[i])) - offset;
    if (data[i] > max) max = data[i];
  }
  if (topDb !== null) for (let i = 0; i < data.length; i++) data[i] = Math.max(data[i], max - topDb);
  return { ...spec, data };
}

/** Magnitude to decibels (librosa's `amplitude_to_db`): powerToDb of S², with amin squared. */
export function amplitudeToDb(
  spec: Spectrogram,
  options: { readonly ref?: number | "max"; readonly amin?: number; readonly topDb?: number | null } = {},
): Spectrogram {
  const amin = options.amin ?? 1e-5;
  const sq = spec.data.map((v) => v * v);
  const ref = options.ref === undefined || options.ref === "max" ? options.ref : options.ref * options.ref;
  return powerToDb({ ...spec, data: sq }, { ref, amin: amin * amin, topDb: options.topDb });
}
