/**
 * The separation U-Net's prunable units (models/separation/unet.ts, blocks
 * tfc, tdc and tfc-tdf): the first conv's channels; in every block each
 * dense layer's growth channels, the block's output channels and the TDF's
 * bottleneck units; each downsampling and upsampling conv's channels. The
 * U-Net's wiring decides the consumers:
 * - a dense block's layers read the block input then every earlier layer's
 *   channels (one concatenation, so one input axis cut at several offsets);
 * - an encoder block's output feeds its downsampling conv and, through the
 *   skip, the matching decoder block, whose input is [skip, upsampled];
 * - the transposed conv's weights are [in, out, kh, kw], so its units are on
 *   axis 1 and it consumes on axis 0;
 * - the TDF is applied per channel (one dense map over frequency shared by
 *   all channels), so a block's output channel and its TDF residual are one
 *   unit; the TDF's bottleneck units are dense units of their own.
 * The last 1×1 conv (two mask channels) is never trimmed, nor the input's 4.
 * Recurrent blocks and the informed/multitask U-Nets are refused.
 * With the TDF's biases a unit whose producers are zeroed is not silent
 * (TDF(0) ≠ 0), so masking zeroes the consumers as well (units.ts).
 * No batch norm here: the batchnorm criterion does not apply.
 */
import { numpy as np, type Array as JArray } from "@jax-js/jax";
import { InvalidInputError } from "../errors.js";
import { unetMask, type UNetParams } from "../models/separation/unet.js";
import type { Tensors, UnitGroup } from "./units.js";

type Consumer = UnitGroup["consumers"][number];

/** The groups of a U-Net parameter set (its current widths). */
export function unetGroups(t: Tensors): UnitGroup[] {
  const has = (n: string) => t[n] !== undefined;
  const size = (n: string, axis = 0) => {
    if (!has(n)) throw new InvalidInputError(`separation U-Net: no tensor ${n}`);
    return t[n].shape[axis];
  };
  let depth = 0;
  while (has(`down.${depth}.pool.w`)) depth++;
  // Informed and multitask U-Nets keep theirs under "unet." beside their FiLM tables and head: not a plain U-Net here.
  if (depth === 0 || !has("first.w") || !has("last.w")) throw new InvalidInputError("trim: these weights are not a plain separation U-Net's (first, down.<d>.pool, last); informed and multitask U-Nets are not wired for trimming");
  if (Object.keys(t).some((k) => k.includes(".rnn."))) {
    throw new InvalidInputError("trim: U-Nets with recurrent blocks are not wired for trimming; trim the plain U-Net (separation-tfc-tdf)");
  }
  const key = (b: string) => {
    const k = has(`${b}.tfc.convs.0.w`) ? "tfc" : has(`${b}.tdc.convs.0.w`) ? "tdc" : undefined;
    if (!k) throw new InvalidInputError(`trim: block ${b} has no dense convs (tdf-only U-Nets are not wired for trimming)`);
    return k;
  };
  const layers = (b: string) => {
    let n = 0;
    while (has(`${b}.${key(b)}.convs.${n}.w`)) n++;
    return n;
  };
  const conv = (n: string) => [{ tensor: `${n}.w`, axis: 0 }, { tensor: `${n}.b`, axis: 0 }];
  const out = (b: string) => `${b}.${key(b)}.out`;
  /** Every tensor of block `b` that reads its input, at `offset` in its input axis. */
  const inputs = (b: string, offset: number, from = 0): Consumer[] => [
    ...Array.from({ length: layers(b) - from }, (_, l) => ({ tensor: `${b}.${key(b)}.convs.${from + l}.w`, axis: 1, offset })),
    { tensor: `${out(b)}.w`, axis: 1, offset },
  ];
  const groups: UnitGroup[] = [];
  /** The block's own units: each dense layer's growth (read by the later layers and the output conv) and the TDF bottleneck. */
  const inner = (b: string, inC: number) => {
    let offset = inC;
    for (let l = 0; l < layers(b); l++) {
      const name = `${b}.${key(b)}.convs.${l}`;
      groups.push({ name, size: size(`${name}.w`), producers: conv(name), consumers: inputs(b, offset, l + 1) });
      offset += size(`${name}.w`);
    }
    if (has(`${b}.tdf.a.w`)) {
      groups.push({ name: `${b}.tdf`, size: size(`${b}.tdf.a.w`, 1), producers: [{ tensor: `${b}.tdf.a.w`, axis: 1 }, { tensor: `${b}.tdf.a.b`, axis: 0 }], consumers: [{ tensor: `${b}.tdf.b.w`, axis: 0, offset: 0 }] });
    }
  };
  const output = (b: string, consumers: Consumer[]) => groups.push({ name: b, size: size(`${out(b)}.w`), producers: conv(out(b)), consumers });

  groups.push({ name: "first", size: size("first.w"), producers: conv("first"), consumers: inputs("down.0.block", 0) });
  for (let d = 0; d < depth; d++) {
    const b = `down.${d}.block`, pool = `down.${d}.pool`;
    inner(b, d === 0 ? size("first.w") : size(`down.${d - 1}.pool.w`));
    output(b, [{ tensor: `${pool}.w`, axis: 1, offset: 0 }, ...inputs(`up.${depth - 1 - d}.block`, 0)]);
    groups.push({ name: pool, size: size(`${pool}.w`), producers: conv(pool), consumers: inputs(d + 1 < depth ? `down.${d + 1}.block` : "middle", 0) });
  }
  inner("middle", size(`down.${depth - 1}.pool.w`));
  output("middle", [{ tensor: "up.0.unpool.w", axis: 0, offset: 0 }]);
  for (let i = 0; i < depth; i++) {
    const b = `up.${i}.block`, unpool = `up.${i}.unpool`;
    const skip = size(`${out(`down.${depth - 1 - i}.block`)}.w`);
    groups.push({ name: unpool, size: size(`${unpool}.w`, 1), producers: [{ tensor: `${unpool}.w`, axis: 1 }, { tensor: `${unpool}.b`, axis: 0 }], consumers: inputs(b, skip) });
    inner(b, skip + size(`${unpool}.w`, 1));
    output(b, [i + 1 < depth ? { tensor: `up.${i + 1}.unpool.w`, axis: 0, offset: 0 } : { tensor: "last.w", axis: 1, offset: 0 }]);
  }
  return groups;
}

/** Mean |activation| per unit of every group over `inputs` (mixture spectrograms [B, 4, F, T]): the activation criterion. */
export function unetActivations(p: UNetParams, inputs: readonly JArray[]): Record<string, Float64Array> {
  const sums: Record<string, Float64Array> = {};
  for (const x of inputs) {
    const mask = unetMask(p, x.ref, "matmul", {
      tap: (name, h, axis) => {
        const units = h.shape[axis];
        const perm = [...h.shape.keys()].filter((a) => a !== axis).concat(axis);
        const m = np.abs(h.ref.transpose(perm)).reshape([-1, units]).mean(0).dataSync() as Float32Array;
        const s = (sums[name] ??= new Float64Array(units));
        for (let u = 0; u < units; u++) s[u] += m[u] / inputs.length;
        return h;
      },
    });
    mask.dispose();
  }
  return sums;
}
