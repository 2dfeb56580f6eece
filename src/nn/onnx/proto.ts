/**
 * A minimal protocol-buffers writer for the ONNX messages we emit (ModelProto
 * and what it contains), following onnx/onnx.proto (IR version 9). Fields are
 * written in field-number order; repeated numeric fields are packed.
 */

class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) byte |= 0x80;
      out.push(byte);
    } while (x !== 0n);
    this.push(Uint8Array.from(out));
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, v: number | bigint): void {
    this.tag(field, 0);
    this.varint(v);
  }

  bytes(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
  }

  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }

  float(field: number, v: number): void {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
  }

  message(field: number, m: Writer): void {
    this.bytes(field, m.finish());
  }

  packedInts(field: number, vs: readonly (number | bigint)[]): void {
    const w = new Writer();
    for (const v of vs) w.varint(v);
    this.bytes(field, w.finish());
  }

  packedFloats(field: number, vs: readonly number[]): void {
    const b = new Uint8Array(4 * vs.length);
    const view = new DataView(b.buffer);
    vs.forEach((v, i) => view.setFloat32(4 * i, v, true));
    this.bytes(field, b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const c of this.chunks) { out.set(c, off); off += c.length; }
    return out;
  }
}

/** ONNX TensorProto.DataType values. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12 } as const;

export interface TensorProto {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: number;
  /** Little-endian bytes of the elements. */
  readonly raw: Uint8Array;
}

export type AttributeValue =
  | { readonly type: "float"; readonly value: number }
  | { readonly type: "int"; readonly value: number }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "ints"; readonly value: readonly number[] }
  | { readonly type: "floats"; readonly value: readonly number[] }
  | { readonly type: "tensor"; readonly value: TensorProto };

export interface NodeProto {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface ValueInfo {
  readonly name: string;
  readonly elemType: number;
  /** A number for a fixed size, a string for a symbolic (dynamic) one. */
  readonly shape: readonly (number | string)[];
}

export interface GraphProto {
  readonly name: string;
  readonly nodes: readonly NodeProto[];
  readonly initializers: readonly TensorProto[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
}

export interface ModelProto {
  readonly graph: GraphProto;
  readonly opsetVersion: number;
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly docString?: string;
}

function tensor(t: TensorProto): Writer {
  const w = new Writer();
  w.packedInts(1, t.dims);
  w.int(2, t.dataType);
  w.string(8, t.name);
  w.bytes(9, t.raw);
  return w;
}

const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function attribute(name: string, a: AttributeValue): Writer {
  const w = new Writer();
  w.string(1, name);
  switch (a.type) {
    case "float": w.float(2, a.value); break;
    case "int": w.int(3, a.value); break;
    case "string": w.bytes(4, new TextEncoder().encode(a.value)); break;
    case "tensor": w.message(5, tensor(a.value)); break;
    case "floats": w.packedFloats(7, a.value); break;
    case "ints": w.packedInts(8, a.value); break;
  }
  w.int(20, ATTR_TYPE[a.type]);
  return w;
}

function node(n: NodeProto): Writer {
  const w = new Writer();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, attribute(k, v));
  return w;
}

function valueInfo(v: ValueInfo): Writer {
  const shape = new Writer();
  for (const d of v.shape) {
    const dim = new Writer();
    if (typeof d === "number") dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new Writer();
  tensorType.int(1, v.elemType);
  tensorType.message(2, shape);
  const type = new Writer();
  type.message(1, tensorType);
  const w = new Writer();
  w.string(1, v.name);
  w.message(2, type);
  return w;
}

/** Serialises a ModelProto (IR version 9, default ONNX domain). */
export function encodeModel(m: ModelProto): Uint8Array {
  const g = new Writer();
  for (const n of m.graph.nodes) g.message(1, node(n));
  g.string(2, m.graph.name);
  for (const t of m.graph.initializers) g.message(5, tensor(t));
  for (const i of m.graph.inputs) g.message(11, valueInfo(i));
  for (const o of m.graph.outputs) g.message(12, valueInfo(o));
  const w = new Writer();
  w.int(1, 9); // ir_version
  w.string(2, m.producerName ?? "mirkit");
  w.string(3, m.producerVersion ?? "");
  if (m.docString) w.string(6, m.docString);
  w.message(7, g);
  const opset = new Writer();
  opset.string(1, "");
  opset.int(2, m.opsetVersion);
  w.message(8, opset);
  return w.finish();
}
