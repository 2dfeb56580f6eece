/**
 * Training and scoring a separation U-Net (Node-only: reads `mirkit synth
 * separation` folders): songs as mixture/vocals STFT tensors, random patch
 * batches, the ONNX export with its cost, and museval v4 scores on a set
 * (median over frames, then songs; songs without vocals scored by the
 * vocals stem's level relative to the input). scripts/train-separation.ts
 * and `mirkit trim` share them.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { numpy as np, type Array as JArray } from "@jax-js/jax";
import { informedInputs } from "../models/separation/informed.js";
import { energy, levelRelativeDb, musevalV4, nanMedian } from "../eval/separation.js";
import { InvalidInputError } from "../errors.js";
import { decodeWav } from "../io/wav.js";
import { mixtureTensor, type SeparationModelConfig } from "../models/separation/contract.js";
import { exportUNet, unetMask, type UNetConfig, type UNetParams } from "../models/separation/unet.js";
import { Rng } from "../nn/layers.js";
import { countFlops } from "../nn/onnx/export.js";
import type { OnnxModel } from "../nn/runtime.js";
import { separateWithModel } from "./separate.js";

/** A song's mixture and vocals as [4, bins, frames] STFT tensors (re/im per channel, DC dropped). */
export type SeparationSong = { mix: Float32Array; voc: Float32Array; frames: number };

const items = (dir: string) => (JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { items: { name: string }[] }).items.map((it) => path.join(dir, it.name));
/** A song's WAV, which must be at the model's rate (the STFT bins are the model's). */
function wav(file: string, stft: SeparationModelConfig) {
  const w = decodeWav(new Uint8Array(readFileSync(file)));
  if (w.sampleRate !== stft.sampleRate) throw new InvalidInputError(`the song is at ${w.sampleRate} Hz and the model works at ${stft.sampleRate} Hz: make the set with mirkit synth separation --rate ${stft.sampleRate}`, { file });
  if (w.channels.length !== 2) throw new InvalidInputError(`the song has ${w.channels.length} channel(s); the separation sets are stereo`, { file });
  return w;
}

export function separationSongs(dirs: readonly string[], stft: SeparationModelConfig): SeparationSong[] {
  return dirs.flatMap(items).map((item) => {
    const mix = wav(path.join(item, "mixture.wav"), stft), voc = wav(path.join(item, "vocals.wav"), stft);
    const m = mixtureTensor(mix.channels[0], mix.channels[1], stft), v = mixtureTensor(voc.channels[0], voc.channels[1], stft);
    return { mix: m.data, voc: v.data, frames: m.frames };
  });
}

/** Copies frames [t0, t0 + patch) of a song's mixture and vocals tensors ([4, bins, frames]) into batch slot b of x and y ([B, 4, bins, patch]). */
export function cropSeparationPatch(song: SeparationSong, t0: number, b: number, bins: number, patch: number, x: Float32Array, y: Float32Array): void {
  for (let c = 0; c < 4; c++) for (let f = 0; f < bins; f++) {
    const src = (c * bins + f) * song.frames + t0, dst = ((b * 4 + c) * bins + f) * patch;
    x.set(song.mix.subarray(src, src + patch), dst);
    y.set(song.voc.subarray(src, src + patch), dst);
  }
}

/** Training patches of the U-Net's scripts: 4 random patches of 32 frames. */
export const SEPARATION_PATCH = 32, SEPARATION_BATCH = 4;

/** Batch `step` of random patches ([mixture, vocals], each [batch, 4, bins, patch]); the same step and seed give the same batch. */
export function separationBatch(songs: readonly SeparationSong[], step: number, seed: number, bins: number, patch = SEPARATION_PATCH, batch = SEPARATION_BATCH): JArray[] {
  const r = new Rng(seed * 100003 + step);
  const x = new Float32Array(batch * 4 * bins * patch), y = new Float32Array(batch * 4 * bins * patch);
  for (let b = 0; b < batch; b++) {
    const s = songs[Math.floor(r.uniform() * songs.length)];
    cropSeparationPatch(s, Math.floor(r.uniform() * (s.frames - patch)), b, bins, patch, x, y);
  }
  return [np.array(x).reshape([batch, 4, bins, patch]), np.array(y).reshape([batch, 4, bins, patch])];
}

/** GFLOP per second of audio of a separation graph fn(params, mixture[, phonemes]), from its FLOPs on 64 frames. */
export function separationGflopsPerSecond<P>(fn: (p: P, ...inputs: JArray[]) => JArray | JArray[], params: P, stft: SeparationModelConfig, conditioned: boolean, bins: number): number {
  const frames = 64;
  return ((countFlops(fn as never, params as never, informedInputs(bins, frames, conditioned)) / frames) * (stft.sampleRate / stft.hopLength)) / 1e9;
}

/** The mask model as ONNX and its cost in GFLOP per second of audio. */
export function exportSeparation(params: UNetParams, cfg: UNetConfig, stft: SeparationModelConfig): { onnx: Uint8Array; gflopsPerSecond: number } {
  return { onnx: exportUNet(params, cfg), gflopsPerSecond: separationGflopsPerSecond((p: UNetParams, x: JArray) => unetMask(p, x, "lax"), params, stft, false, cfg.bins) };
}

export interface SeparationScores {
  /** museval v4 SDR (dB), median over frames then over the songs with vocals. */
  readonly vocalsSdr: number;
  readonly accompanimentSdr: number;
  readonly songs: number;
  /** Songs without vocals: the vocals stem's level relative to the input (dB), median. */
  readonly instrumentalSongs: number;
  readonly instrumentalVocalsReInputDb?: number;
  /** Separation speed over the set, ×realtime (model, STFT and inverse; scoring excluded). */
  readonly realtime: number;
}

/** A model's scores on every song of `dirs`. */
export async function scoreSeparation(model: OnnxModel, dirs: readonly string[], stft: SeparationModelConfig): Promise<SeparationScores> {
  const voc: number[] = [], acc: number[] = [], leak: number[] = [];
  let audioSeconds = 0, computeSeconds = 0, songs = 0;
  for (const item of dirs.flatMap(items)) {
    const mix = wav(path.join(item, "mixture.wav"), stft), v = wav(path.join(item, "vocals.wav"), stft), a = wav(path.join(item, "accompaniment.wav"), stft);
    const t0 = performance.now();
    const est = await separateWithModel(model, mix.channels[0], mix.channels[1], stft);
    computeSeconds += (performance.now() - t0) / 1000;
    audioSeconds += mix.channels[0].length / mix.sampleRate;
    songs++;
    if (energy(v.channels) === 0) {
      leak.push(levelRelativeDb(est.vocals, mix.channels));
      continue;
    }
    const frames = musevalV4([v.channels, a.channels], [est.vocals, est.accompaniment], mix.sampleRate);
    voc.push(nanMedian(frames[0].map((f) => f.SDR)));
    acc.push(nanMedian(frames[1].map((f) => f.SDR)));
  }
  return {
    vocalsSdr: nanMedian(voc), accompanimentSdr: nanMedian(acc), songs, instrumentalSongs: leak.length,
    ...(leak.length > 0 ? { instrumentalVocalsReInputDb: nanMedian(leak) } : {}), realtime: audioSeconds / computeSeconds,
  };
}
