/**
 * The operators of a serialised ONNX model, for tests that check what the
 * exporter wrote: a minimal protobuf walk (ModelProto.graph = field 7,
 * GraphProto.node = 1, NodeProto.op_type = 4), no dependency.
 */
function* fields(b: Uint8Array, from: number, to: number): Generator<{ field: number; start: number; end: number }> {
  let p = from;
  const varint = (): number => {
    let v = 0, scale = 1, c: number;
    do {
      c = b[p++];
      v += (c & 127) * scale;
      scale *= 128;
    } while (c & 128);
    return v;
  };
  while (p < to) {
    const key = varint(), field = Math.floor(key / 8), wire = key % 8;
    if (wire === 0) varint();
    else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else if (wire === 2) {
      const len = varint();
      yield { field, start: p, end: p + len };
      p += len;
    } else throw new Error(`onnx-graph: wire type ${wire} at byte ${p}`);
  }
}

/** How many nodes of each operator type the model's main graph has. */
export function onnxOpCounts(model: Uint8Array): Record<string, number> {
  const counts: Record<string, number> = {};
  const text = new TextDecoder();
  for (const g of fields(model, 0, model.length)) {
    if (g.field !== 7) continue;
    for (const n of fields(model, g.start, g.end)) {
      if (n.field !== 1) continue;
      for (const f of fields(model, n.start, n.end)) {
        if (f.field === 4) {
          const op = text.decode(model.subarray(f.start, f.end));
          counts[op] = (counts[op] ?? 0) + 1;
        }
      }
    }
  }
  return counts;
}
