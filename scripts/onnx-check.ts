/**
 * The re-export scripts' check: a new ONNX model's outputs against jax-js's on the same random inputs
 * (uniform, seeds 3, 4, … in input order; outputs compared in order), refused over 1e-4.
 */
import type { Array as JArray } from "@jax-js/jax";
import { OnnxModel } from "../src/nn/runtime.js";
import { ortNode } from "../src/node.js";
import { arrayValues, randomArray } from "../src/testing/arrays.js";
import { maxAbsDiff } from "../src/testing/assert.js";

/** The largest output difference; throws, naming `what`, where it exceeds 1e-4. `jax` consumes its inputs. */
export async function checkAgainstJax(what: string, onnx: Uint8Array, shapes: readonly number[][], jax: (...inputs: JArray[]) => JArray | JArray[]): Promise<number> {
  const inputs = shapes.map((s, k) => randomArray([...s], 3 + k, "uniform"));
  const model = await OnnxModel.load(await ortNode(), onnx);
  const got = await model.run(Object.fromEntries(model.inputNames.map((n, k) => [n, { data: inputs[k].ref.dataSync() as Float32Array, dims: shapes[k] }])));
  const y = jax(...inputs);
  const want = Array.isArray(y) ? y : [y];
  const diff = Math.max(...model.outputNames.map((n, k) => maxAbsDiff(got[n].data, arrayValues(want[k]))));
  await model.dispose();
  if (!(diff <= 1e-4)) throw new Error(`${what}: the new ONNX differs from jax-js by ${diff}`);
  return diff;
}
