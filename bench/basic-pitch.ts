/**
 * Spotify's basic-pitch as the benches' anchor: its ONNX model
 * (../shared/anchors/basic-pitch/nmp.onnx, Apache-2.0) in onnxruntime-node,
 * with its own pre- and post-processing (basic_pitch/inference.py): 22050 Hz
 * mono, windows of 43844 samples overlapping by 30 frames (the signal padded
 * with half of that in front), 15 frames dropped at each window edge, frames
 * at 256/22050 s, cut to the signal's length. Outputs: the 264-bin contour
 * (3 bins a semitone from 27.5 Hz) and the 88-key note activations.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { OnnxModel } from "../src/nn/runtime.js";
import { ortNode } from "../src/node.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const NMP = path.join(ROOT, "..", "shared", "anchors", "basic-pitch", "nmp.onnx");
export const BP_HOP = 256;
const BP = { window: 43844, hop: BP_HOP, overlapFrames: 30 } as const;

export interface BasicPitchOutput { contour: Float32Array[]; note: Float32Array[] }

export async function loadBasicPitch(): Promise<OnnxModel> {
  if (!existsSync(NMP)) throw new Error(`basic-pitch's ONNX model is not at ${NMP} (the ../shared anchors)`);
  return OnnxModel.load(await ortNode(), new Uint8Array(readFileSync(NMP)));
}

/** Frame-by-frame contour and note activations of a 22050 Hz mono signal. */
export async function runBasicPitch(nmp: OnnxModel, x: Float32Array): Promise<BasicPitchOutput> {
  const overlap = BP.overlapFrames * BP.hop, step = BP.window - overlap, drop = BP.overlapFrames / 2;
  const padded = new Float32Array(overlap / 2 + x.length);
  padded.set(x, overlap / 2);
  const contour: Float32Array[] = [], note: Float32Array[] = [];
  const [cName, nName] = [nmp.outputNames.find((n) => n.endsWith(":0"))!, nmp.outputNames.find((n) => n.endsWith(":1"))!];
  for (let start = 0; start < padded.length; start += step) {
    const win = new Float32Array(BP.window);
    win.set(padded.subarray(start, start + BP.window));
    const out = await nmp.run({ [nmp.inputNames[0]]: { data: win, dims: [1, BP.window, 1] } });
    for (const [name, list, bins] of [[cName, contour, 264], [nName, note, 88]] as const) {
      const o = out[name], frames = o.dims[1];
      for (let t = drop; t < frames - drop; t++) list.push(o.data.slice(t * bins, (t + 1) * bins));
    }
  }
  const n = Math.floor(x.length / BP.hop);
  return { contour: contour.slice(0, n), note: note.slice(0, n) };
}
