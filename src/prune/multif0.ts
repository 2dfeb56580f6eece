/**
 * The multi-F0 CNN's prunable units (models/pitch/multif0.ts): the output
 * channels of each branch conv and trunk conv. The late-fusion trunk's first
 * conv reads the magnitude branch's channels then the phase branch's (a
 * concatenation), so its input axis is cut at two offsets. The output conv
 * (one logit) is never trimmed. No batch norm here: the batchnorm criterion
 * does not apply.
 */
import { numpy as np, type Array as JArray } from "@jax-js/jax";
import { InvalidInputError } from "../errors.js";
import { multiF0Logits, type MultiF0Config, type MultiF0Params } from "../models/pitch/multif0.js";
import type { Tensors, UnitGroup } from "./units.js";

const out = (t: Tensors, name: string) => {
  const x = t[`${name}.w`];
  if (!x) throw new InvalidInputError(`multi-F0 model: no tensor ${name}.w`);
  return x.shape[0];
};

/** The groups of a multi-F0 parameter set (its current widths). */
export function multif0Groups(t: Tensors): UnitGroup[] {
  const conv = (name: string) => [{ tensor: `${name}.w`, axis: 0 }, { tensor: `${name}.b`, axis: 0 }];
  const into = (name: string, offset = 0) => ({ tensor: `${name}.w`, axis: 1, offset });
  const late = t["phase.0.w"] !== undefined;
  const groups: UnitGroup[] = [
    { name: "mag.0", size: out(t, "mag.0"), producers: conv("mag.0"), consumers: [into("mag.1")] },
    { name: "mag.1", size: out(t, "mag.1"), producers: conv("mag.1"), consumers: [into("trunk.0")] },
  ];
  if (late) {
    groups.push(
      { name: "phase.0", size: out(t, "phase.0"), producers: conv("phase.0"), consumers: [into("phase.1")] },
      { name: "phase.1", size: out(t, "phase.1"), producers: conv("phase.1"), consumers: [into("trunk.0", out(t, "mag.1"))] },
    );
  }
  groups.push(
    { name: "trunk.0", size: out(t, "trunk.0"), producers: conv("trunk.0"), consumers: [into("trunk.1")] },
    { name: "trunk.1", size: out(t, "trunk.1"), producers: conv("trunk.1"), consumers: [into("out")] },
  );
  return groups;
}

/** Mean |activation| per channel of each hidden layer over `inputs` (the activation criterion). */
export function multif0Activations(p: MultiF0Params, inputs: readonly JArray[], cfg: MultiF0Config): Record<string, Float64Array> {
  const sums: Record<string, Float64Array> = {};
  let n = 0;
  for (const x of inputs) {
    const logits = multiF0Logits(p, x.ref, cfg, "matmul", (layer, h) => {
      const [B, F, T, C] = h.shape;
      const m = np.abs(h).reshape([B * F * T, C]).mean(0).dataSync() as Float32Array;
      const s = (sums[layer] ??= new Float64Array(C));
      for (let c = 0; c < C; c++) s[c] += m[c];
    });
    logits.dispose();
    n++;
  }
  for (const s of Object.values(sums)) for (let c = 0; c < s.length; c++) s[c] /= Math.max(1, n);
  return sums;
}
