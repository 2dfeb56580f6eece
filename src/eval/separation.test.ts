import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { decodeWav } from "../io/wav.js";
import { noise, rng } from "../testing/assert.js";
import { referenceAvailable, runReference, SHARED, sharedAvailable } from "../testing/reference.js";
import { bssEvalImages, bssEvalImagesFramewise, bssEvalSources, bssEvalSourcesFramewise, levelRelativeDb, mdxSdr, silentFrameMetrics, siSdr } from "./separation.js";

const DIR = path.join(SHARED, "fixtures/mir_eval/separation");
const skip = sharedAvailable("fixtures/mir_eval/separation") === true ? false : String(sharedAvailable("fixtures/mir_eval/separation"));

/** mir_eval's test loader: every WAV in a folder, sorted, mixed to mono. */
function loadDir(dir: string): Float64Array[] {
  return readdirSync(dir).filter((f) => f.endsWith(".wav")).sort().map((f) => {
    const a = decodeWav(new Uint8Array(readFileSync(path.join(dir, f))));
    return Float64Array.from(a.channels[0], (_, i) => a.channels.reduce((s, ch) => s + ch[i], 0) / a.channels.length);
  });
}

/** mir_eval's __generate_multichannel: copies of the mono signal, the extra channels scaled by `gain`. */
const multichannel = (srcs: Float64Array[], nchan: number, gain = 1) => srcs.map((s) => Array.from({ length: nchan }, (_, c) => (c === 0 ? s : s.map((v) => v * gain))));

function close(label: string, got: readonly number[] | readonly number[][], expected: readonly number[] | readonly number[][], tol: number) {
  const g = (got as unknown[]).flat() as number[], e = (expected as unknown[]).flat() as number[];
  assert.equal(g.length, e.length, `${label}: ${g.length} values vs ${e.length}`);
  g.forEach((v, i) => assert.ok(Math.abs(v - e[i]) <= tol || (Number.isNaN(v) && Number.isNaN(e[i])), `${label}[${i}]: ${v} vs ${e[i]} (tol ${tol})`));
}

const ids = skip ? [] : readdirSync(DIR).map((f) => /^output(\d+)\.json$/.exec(f)?.[1]).filter((x): x is string => !!x).sort();
// The stored scores were computed long ago (MATLAB BSS_EVAL era) and kept at lower precision: Debian's
// mir_eval 0.7 itself differs from them by up to 1.4e-4 dB (fixture 05, Images SIR). mir_eval's own test
// uses 1e-3; we assert 2e-4 here, and agreement with Debian's mir_eval to 1e-5 dB in the differential test.
const TOL = 2e-4;
for (const id of ids) {
  test(`bss_eval fixture ${id}: Sources, Framewise, Images and Images Framewise equal mir_eval's stored scores`, { skip }, () => {
    const exp = JSON.parse(readFileSync(path.join(DIR, `output${id}.json`), "utf8"));
    const ref = loadDir(path.join(DIR, `ref${id}`)), est = loadDir(path.join(DIR, `est${id}`));
    const s = bssEvalSources(ref, est);
    close("Sources SDR", s.sdr, exp.Sources["Source to Distortion"], TOL);
    close("Sources SIR", s.sir, exp.Sources["Source to Interference"], TOL);
    close("Sources SAR", s.sar, exp.Sources["Source to Artifact"], TOL);
    assert.deepEqual(s.perm, exp.Sources["Source permutation"]);
    const f = bssEvalSourcesFramewise(ref, est, { window: exp.Framewise.win, hop: exp.Framewise.hop });
    close("Framewise SDR", f.sdr, exp.Framewise["Source to Distortion"], TOL);
    close("Framewise SIR", f.sir, exp.Framewise["Source to Interference"], TOL);
    close("Framewise SAR", f.sar, exp.Framewise["Source to Artifact"], TOL);
    const im = exp.Images;
    const i = bssEvalImages(multichannel(ref, im.nchan), multichannel(est, im.nchan, im.gain));
    close("Images SDR", i.sdr, im["Source to Distortion"], TOL);
    close("Images ISR", i.isr, im["Image to Spatial"], TOL);
    close("Images SIR", i.sir, im["Source to Interference"], TOL);
    close("Images SAR", i.sar, im["Source to Artifact"], TOL);
    assert.deepEqual(i.perm, im["Source permutation"]);
    const imf = exp["Images Framewise"];
    const fi = bssEvalImagesFramewise(multichannel(ref, imf.nchan), multichannel(est, imf.nchan, imf.gain), { window: imf.win, hop: imf.hop });
    close("Images Framewise SDR", fi.sdr, imf["Source to Distortion"], TOL);
    close("Images Framewise ISR", fi.isr, imf["Image to Spatial"], TOL);
    close("Images Framewise SIR", fi.sir, imf["Source to Interference"], TOL);
    close("Images Framewise SAR", fi.sar, imf["Source to Artifact"], TOL);
  });
}

