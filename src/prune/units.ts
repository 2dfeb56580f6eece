/**
 * Structured trimming on named tensors (Esling et al., ISMIR 2020, "Ultra-light
 * deep MIR by trimming lottery tickets"): a network's prunable units (conv
 * output channels, dense units) are grouped with every tensor that indexes
 * them: producers (the unit's weights, bias, norm parameters, along their
 * output axis) and consumers (the next layers' weights along their input axis,
 * at an offset where groups are concatenated). Trimming gathers the kept
 * indices along those axes, so the result is a smaller network of the same
 * definition (widths come from the tensors' shapes), not a masked one.
 * Functions over `{ shape, data }` tensors (tensorsOf / treeOf convert from and
 * to jax-js parameter trees); the model families say what their groups are
 * (prune/multif0.ts).
 */
import { numpy as np } from "@jax-js/jax";
import { InvalidInputError } from "../errors.js";
import { namedLeaves } from "../nn/layers.js";
import type { NamedTensor } from "../nn/safetensors.js";

export type Tensors = Readonly<Record<string, NamedTensor>>;

export interface UnitGroup {
  readonly name: string;
  /** Units in the group now. */
  readonly size: number;
  /** Tensors indexed by the group's units along `axis`; the first is the weight the magnitude criterion reads. */
  readonly producers: readonly { readonly tensor: string; readonly axis: number }[];
  /** Tensors whose `axis` holds the group's units at [offset, offset + size). */
  readonly consumers: readonly { readonly tensor: string; readonly axis: number; readonly offset: number }[];
}

export type Criterion = "magnitude" | "activation" | "batchnorm";
export const CRITERIA: readonly Criterion[] = ["magnitude", "activation", "batchnorm"];
export type Scope = "local" | "global";

/** Kept unit indices per group (ascending). */
export type Keep = Readonly<Record<string, readonly number[]>>;

/** The tensor with only `idx` along `axis`. */
export function gatherAxis(t: NamedTensor, axis: number, idx: readonly number[]): NamedTensor {
  const shape = [...t.shape];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const n = shape[axis];
  for (const i of idx) if (!(i >= 0 && i < n)) throw new InvalidInputError(`trim: index ${i} outside axis ${axis} of size ${n}`);
  const out = new Float32Array(outer * idx.length * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < idx.length; j++) out.set(t.data.subarray((o * n + idx[j]) * inner, (o * n + idx[j] + 1) * inner), (o * idx.length + j) * inner);
  }
  shape[axis] = idx.length;
  return { shape, data: out };
}

/** Every tensor's kept indices along each axis the groups touch. */
function plan(tensors: Tensors, groups: readonly UnitGroup[], keep: Keep): Map<string, Map<number, number[]>> {
  const cuts = new Map<string, Map<number, number[]>>();
  const axisOf = (name: string, axis: number) => {
    const t = tensors[name];
    if (!t) throw new InvalidInputError(`trim: no tensor "${name}"`);
    const per = cuts.get(name) ?? cuts.set(name, new Map()).get(name)!;
    return per.get(axis) ?? per.set(axis, Array.from({ length: t.shape[axis] }, (_, i) => i)).get(axis)!;
  };
  for (const g of groups) {
    const k = keep[g.name] ?? Array.from({ length: g.size }, (_, i) => i);
    if (k.length === 0) throw new InvalidInputError(`trim: group ${g.name} would lose every unit`);
    const kept = new Set(k);
    for (const p of g.producers) {
      const cur = axisOf(p.tensor, p.axis);
      cuts.get(p.tensor)!.set(p.axis, cur.filter((i) => kept.has(i)));
    }
    for (const c of g.consumers) {
      const cur = axisOf(c.tensor, c.axis);
      cuts.get(c.tensor)!.set(c.axis, cur.filter((i) => i < c.offset || i >= c.offset + g.size || kept.has(i - c.offset)));
    }
  }
  return cuts;
}

/** The smaller network: every group keeps `keep[group]` (all units where absent). */
export function trimTensors(tensors: Tensors, groups: readonly UnitGroup[], keep: Keep): Record<string, NamedTensor> {
  const cuts = plan(tensors, groups, keep);
  const out: Record<string, NamedTensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    let cur = t;
    for (const [axis, idx] of cuts.get(name) ?? []) if (idx.length !== cur.shape[axis]) cur = gatherAxis(cur, axis, idx);
    out[name] = cur;
  }
  return out;
}

/**
 * The same-size network with the removed units masked (what trimming is compared with): their producers
 * zeroed, and their slices of every consumer too, so a unit that is not silent with zero weights (a bias
 * added after it, a residual) still reaches nothing: the masked network computes what the trimmed one does.
 */
