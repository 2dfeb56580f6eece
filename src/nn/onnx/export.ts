/**
 * Export of a traced jax-js function to ONNX. The function is traced with
 * `makeJaxpr` into jax-js's primitive-level IR; nested `jit` calls are
 * inlined, except the recurrent cores of nn/blocks.ts (named nested jits,
 * `RECURRENT_CORES`), each of which becomes one ONNX GRU or LSTM node, so a
 * recurrent model keeps its dynamic axes; every primitive becomes one or a
 * few ONNX operators (opset 18).
 * Parameters become initializers holding their current values; the other
 * arguments become graph inputs.
 *
 * Dynamic axes: the function is traced twice, with a dynamic axis at two
 * sizes (n and n + dynamicStep); shape parameters that differ between the traces are written so
 * ONNX Runtime computes them (−1 in Reshape, "to the end" in Slice, 1 in
 * Expand). A reshape that would need two unknown sizes is refused. Constants
 * that differ between the traces (the 1/N of a mean over the dynamic axis)
 * are computed from the input's size where they are c/n or c·n, and refused
 * otherwise; with more than one dynamic axis they are refused.
 *
 * `dot` (jax-js: Σ over the last axis of a broadcast product) becomes MatMul
 * when its operands have the (…, M, 1, K) · (…, 1, N, K) form matmul traces
 * to, and Mul + ReduceSum otherwise.
 */
import { makeJaxpr, numpy as np, tree, type Array as JArray, type JsTree } from "@jax-js/jax";
import { ModelError } from "../../errors.js";
import { RECURRENT_CORES } from "../blocks.js";
import { DataType, encodeModel, type AttributeValue, type NodeProto, type TensorProto, type ValueInfo } from "./proto.js";

const OPSET = 18;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

type Jaxpr = ReturnType<ReturnType<typeof makeJaxpr>>["jaxpr"]["jaxpr"];
type Eqn = Jaxpr["eqns"][number];
type Atom = Eqn["inputs"][number];
type VarT = Jaxpr["inBinders"][number];

const ELEM: Record<string, number> = { float32: DataType.FLOAT, int32: DataType.INT32, uint32: DataType.UINT32, bool: DataType.BOOL, float16: DataType.FLOAT16, float64: DataType.DOUBLE };

function elemType(dtype: string): number {
  const t = ELEM[dtype];
  if (t === undefined) throw new ModelError(`ONNX export: dtype ${dtype} has no ONNX equivalent here`);
  return t;
}

function rawBytes(dtype: string, values: ArrayLike<number>): Uint8Array {
  switch (dtype) {
    case "float32": return new Uint8Array(Float32Array.from(values).buffer);
    case "float64": return new Uint8Array(Float64Array.from(values).buffer);
    case "int32": return new Uint8Array(Int32Array.from(values).buffer);
    case "uint32": return new Uint8Array(Uint32Array.from(values).buffer);
    case "bool": return Uint8Array.from(values, (v) => (v ? 1 : 0));
    default: throw new ModelError(`ONNX export: cannot store constants of dtype ${dtype}`);
  }
}

function int64Tensor(name: string, values: readonly (number | bigint)[]): TensorProto {
  return { name, dims: [values.length], dataType: DataType.INT64, raw: new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer) };
}

export interface ExportOptions {
  /** Names of the non-parameter inputs, in order (default input0, input1, …). */
  readonly inputNames?: readonly string[];
  readonly outputNames?: readonly string[];
  /** Per input, axis → symbolic name, e.g. [{ 0: "batch", 2: "time" }]. */
  readonly dynamicAxes?: readonly (Readonly<Record<number, string>> | undefined)[];
  /** How much the second trace grows each dynamic axis (default 1); models that need multiples (U-Nets) set theirs. */
  readonly dynamicStep?: number;
  readonly docString?: string;
}

interface Traced {
  jaxpr: Jaxpr;
  consts: JArray[];
}

function trace<P extends JsTree<JArray>>(fn: (params: P, ...inputs: JArray[]) => JArray | JArray[], params: P, inputs: JArray[]): Traced {
  const { jaxpr } = makeJaxpr(fn as (...a: unknown[]) => JsTree<JArray>)(tree.ref(params), ...inputs.map((x) => x.ref));
  return { jaxpr: jaxpr.jaxpr, consts: jaxpr.consts as unknown as JArray[] };
}