test("SI-SDR and MDX SDR: hand-derived values", () => {
  const s = Float64Array.from(noise(1000, 3));
  // A scaled copy: SI-SDR is infinite; MDX SDR of 0.5·s is 10·log10(|s|²/|0.5 s|²) = 6.02 dB.
  assert.equal(siSdr([s], [s.map((v) => 2 * v)]), Infinity);
  const e = 10 * Math.log10(1 / 0.25);
  assert.ok(Math.abs(mdxSdr([s], [s.map((v) => 0.5 * v)]) - e) < 1e-6);
  // Orthogonal noise at a known ratio: s + n with |n|² = |s|²/100 → SI-SDR ≈ 20 dB.
  const r = rng(4);
  const n = Float64Array.from(s, () => r() - 0.5);
  let ss = 0, nn = 0, sn = 0;
  for (let i = 0; i < s.length; i++) { ss += s[i] * s[i]; nn += n[i] * n[i]; sn += s[i] * n[i]; }
  const o = n.map((v, i) => v - (sn / ss) * s[i]); // orthogonalise
  let oo = 0;
  for (const v of o) oo += v * v;
  const scaled = o.map((v) => v * Math.sqrt(ss / 100 / oo));
  assert.ok(Math.abs(siSdr([s], [s.map((v, i) => v + scaled[i])]) - 20) < 1e-9);
});

const skipRef = referenceAvailable(["numpy", "scipy", "mir_eval"]) === true ? false : String(referenceAvailable(["numpy", "scipy", "mir_eval"]));

/** Random mixtures: each estimate = its source + leakage of the others + noise, lightly filtered. */
function randomCase(seed: number, nsrc: number, n: number, nchan: number): { ref: number[][][]; est: number[][][] } {
  const r = rng(seed);
  const ref = Array.from({ length: nsrc }, () => Array.from({ length: nchan }, () => Array.from({ length: n }, () => r() - 0.5)));
  const est = ref.map((src, j) => src.map((ch, c) => ch.map((v, i) => {
    let x = 0.8 * v + (i > 0 ? 0.2 * ch[i - 1] : 0) + 0.05 * (r() - 0.5);
    for (let k = 0; k < nsrc; k++) if (k !== j) x += 0.1 * (k + 1) * ref[k][c][i];
    return x;
  })));
  return { ref, est };
}

test("bss_eval (sources, images, framewise, with and without permutation) equals Debian's mir_eval to 1e-5 dB", { skip: skipRef }, () => {
  const cases: { fn: string; ref: unknown; est: unknown; window?: number; hop?: number; perm: boolean }[] = [];
  const mono = (x: number[][][]) => x.map((s) => s[0]);
  const a = randomCase(1, 3, 3000, 1), b = randomCase(2, 2, 6000, 2);
  // Swap two estimates so that the permutation search has something to find.
  const swapped = [a.est[1], a.est[0], a.est[2]];
  cases.push({ fn: "sources", ref: mono(a.ref), est: mono(swapped), perm: true });
  cases.push({ fn: "sources", ref: mono(a.ref), est: mono(a.est), perm: false });
  cases.push({ fn: "sources_framewise", ref: mono(a.ref), est: mono(a.est), window: 1200, hop: 600, perm: false });
  const toImg = (x: number[][][]) => x.map((s) => s[0].map((_, i) => s.map((ch) => ch[i]))); // nsrc × nsampl × nchan
  cases.push({ fn: "images", ref: toImg(b.ref), est: toImg([b.est[1], b.est[0]]), perm: true });
  // Windows keep K·L (2 sources × 2 channels × 512 taps) below the window length: shorter ones make the
  // delayed references span everything, SAR becomes roundoff (mir_eval reports hundreds of dB), see below.
  cases.push({ fn: "images_framewise", ref: toImg(b.ref), est: toImg(b.est), window: 2600, hop: 1300, perm: false });
  const { results } = runReference<{ results: (number | null)[][][] }>("bss_ref.py", { cases });
  const flat = (x: unknown) => ((x as unknown[]).flat(2) as number[]);
  const check = (label: string, got: number[] | number[][], exp: (number | null)[]) => {
    const g = flat(got);
    assert.equal(g.length, exp.length, label);
    g.forEach((v, i) => assert.ok(exp[i] === null ? Number.isNaN(v) : Math.abs(v - exp[i]!) <= 1e-5, `${label}[${i}]: ${v} vs mir_eval ${exp[i]}`));
  };
  const s0 = bssEvalSources(mono(a.ref), mono(swapped));
  [s0.sdr, s0.sir, s0.sar, s0.perm].forEach((x, k) => check(`sources output ${k}`, x, results[0][k]));
  assert.deepEqual(s0.perm, [1, 0, 2]);
  const s1 = bssEvalSources(mono(a.ref), mono(a.est), { computePermutation: false });
  [s1.sdr, s1.sir, s1.sar, s1.perm].forEach((x, k) => check(`sources (no perm) output ${k}`, x, results[1][k]));
  const f = bssEvalSourcesFramewise(mono(a.ref), mono(a.est), { window: 1200, hop: 600 });
  [f.sdr, f.sir, f.sar, f.perm].forEach((x, k) => check(`sources framewise output ${k}`, x, results[2][k]));
  const im = bssEvalImages(b.ref, [b.est[1], b.est[0]]);
  [im.sdr, im.isr, im.sir, im.sar, im.perm].forEach((x, k) => check(`images output ${k}`, x, results[3][k]));
  const imf = bssEvalImagesFramewise(b.ref, b.est, { window: 2600, hop: 1300 });
  [imf.sdr, imf.isr, imf.sir, imf.sar, imf.perm].forEach((x, k) => check(`images framewise output ${k}`, x, results[4][k]));
});

