/**
 * A training loop over parameter trees: seeded determinism (batches are a
 * function of the step, so a resumed run replays exactly), Adam/AdamW with a
 * learning-rate schedule, validation with early stopping, checkpoints (params
 * and optimiser state as safetensors) that resume after a kill, weight
 * snapshots at chosen steps (lottery-ticket rewinding needs them), and a
 * per-step loss log. Storage is injected (`CheckpointStore`), so the loop
 * itself runs in Node and in browsers.
 */
import { jit, numpy as np, tree, valueAndGrad, type Array as JArray, type JsTree } from "@jax-js/jax";
import { ModelError } from "../errors.js";
import { namedLeaves } from "./layers.js";
import { adamInit, adamStep, type AdamOptions, type AdamState } from "./optim.js";
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from "./safetensors.js";

export interface CheckpointStore {
  save(name: string, bytes: Uint8Array): Promise<void>;
  load(name: string): Promise<Uint8Array | undefined>;
}

/** In-memory store, for tests and browsers without storage. */
export class MemoryStore implements CheckpointStore {
  readonly files = new Map<string, Uint8Array>();
  async save(name: string, bytes: Uint8Array): Promise<void> {
    this.files.set(name, bytes.slice());
  }
  async load(name: string): Promise<Uint8Array | undefined> {
    return this.files.get(name);
  }
}

export type Schedule = (step: number, totalSteps: number) => number;

export const constantLr = (lr: number): Schedule => () => lr;

/** Cosine decay from `lr` to `minLr` over the run, after `warmup` linear steps. */
export function cosineLr(lr: number, options: { minLr?: number; warmup?: number } = {}): Schedule {
  const min = options.minLr ?? 0, warm = options.warmup ?? 0;
  return (step, total) => {
    if (step < warm) return (lr * (step + 1)) / warm;
    const t = Math.min(1, (step - warm) / Math.max(1, total - warm));
    return min + 0.5 * (lr - min) * (1 + Math.cos(Math.PI * t));
  };
}

export interface TrainConfig<P extends JsTree<JArray>> {
  /** Fresh parameters (called once; also the template a checkpoint is loaded into). */
  readonly init: () => P;
  /** The loss of a batch (the arrays `batch` returned, in order). */
  readonly loss: (params: P, ...batch: JArray[]) => JArray;
  /** The batch for a step; must depend only on the step (and your seed) for exact resumption. */
  readonly batch: (step: number) => JArray[];
  readonly steps: number;
  readonly schedule: Schedule;
  readonly adam?: Omit<AdamOptions, "lr">;
  /** Lower is better; evaluated every `validateEvery` steps. */
  readonly validate?: (params: P) => number;
  readonly validateEvery?: number;
  /** Stop after this many validations without improvement. */
  readonly patience?: number;
  /** Halve the learning rate after this many validations without improvement (reduce-on-plateau). */
  readonly plateauPatience?: number;
  readonly checkpointEvery?: number;
  /** Steps at which to keep a copy of the weights (snapshot-<step>.safetensors). */
  readonly snapshotsAt?: readonly number[];
  readonly store?: CheckpointStore;
  /** Return (after a checkpoint) once this step is reached, as a session that ends mid-run would; resume later. */
  readonly stopAt?: number;
  /** Checked after every step: return early (after a checkpoint) when it says so, e.g. a time budget. */
  readonly stopWhen?: (step: number) => boolean;
  readonly onProgress?: (step: number, steps: number, loss: number) => void;
  /** Cancels training (checked between steps, where the loop also yields to the event loop every 200 ms so signals and timers run). */
  readonly signal?: AbortSignal;
}

export interface TrainResult<P> {
  readonly params: P;
  readonly best: P;
  readonly bestMetric: number;
  readonly stepsDone: number;
  readonly stoppedEarly: boolean;
  readonly resumedFrom: number;
  /** step,loss,lr[,validation] rows. */
  readonly log: string;
}

interface LoopState {
  step: number;
  lrScale: number;
  bestMetric: number;
  sinceBest: number;
  log: string;
}

function toNamed(prefix: string, t: unknown): Record<string, NamedTensor> {
  const out: Record<string, NamedTensor> = {};
  for (const [name, leaf] of namedLeaves(t)) out[`${prefix}${name}`] = { shape: leaf.shape, data: leaf.ref.dataSync() as Float32Array };
  return out;
}

/** A parameter tree shaped like `template` (which is disposed) with its leaves from `tensors` (named `prefix` + dotted path). */
export function fromNamed<P extends JsTree<JArray>>(template: P, prefix: string, tensors: Record<string, NamedTensor>): P {
  const names = namedLeaves(template).map(([n]) => n);
  const [leaves, def] = tree.flatten(template);
  const byLeaf = new Map<JArray, string>(namedLeaves(template).map(([n, l]) => [l, n]));
  const rebuilt = (leaves as JArray[]).map((leaf) => {
    const name = `${prefix}${byLeaf.get(leaf)}`;
    const t = tensors[name];
    if (t === undefined) throw new ModelError(`checkpoint is missing tensor "${name}" (has ${Object.keys(tensors).length} tensors; expected ${names.length} per tree)`);
    if (t.shape.join() !== leaf.shape.join()) throw new ModelError(`checkpoint tensor "${name}" has shape [${t.shape.join(", ")}], the model expects [${leaf.shape.join(", ")}]`);
    return np.array(t.data).reshape([...t.shape]);
  });
  tree.dispose(template);
  return tree.unflatten(def, rebuilt) as P;
}