/** Builds the ONNX graph node by node. */
class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private counter = 0;
  private literals = new Map<string, string>();

  fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  add(opType: string, inputs: string[], attributes?: Record<string, AttributeValue>, output?: string): string {
    const out = output ?? this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, inputs, outputs: [out], name: this.fresh(`n_${opType}`), attributes });
    return out;
  }

  int64s(values: readonly (number | bigint)[]): string {
    const key = `i64:${values.join(",")}`;
    let name = this.literals.get(key);
    if (name === undefined) {
      name = this.fresh("const_i64");
      this.initializers.push(int64Tensor(name, values));
      this.literals.set(key, name);
    }
    return name;
  }

  /** The one dynamic axis, where there is exactly one: the input, the axis, its sizes in the two traces. */
  dynamicSize: { input: string; axis: number; sizes: [number, number]; node?: string } | undefined;

  /**
   * A constant that is `v1` in the first trace and `v2` in the second: c/n
   * or c·n of the dynamic axis' size n, computed in the graph.
   */
  sizeDependent(dtype: string, v1: number, v2: number): string {
    const d = this.dynamicSize;
    if (d === undefined) throw new ModelError("ONNX export: a constant depends on the input size, and the model has more than one dynamic axis");
    const [n1, n2] = d.sizes;
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));
    const kind = close(v1 * n1, v2 * n2) ? "Div" : close(v1 / n1, v2 / n2) ? "Mul" : undefined;
    if (kind === undefined) throw new ModelError(`ONNX export: a constant changes with the dynamic axis (${v1} at ${n1}, ${v2} at ${n2}) in a way the exporter cannot express`);
    d.node ??= this.add("Gather", [this.add("Shape", [d.input]), this.int64s([d.axis])]);
    const n = this.add("Reshape", [this.add("Cast", [d.node], { to: { type: "int", value: elemType(dtype) } }), this.int64s([])]);
    return kind === "Div" ? this.add("Div", [this.scalar(dtype, v1 * n1), n]) : this.add("Mul", [this.scalar(dtype, v1 / n1), n]);
  }

  scalar(dtype: string, value: number): string {
    const key = `${dtype}:${Object.is(value, -0) ? "-0" : value}`;
    let name = this.literals.get(key);
    if (name === undefined) {
      name = this.fresh("lit");
      this.initializers.push({ name, dims: [], dataType: elemType(dtype), raw: rawBytes(dtype, [value]) });
      this.literals.set(key, name);
    }
    return name;
  }
}

/**
 * Exports `fn(params, ...inputs)` as an ONNX model. `params` (a tree of
 * arrays) become initializers; `inputs` are example arrays fixing shapes and
 * dtypes. Returns the serialised ModelProto.
 */