test("framewise: a window where a reference is silent scores NaN, the others are finite", () => {
  const r = rng(7);
  const n = 3000;
  const ref = [Float64Array.from({ length: n }, () => r() - 0.5), Float64Array.from({ length: n }, (_, i) => (i >= 1000 && i < 2000 ? 0 : r() - 0.5))];
  const est = ref.map((s) => s.map((v) => v + 0.1 * (r() - 0.5)));
  const f = bssEvalSourcesFramewise(ref, est, { window: 1000, hop: 1000 });
  assert.equal(f.sdr[0].length, 3);
  assert.ok(Number.isNaN(f.sdr[0][1]) && Number.isNaN(f.sdr[1][1]));
  assert.ok([0, 2].every((w) => Number.isFinite(f.sdr[0][w]) && Number.isFinite(f.sdr[1][w])));
});

test("bad input is refused with a clear message: shape mismatch, silent source", () => {
  const x = Float64Array.from({ length: 100 }, (_, i) => Math.sin(i));
  assert.throws(() => bssEvalSources([x, x], [x]), /2 reference sources but 1 estimates/);
  assert.throws(() => bssEvalSources([x, new Float64Array(100)], [x, x]), /every reference source must be non-silent/);
  assert.throws(() => bssEvalSources([x], [x.slice(0, 50)]), /50 samples, expected 100/);
});

test("windows too short for the filters (K·L ≥ window): the projection explains the whole estimate, SAR is huge, SIR stays finite", () => {
  const { ref, est } = randomCase(2, 2, 2500, 2);
  const f = bssEvalImagesFramewise(ref, est, { window: 1000, hop: 700 });
  for (const row of f.sar) for (const v of row) assert.ok(v > 100, `SAR ${v}`);
  for (const row of f.sir) for (const v of row) assert.ok(Number.isFinite(v));
});

test("levelRelativeDb: the energy ratio of an estimate to a reference over all channels, in dB", () => {
  const ref = [Float32Array.of(1, -1, 1, -1), Float32Array.of(1, 1, 1, 1)];
  assert.ok(Math.abs(levelRelativeDb(ref.map((c) => c.map((v) => v * 0.1)), ref) + 20) < 1e-6);
  // One channel silent, the other as loud: half the energy.
  assert.ok(Math.abs(levelRelativeDb([new Float32Array(4), ref[1]], ref) + 10 * Math.log10(2)) < 1e-9);
  assert.equal(levelRelativeDb([new Float32Array(4)], ref), 10 * Math.log10(1e-12 / 8), "silence is floored, not −∞");
});

test("silent-frame metrics: PES is the estimate's energy where the reference is silent, EPS the reference's where the estimate is", () => {
  const sr = 100, ref = [new Float32Array(400)], est = [new Float32Array(400)];
  // Windows: 0 both silent; 1 reference sounds, estimate silent; 2 both sound; 3 reference silent, estimate leaks.
  for (let i = 100; i < 300; i++) ref[0][i] = 0.1;
  for (let i = 200; i < 400; i++) est[0][i] = i < 300 ? 0.1 : 0.01;
  const m = silentFrameMetrics(ref, est, sr);
  assert.equal(m.silentWindows, 2);
  assert.equal(m.predictedSilentWindows, 2);
  // PES: mean of −90 dB (window 0: exact zero + ε) and 10·log10(100 · 1e-4 + ε) = −20 dB.
  assert.ok(Math.abs(m.pes - (-90 + 10 * Math.log10(0.01 + 1e-9)) / 2) < 1e-5, `${m.pes}`);
  // EPS: mean of −90 dB and 10·log10(100 · 0.01) = 0 dB.
  assert.ok(Math.abs(m.eps - (-90 + 10 * Math.log10(1 + 1e-9)) / 2) < 1e-5, `${m.eps}`);
  assert.ok(Number.isNaN(silentFrameMetrics([new Float32Array(200).fill(1)], [new Float32Array(200).fill(1)], sr).pes));
});