export async function train<P extends JsTree<JArray>>(cfg: TrainConfig<P>): Promise<TrainResult<P>> {
  const store = cfg.store;
  let params = cfg.init();
  let adam: AdamState<P> = adamInit(params);
  const st: LoopState = { step: 0, lrScale: 1, bestMetric: Infinity, sinceBest: 0, log: "step,loss,lr,validation\n" };
  let best: P = tree.map((a: JArray) => a.ref, params) as P;
  let resumedFrom = 0;
  const saved = store ? await store.load("checkpoint.safetensors") : undefined;
  if (saved) {
    const { tensors, metadata } = decodeSafetensors(saved, "checkpoint.safetensors");
    const meta = JSON.parse(metadata.state ?? "{}") as LoopState & { adamStep: number };
    tree.dispose(best);
    params = fromNamed(params, "params.", tensors);
    best = fromNamed(cfg.init(), "best.", tensors);
    adam = { step: meta.adamStep, m: fromNamed(adam.m, "m.", tensors), v: fromNamed(adam.v, "v.", tensors) };
    Object.assign(st, { step: meta.step, lrScale: meta.lrScale, bestMetric: meta.bestMetric ?? Infinity, sinceBest: meta.sinceBest, log: meta.log });
    resumedFrom = st.step;
  }
  const checkpoint = async () => {
    if (!store) return;
    const tensors = { ...toNamed("params.", params), ...toNamed("best.", best), ...toNamed("m.", adam.m), ...toNamed("v.", adam.v) };
    await store.save("checkpoint.safetensors", encodeSafetensors(tensors, { state: JSON.stringify({ ...st, bestMetric: Number.isFinite(st.bestMetric) ? st.bestMetric : null, adamStep: adam.step }) }));
  };
  const step = jit(valueAndGrad(cfg.loss)) as unknown as ((p: P, ...arrays: JArray[]) => [JArray, P]) & { dispose(): void };
  let stoppedEarly = false;
  const until = Math.min(cfg.steps, cfg.stopAt ?? Infinity);
  let lastYield = performance.now();
  while (st.step < until) {
    if (performance.now() - lastYield > 200) {
      await new Promise((r) => setTimeout(r, 0));
      lastYield = performance.now();
    }
    cfg.signal?.throwIfAborted();
    if (cfg.snapshotsAt?.includes(st.step) && store) await store.save(`snapshot-${st.step}.safetensors`, encodeSafetensors(toNamed("", params), { step: String(st.step) }));
    const [value, grads] = step(tree.ref(params), ...cfg.batch(st.step));
    const loss = value.js() as number;
    if (!Number.isFinite(loss)) throw new ModelError(`training diverged: the loss is ${loss} at step ${st.step}; lower the learning rate`);
    const lr = cfg.schedule(st.step, cfg.steps) * st.lrScale;
    ({ params, state: adam } = adamStep(params, grads, adam, { ...cfg.adam, lr }));
    st.step++;
    let validation = "";
    if (cfg.validate && st.step % (cfg.validateEvery ?? 100) === 0) {
      const metric = cfg.validate(tree.ref(params));
      validation = String(metric);
      if (metric < st.bestMetric) {
        st.bestMetric = metric;
        st.sinceBest = 0;
        tree.dispose(best);
        best = tree.map((a: JArray) => a.ref, params) as P;
      } else {
        st.sinceBest++;
        if (cfg.plateauPatience !== undefined && st.sinceBest % cfg.plateauPatience === 0) st.lrScale *= 0.5;
        if (cfg.patience !== undefined && st.sinceBest >= cfg.patience) stoppedEarly = true;
      }
    }
    st.log += `${st.step - 1},${loss},${lr}${validation ? `,${validation}` : ","}\n`;
    cfg.onProgress?.(st.step, cfg.steps, loss);
    const budget = cfg.stopWhen?.(st.step) ?? false;
    if (store && (st.step % (cfg.checkpointEvery ?? 100) === 0 || st.step === until || stoppedEarly || budget)) await checkpoint();
    if (stoppedEarly || budget) break;
  }
  step.dispose();
  if (!cfg.validate) {
    tree.dispose(best);
    best = tree.map((a: JArray) => a.ref, params) as P;
  }
  tree.dispose(adam.m);
  tree.dispose(adam.v);
  return { params, best, bestMetric: st.bestMetric, stepsDone: st.step, stoppedEarly, resumedFrom, log: st.log };
}