export function exportOnnx<P extends JsTree<JArray>>(
  fn: (params: P, ...inputs: JArray[]) => JArray | JArray[],
  params: P,
  inputs: JArray[],
  options: ExportOptions = {},
): Uint8Array {
  const main = trace(fn, params, inputs);
  const dyn = options.dynamicAxes ?? [];
  let alt: Traced | undefined;
  if (dyn.some((d) => d && Object.keys(d).length > 0)) {
    // A second trace with every dynamic axis one larger tells which shape parameters depend on it.
    const grown = inputs.map((x, i) => {
      const axes = Object.keys(dyn[i] ?? {}).map(Number);
      if (axes.length === 0) return x.ref;
      const pad = x.shape.map((_, a) => [0, axes.includes(a) ? (options.dynamicStep ?? 1) : 0] as [number, number]);
      return np.pad(x.ref, pad);
    });
    alt = trace(fn, params, grown);
    grown.forEach((g) => g.dispose());
  }
  const [paramLeaves] = tree.flatten(params);
  const g = new GraphBuilder();
  const nParams = paramLeaves.length;
  const inputInfos: ValueInfo[] = [];
  const inNames = main.jaxpr.inBinders.map((v, i) => {
    // makeJaxpr binds the traced consts first, then the flattened arguments.
    const nConsts = main.consts.length;
    if (i < nConsts) {
      const name = g.fresh("const");
      g.initializers.push({ name, dims: v.aval.shape, dataType: elemType(v.aval.dtype), raw: rawBytes(v.aval.dtype, main.consts[i].ref.dataSync()) });
      return name;
    }
    const k = i - nConsts;
    if (k < nParams) {
      const name = `param_${k}`;
      g.initializers.push({ name, dims: v.aval.shape, dataType: elemType(v.aval.dtype), raw: rawBytes(v.aval.dtype, (paramLeaves[k] as JArray).ref.dataSync()) });
      return name;
    }
    const idx = k - nParams;
    const name = options.inputNames?.[idx] ?? `input${idx}`;
    const axes = dyn[idx] ?? {};
    inputInfos.push({ name, elemType: elemType(v.aval.dtype), shape: v.aval.shape.map((d, a) => axes[a] ?? d) });
    return name;
  });
  const dynamicInputs = dyn.flatMap((d, i) => Object.entries(d ?? {}).map(([a, sym]) => ({ input: i, axis: Number(a), sym, size: inputs[i].shape[Number(a)] })));
  // One symbolic size: one axis, or several that share its name and size (say a mixture's frames and its
  // frame-aligned conditioning): size-dependent constants are computed from the first.
  if (dynamicInputs.length >= 1 && dynamicInputs.every((d) => d.sym === dynamicInputs[0].sym && d.size === dynamicInputs[0].size)) {
    const { input, axis } = dynamicInputs[0];
    const n = inputs[input].shape[axis];
    g.dynamicSize = { input: inputInfos[input].name, axis, sizes: [n, n + (options.dynamicStep ?? 1)] };
  }
  const outNames = lowerJaxpr(g, main.jaxpr, alt?.jaxpr, inNames);
  const outputs: ValueInfo[] = main.jaxpr.outs.map((a, i) => {
    const name = options.outputNames?.[i] ?? `output${i}`;
    g.add("Identity", [outNames[i]], undefined, name);
    const aval = (a as { aval: { shape: number[]; dtype: string } }).aval;
    const altAval = alt ? (alt.jaxpr.outs[i] as { aval: { shape: number[] } }).aval : undefined;
    return { name, elemType: elemType(aval.dtype), shape: aval.shape.map((d, ax) => (altAval && altAval.shape[ax] !== d ? `${name}_dim${ax}` : d)) };
  });
  for (const c of main.consts) c.dispose();
  for (const c of alt?.consts ?? []) c.dispose();
  // Initializers no node reads (the consts of a recurrent core's body, written as one node) are left out.
  const read = new Set(g.nodes.flatMap((n) => n.inputs));
  return encodeModel({
    graph: { name: "mirkit", nodes: g.nodes, initializers: g.initializers.filter((t) => read.has(t.name)), inputs: inputInfos, outputs },
    opsetVersion: OPSET,
    docString: options.docString,
  });
}


/**
 * Lowers `jaxpr` with its inputs named `inNames` and returns its outputs'
 * names. `alt` is the same program traced with the dynamic axes grown, read
 * equation by equation beside it. A nested jit is lowered in place, or as
 * one recurrent node where it is one of RECURRENT_CORES.
 */
function lowerJaxpr(g: GraphBuilder, jaxpr: Jaxpr, alt: Jaxpr | undefined, inNames: string[]): string[] {
  if (alt !== undefined && alt.eqns.length !== jaxpr.eqns.length) throw new ModelError("ONNX export: the traced program changes with the input size; this model cannot have a dynamic axis");
  const names = new Map<VarT, string>();
  jaxpr.inBinders.forEach((v, i) => names.set(v, inNames[i]));
  const nameOf = (a: Atom, altAtom?: Atom): string => {
    if ("value" in a) {
      // A literal; one that changes with the dynamic axis is computed from it.
      const other = altAtom !== undefined && "value" in altAtom ? altAtom.value : a.value;
      return other === a.value ? g.scalar(a.aval.dtype, a.value) : g.sizeDependent(a.aval.dtype, a.value, other);
    }
    const n = names.get(a);
    if (n === undefined) throw new ModelError("ONNX export: internal error, an unbound variable");
    return n;
  };
  jaxpr.eqns.forEach((eqn, k) => {
    const altEqn = alt?.eqns[k];
    const ins = eqn.inputs.map((a, i) => nameOf(a, altEqn?.inputs[i]));
    let out: string[];
    if ((eqn.primitive as string) === "jit") {
      const p = eqn.params as { name: string; jaxpr: Jaxpr; numConsts: number };
      const core = Object.hasOwn(RECURRENT_CORES, p.name) ? RECURRENT_CORES[p.name] : undefined;
      if (core !== undefined) out = [lowerRecurrent(g, core.cell, core.reverse, ins.slice(p.numConsts), shapeOf(eqn.inputs[eqn.inputs.length - 3]))];
      else out = lowerJaxpr(g, p.jaxpr, (altEqn?.params as { jaxpr: Jaxpr } | undefined)?.jaxpr, ins);
    } else {
      out = lower(g, eqn, ins, altEqn);
    }
    eqn.outBinders.forEach((v, i) => names.set(v, out[i]));
  });
  return jaxpr.outs.map((a) => nameOf(a));
}