export function maskTensors(tensors: Tensors, groups: readonly UnitGroup[], keep: Keep): Record<string, NamedTensor> {
  const out: Record<string, NamedTensor> = { ...tensors };
  const zero = (name: string, axis: number, drop: (i: number) => boolean) => {
    const t = out[name];
    const data = t.data.slice();
    const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1), n = t.shape[axis];
    const outer = data.length / (n * inner);
    for (let o = 0; o < outer; o++) for (let i = 0; i < n; i++) if (drop(i)) data.fill(0, (o * n + i) * inner, (o * n + i + 1) * inner);
    out[name] = { shape: t.shape, data };
  };
  for (const g of groups) {
    if (keep[g.name] === undefined) continue;
    const kept = new Set(keep[g.name]);
    for (const p of g.producers) zero(p.tensor, p.axis, (u) => !kept.has(u));
    for (const c of g.consumers) zero(c.tensor, c.axis, (i) => i >= c.offset && i < c.offset + g.size && !kept.has(i - c.offset));
  }
  return out;
}

/** Sum of |w| per unit of each group's first producer (its weight). */
export function magnitudeScores(tensors: Tensors, groups: readonly UnitGroup[]): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const g of groups) {
    const p = g.producers[0], t = tensors[p.tensor];
    const inner = t.shape.slice(p.axis + 1).reduce((a, b) => a * b, 1), n = t.shape[p.axis];
    const s = new Float64Array(n);
    for (let i = 0; i < t.data.length; i++) s[Math.floor(i / inner) % n] += Math.abs(t.data[i]);
    out[g.name] = s;
  }
  return out;
}

/**
 * The units to keep: `rate` of the remaining units go, the lowest-scoring
 * ones, per group ("local"), or under one cut-off over all groups after each
 * group's scores are divided by its maximum ("global"). Every group keeps at
 * least one unit.
 */
export function selectUnits(scores: Readonly<Record<string, ArrayLike<number>>>, rate: number, scope: Scope): Record<string, number[]> {
  if (!(rate > 0 && rate < 1)) throw new InvalidInputError(`trim: rate must be between 0 and 1, got ${rate}`);
  const keep: Record<string, number[]> = {};
  if (scope === "local") {
    for (const [g, s] of Object.entries(scores)) {
      const order = Array.from({ length: s.length }, (_, i) => i).sort((a, b) => s[a] - s[b] || a - b);
      const drop = Math.min(s.length - 1, Math.floor(rate * s.length));
      keep[g] = order.slice(drop).sort((a, b) => a - b);
    }
    return keep;
  }
  const all: { g: string; i: number; v: number }[] = [];
  for (const [g, s] of Object.entries(scores)) {
    let m = 0;
    for (let i = 0; i < s.length; i++) m = Math.max(m, s[i]);
    for (let i = 0; i < s.length; i++) all.push({ g, i, v: m > 0 ? s[i] / m : 0 });
  }
  all.sort((a, b) => a.v - b.v || (a.g < b.g ? -1 : a.g > b.g ? 1 : a.i - b.i));
  const left = new Map(Object.entries(scores).map(([g, s]) => [g, s.length]));
  const dropped = new Set<string>();
  let toDrop = Math.floor(rate * all.length);
  for (const u of all) {
    if (toDrop === 0) break;
    if (left.get(u.g)! <= 1) continue;
    dropped.add(`${u.g}\0${u.i}`);
    left.set(u.g, left.get(u.g)! - 1);
    toDrop--;
  }
  for (const [g, s] of Object.entries(scores)) keep[g] = Array.from({ length: s.length }, (_, i) => i).filter((i) => !dropped.has(`${g}\0${i}`));
  return keep;
}

/** Composes a round's choice (indices into the current units) with the earlier rounds' (indices into the original's). */
export function composeKeep(original: Keep, current: Keep): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [g, idx] of Object.entries(current)) out[g] = idx.map((i) => (original[g] ? original[g][i] : i));
  for (const [g, idx] of Object.entries(original)) out[g] ??= [...idx];
  return out;
}

export const tensorParameters = (t: Tensors): number => Object.values(t).reduce((s, x) => s + x.data.length, 0);

/** The named tensors of a parameter tree (names as namedLeaves gives them). */
export function tensorsOf(tree: unknown): Record<string, NamedTensor> {
  const out: Record<string, NamedTensor> = {};
  for (const [name, leaf] of namedLeaves(tree)) out[name] = { shape: [...leaf.shape], data: (leaf.ref.dataSync() as Float32Array).slice() };
  return out;
}

/** A parameter tree from dotted names ("trunk.0.w"; numeric parts make arrays), whatever the shapes. */
export function treeOf<P>(tensors: Tensors): P {
  const root: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(tensors)) {
    const parts = name.split(".");
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) node = (node[parts[i]] ??= /^\d+$/.test(parts[i + 1]) ? [] : {}) as Record<string, unknown>;
    node[parts.at(-1)!] = np.array(t.data).reshape([...t.shape]);
  }
  return root as P;
}
