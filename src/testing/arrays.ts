/** Seeded random jax-js arrays for model tests. */
import { jit, numpy as np, tree, valueAndGrad, type Array as JArray, type JsTree } from "@jax-js/jax";
import { adamInit, adamStep } from "../nn/optim.js";
import { Rng } from "../random.js";

export function randomArray(shape: number[], seed: number, dist: "normal" | "uniform" = "normal"): JArray {
  const r = new Rng(seed);
  const draw = dist === "normal" ? () => r.normal() : () => r.uniform();
  return np.array(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, draw)).reshape(shape);
}

export const arrayValues = (a: JArray): number[] => Array.from(a.dataSync() as Float32Array);

/** Adam on one fixed batch for `steps` steps: the first and the last loss (a model that learns lowers it). */
export function fitFixedBatch<P extends JsTree<JArray>>(loss: (p: P, ...batch: JArray[]) => JArray, params: P, batch: JArray[], steps: number, lr: number): { first: number; last: number } {
  let p = params;
  let state = adamInit(p);
  const step = jit(valueAndGrad(loss)) as unknown as ((p: P, ...arrays: JArray[]) => [JArray, P]) & { dispose(): void };
  let first = NaN, last = NaN;
  for (let i = 0; i < steps; i++) {
    const [v, g] = step(tree.ref(p), ...batch.map((b) => b.ref));
    last = v.js() as number;
    if (i === 0) first = last;
    ({ params: p, state } = adamStep(p, g, state, { lr }));
  }
  step.dispose();
  return { first, last };
}