/**
 * One ONNX GRU or LSTM node for a recurrent core (wx [D, G·H], wh [H, G·H],
 * b [G·H], x [B, T, D] → [B, T, H]; nn/blocks.ts): the gates are reordered
 * to ONNX's (GRU: update, reset, hidden; LSTM: input, output, forget, cell),
 * the bias goes to the input side (the recurrent bias is zero), and our GRU
 * applies the reset gate after the recurrent product (linear_before_reset).
 */
function lowerRecurrent(g: GraphBuilder, cell: "gru" | "lstm", reverse: boolean, ins: string[], whShape: number[]): string {
  const [wx, wh, b, x] = ins;
  const H = whShape[0];
  const range = (from: number) => Array.from({ length: H }, (_, i) => from + i);
  // Our gate blocks in ONNX order: GRU [r, z, n] → [z, r, n]; LSTM [i, f, c, o] → [i, o, f, c].
  const order = cell === "gru" ? [1, 0, 2] : [0, 3, 1, 2];
  const gates = g.int64s(order.flatMap((k) => range(k * H)));
  const weights = (w: string) => g.add("Unsqueeze", [g.add("Transpose", [g.add("Gather", [w, gates], { axis: { type: "int", value: 1 } })], { perm: { type: "ints", value: [1, 0] } }), g.int64s([0])]);
  const bx = g.add("Gather", [b, gates], { axis: { type: "int", value: 0 } });
  const bias = g.add("Unsqueeze", [g.add("Concat", [bx, g.add("Mul", [bx, g.scalar("float32", 0)])], { axis: { type: "int", value: 0 } }), g.int64s([0])]);
  const attrs: Record<string, AttributeValue> = { hidden_size: { type: "int", value: H }, direction: { type: "string", value: reverse ? "reverse" : "forward" } };
  if (cell === "gru") attrs.linear_before_reset = { type: "int", value: 1 };
  const seq = g.add("Transpose", [x], { perm: { type: "ints", value: [1, 0, 2] } }); // [T, B, D]
  const y = g.add(cell === "gru" ? "GRU" : "LSTM", [seq, weights(wx), weights(wh), bias], attrs); // [T, 1, B, H]
  return g.add("Transpose", [g.add("Squeeze", [y, g.int64s([1])])], { perm: { type: "ints", value: [1, 0, 2] } });
}

const UNARY: Record<string, string> = {
  neg: "Neg", reciprocal: "Reciprocal", exp: "Exp", log: "Log", sqrt: "Sqrt", sin: "Sin", cos: "Cos",
  floor: "Floor", ceil: "Ceil", erf: "Erf", atan: "Atan", asin: "Asin", stop_gradient: "Identity",
};
const BINARY: Record<string, string> = { add: "Add", mul: "Mul", min: "Min", max: "Max", idiv: "Div" };
const REDUCE: Record<string, string> = { Add: "ReduceSum", Max: "ReduceMax", Min: "ReduceMin", Mul: "ReduceProd" };

/** Shapes of an equation's inputs and output (first output). */
const shapeOf = (a: Atom): number[] => (a as { aval: { shape: number[] } }).aval.shape;

function lower(g: GraphBuilder, eqn: Eqn, ins: string[], alt: Eqn | undefined): string[] {
  const p = eqn.params as Record<string, unknown>;
  const prim = eqn.primitive as string;
  const outShape = eqn.outBinders[0].aval.shape;
  const altOut = alt?.outBinders[0].aval.shape;
  const dynamicDims = (shape: number[], other?: number[]) => shape.map((d, i) => other !== undefined && other[i] !== d);
  if (prim in UNARY) return [g.add(UNARY[prim], ins)];
  if (prim === "max") {
    // max(x, 0) is ReLU: ONNX Runtime fuses a Relu into the Conv or MatMul before it, not a Max.
    const zero = eqn.inputs.findIndex((a) => "value" in a && a.value === 0 && !Object.is(a.value, -0));
    const other = alt?.inputs[zero];
    if (zero >= 0 && (other === undefined || ("value" in other && other.value === 0)) && eqn.inputs[1 - zero].aval.dtype === "float32") return [g.add("Relu", [ins[1 - zero]])];
  }
  if (prim in BINARY) return [g.add(BINARY[prim], ins)];
  switch (prim) {
    case "erfc": return [g.add("Sub", [g.scalar(eqn.outBinders[0].aval.dtype, 1), g.add("Erf", ins)])];
    case "mod": return [g.add("Mod", ins, { fmod: { type: "int", value: 1 } })];
    case "cast": return [g.add("Cast", ins, { to: { type: "int", value: elemType(String(p.dtype)) } })];
    case "compare": {
      const op = String(p.op);
      if (op === "less") return [g.add("Less", ins)];
      if (op === "less_equal") return [g.add("LessOrEqual", ins)];
      if (op === "equal") return [g.add("Equal", ins)];
      if (op === "not_equal") return [g.add("Not", [g.add("Equal", ins)])];
      throw new ModelError(`ONNX export: compare op ${op} is not supported`);
    }
    case "where": return [g.add("Where", ins)];
    case "reduce": {
      const op = REDUCE[String(p.op)];
      if (op === undefined) throw new ModelError(`ONNX export: reduce op ${String(p.op)} is not supported`);
      return [g.add(op, [ins[0], g.int64s(p.axis as number[])], { keepdims: { type: "int", value: 0 } })];
    }
    case "dot": return [lowerDot(g, shapeOf(eqn.inputs[0]), shapeOf(eqn.inputs[1]), ins)];
    case "transpose": return [g.add("Transpose", ins, { perm: { type: "ints", value: p.perm as number[] } })];
    case "reshape": {
      const dynOut = dynamicDims(outShape, altOut);
      const n = dynOut.filter(Boolean).length;
      if (n > 1) throw new ModelError(`ONNX export: a reshape to [${outShape.join(", ")}] depends on the dynamic axis in ${n} places; export with fixed shapes`);
      return [g.add("Reshape", [ins[0], g.int64s(outShape.map((d, i) => (dynOut[i] ? -1 : d)))])];
    }
    case "broadcast": {
      const axis = p.axis as number[];
      const dynOut = dynamicDims(outShape, altOut);
      let x = ins[0];
      if (axis.length > 0) x = g.add("Unsqueeze", [x, g.int64s(axis)]);
      return [g.add("Expand", [x, g.int64s(outShape.map((d, i) => (dynOut[i] ? 1 : d)))])];
    }
    case "flip": {
      const axes = p.axis as number[];
      return [g.add("Slice", [ins[0], g.int64s(axes.map(() => -1)), g.int64s(axes.map(() => INT64_MIN)), g.int64s(axes), g.int64s(axes.map(() => -1))])];
    }
    case "shrink": {
      const sl = (p.slice as unknown[]).flat() as number[];
      const inShape = shapeOf(eqn.inputs[0]);
      const altIn = alt ? shapeOf(alt.inputs[0]) : undefined;
      const dynIn = dynamicDims(inShape, altIn);
      const axes: number[] = [], starts: (number | bigint)[] = [], ends: (number | bigint)[] = [];
      for (let a = 0; a < inShape.length; a++) {
        const [s, e] = [sl[2 * a], sl[2 * a + 1]];
        if (s === 0 && e === inShape[a]) continue;
        axes.push(a);
        starts.push(s);
        ends.push(dynIn[a] && e === inShape[a] ? INT64_MAX : e);
      }
      if (axes.length === 0) return [g.add("Identity", ins)];
      return [g.add("Slice", [ins[0], g.int64s(starts), g.int64s(ends), g.int64s(axes)])];
    }
    case "pad": {
      const w = (p.width as unknown[]).flat() as number[];
      const nd = w.length / 2;
      const lo = Array.from({ length: nd }, (_, a) => w[2 * a]), hi = Array.from({ length: nd }, (_, a) => w[2 * a + 1]);
      let x = ins[0];
      if ([...lo, ...hi].some((v) => v > 0)) x = g.add("Pad", [x, g.int64s([...lo.map((v) => Math.max(0, v)), ...hi.map((v) => Math.max(0, v))])]);
      if ([...lo, ...hi].some((v) => v < 0)) {
        const axes = lo.map((_, a) => a).filter((a) => lo[a] < 0 || hi[a] < 0);
        x = g.add("Slice", [x, g.int64s(axes.map((a) => Math.max(0, -lo[a]))), g.int64s(axes.map((a) => (hi[a] < 0 ? hi[a] : INT64_MAX))), g.int64s(axes)]);
      }
      return [x];
    }
    case "concatenate": return [g.add("Concat", ins, { axis: { type: "int", value: p.axis as number } })];
    case "split": {
      const outs = eqn.outBinders.map(() => g.fresh("split"));
      g.nodes.push({ opType: "Split", inputs: [ins[0], g.int64s(p.sizes as number[])], outputs: outs, name: g.fresh("n_Split"), attributes: { axis: { type: "int", value: p.axis as number } } });
      return outs;
    }
    case "conv": return [lowerConv(g, eqn, ins, alt)];
    default:
      throw new ModelError(`ONNX export: the jax-js primitive "${prim}" is not supported by mirkit's exporter`);
  }
}

/** dot(a, b) = Σ_k a[…, k]·b[…, k] with broadcasting. */
function lowerDot(g: GraphBuilder, sa: number[], sb: number[], ins: string[]): string {
  const r = Math.max(sa.length, sb.length);
  if (sa.length === r && sb.length === r && r >= 3 && sa[r - 2] === 1 && sb[r - 3] === 1) {
    // (…, M, 1, K) · (…, 1, N, K) → MatMul((…, M, K), (…, K, N)).
    const a2 = g.add("Squeeze", [ins[0], g.int64s([r - 2])]);
    const b2 = g.add("Squeeze", [ins[1], g.int64s([r - 3])]);
    const perm = Array.from({ length: r - 1 }, (_, i) => i);
    [perm[r - 3], perm[r - 2]] = [perm[r - 2], perm[r - 3]];
    const bT = g.add("Transpose", [b2], { perm: { type: "ints", value: perm } });
    return g.add("MatMul", [a2, bT]);
  }
  return g.add("ReduceSum", [g.add("Mul", ins), g.int64s([-1])], { keepdims: { type: "int", value: 0 } });
}

function lowerConv(g: GraphBuilder, eqn: Eqn, ins: string[], alt?: Eqn): string {
  const p = eqn.params as { vmapDims: number; strides: number[]; padding: number[] | [number, number][]; lhsDilation: number[]; rhsDilation: number[] };
  if (p.vmapDims !== 0) throw new ModelError("ONNX export: a vmapped convolution is not supported; export the unbatched model");
  const pad = (p.padding as unknown[]).flat() as number[];
  const nd = p.strides.length;
  const lo = Array.from({ length: nd }, (_, a) => pad[2 * a]), hi = Array.from({ length: nd }, (_, a) => pad[2 * a + 1]);
  let x = ins[0];
  if (p.lhsDilation.some((d) => d !== 1)) {
    const ct = convTranspose(g, p, lo, hi, shapeOf(eqn.inputs[1]), ins);
    if (ct !== undefined) return ct;
    // Zero insertion (transposed convolution): for each spatial axis, interleave d−1 zeros, drop the trailing ones.
    const shape = shapeOf(eqn.inputs[0]);
    const altShape = alt ? shapeOf(alt.inputs[0]) : undefined;
    const dynamic = shape.map((v, i) => altShape !== undefined && altShape[i] !== v);
    if (dynamic.filter(Boolean).length > 1) throw new ModelError("ONNX export: a transposed convolution with more than one dynamic axis is not supported");
    let cur = [...shape];
    for (let a = 0; a < nd; a++) {
      const d = p.lhsDilation[a];
      if (d === 1) continue;
      const ax = 2 + a;
      x = g.add("Unsqueeze", [x, g.int64s([ax + 1])]);
      const pads = new Array(2 * (cur.length + 1)).fill(0);
      pads[cur.length + 1 + ax + 1] = d - 1;
      x = g.add("Pad", [x, g.int64s(pads)]);
      const merged = [...cur];
      merged[ax] = cur[ax] * d;
      // Dims before the merged axis are copied (0), a dynamic one is inferred (−1), the rest are known.
      x = g.add("Reshape", [x, g.int64s(merged.map((v, i) => (i < ax ? 0 : dynamic[i] ? -1 : v)))]);
      // Drop the d − 1 trailing zeros (a negative end works for any length).
      x = g.add("Slice", [x, g.int64s([0]), g.int64s([-(d - 1)]), g.int64s([ax])]);
      merged[ax] = (cur[ax] - 1) * d + 1;
      cur = merged;
    }
  }
  const attrs: Record<string, AttributeValue> = {
    strides: { type: "ints", value: p.strides },
    dilations: { type: "ints", value: p.rhsDilation },
  };
  if ([...lo, ...hi].some((v) => v < 0)) {
    x = g.add("Slice", [x, g.int64s(lo.map((v) => Math.max(0, -v))), g.int64s(hi.map((v) => (v < 0 ? v : INT64_MAX))), g.int64s(lo.map((_, a) => 2 + a))]);
  }
  attrs.pads = { type: "ints", value: [...lo.map((v) => Math.max(0, v)), ...hi.map((v) => Math.max(0, v))] };
  return g.add("Conv", [x, ins[1]], attrs);
}

/**
 * A convolution over a zero-inserted input (lhsDilation = the stride) as one
 * ONNX ConvTranspose, which skips the products with the inserted zeros: the
 * kernel is flipped and its in/out axes swapped back (ONNX Runtime folds that
 * on the initializer at load), and the padding k − 1 − p becomes
 * ConvTranspose's pads (an end beyond k − 1 its output_padding). Returns
 * undefined where the convolution has no such form (strides or kernel
 * dilation not 1), which keeps the zero-insertion lowering.
 */
function convTranspose(g: GraphBuilder, p: { strides: number[]; lhsDilation: number[]; rhsDilation: number[] }, lo: number[], hi: number[], w: number[], ins: string[]): string | undefined {
  if (p.strides.some((s) => s !== 1) || p.rhsDilation.some((d) => d !== 1)) return undefined;
  const k = w.slice(2);
  const begin = k.map((kk, a) => kk - 1 - lo[a]);
  const end = k.map((kk, a) => kk - 1 - hi[a]);
  const outputPadding = end.map((e) => Math.max(0, -e));
  if (begin.some((b) => b < 0) || outputPadding.some((o, a) => o >= p.lhsDilation[a])) return undefined;
  const spatial = k.map((_, a) => 2 + a);
  const flipped = g.add("Slice", [ins[1], g.int64s(spatial.map(() => -1)), g.int64s(spatial.map(() => INT64_MIN)), g.int64s(spatial), g.int64s(spatial.map(() => -1))]);
  const weight = g.add("Transpose", [flipped], { perm: { type: "ints", value: [1, 0, ...spatial] } });
  return g.add("ConvTranspose", [ins[0], weight], {
    strides: { type: "ints", value: p.lhsDilation },
    pads: { type: "ints", value: [...begin, ...end.map((e) => Math.max(0, e))] },
    output_padding: { type: "ints", value: outputPadding },
  });
}

/**
 * Floating-point operations of one call of `fn(params, ...inputs)`, counted
 * on the same trace the exporter lowers: 2 per multiply-add of every `dot`
 * (output size × contracted length) and `conv` (output size × input
 * channels per group × kernel size; a transposed conv counts input size ×
 * output channels × kernel size, as its ConvTranspose computes it). Elementwise work
 * is not counted (it is small beside these in our models).
 */
export function countFlops<P extends JsTree<JArray>>(fn: (params: P, ...inputs: JArray[]) => JArray | JArray[], params: P, inputs: JArray[]): number {
  const { jaxpr: nested, consts } = trace(fn, params, inputs);
  consts.forEach((c) => c.dispose());
  const jaxpr = nested.flatten();
  let flops = 0;
  const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  for (const eqn of jaxpr.eqns) {
    const prim = eqn.primitive as string;
    if (prim === "dot") {
      const a = shapeOf(eqn.inputs[0]);
      flops += 2 * size(eqn.outBinders[0].aval.shape) * a[a.length - 1];
    } else if (prim === "conv") {
      const w = shapeOf(eqn.inputs[1]); // O × I/groups × kernel…
      const p = eqn.params as { lhsDilation: number[] };
      // A transposed convolution (zero-inserted input) is exported as ConvTranspose: each input pixel's products once.
      if (p.lhsDilation.some((d) => d !== 1)) flops += 2 * size(shapeOf(eqn.inputs[0])) * w[0] * size(w.slice(2));
      else flops += 2 * size(eqn.outBinders[0].aval.shape) * size(w.slice(1));
    }
  }
  return flops;
}
