/**
 * safetensors (Hugging Face's format): an 8-byte little-endian header size,
 * a JSON header naming each tensor's dtype, shape and byte range, then the
 * raw little-endian data. Float32 tensors only here, which is all our
 * models store. Pure (no file access): see io/file for writing.
 */
import { ModelError } from "../errors.js";

export interface NamedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export function encodeSafetensors(tensors: Readonly<Record<string, NamedTensor>>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const n of names) {
    const t = tensors[n];
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) throw new ModelError(`safetensors: tensor "${n}" has shape [${t.shape.join(", ")}] but ${t.data.length} values`);
    header[n] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + 4 * size] };
    offset += 4 * size;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += " "; // align the data to 8 bytes
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const n of names) {
    const d = tensors[n].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array, file?: string): { tensors: Record<string, NamedTensor>; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new ModelError("not a safetensors file (shorter than its 8-byte header size)", { file });
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + n > bytes.length) throw new ModelError(`not a safetensors file (header of ${n} bytes in a ${bytes.length}-byte file)`, { file });
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch {
    throw new ModelError("not a safetensors file (its header is not JSON)", { file });
  }
  const tensors: Record<string, NamedTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") { metadata = info as unknown as Record<string, string>; continue; }
    if (info.dtype !== "F32") throw new ModelError(`tensor "${name}" is ${info.dtype}; only F32 is supported`, { file });
    const [a, b] = info.data_offsets;
    const start = 8 + n + a, end = 8 + n + b;
    if (end > bytes.length || b - a !== 4 * info.shape.reduce((x, y) => x * y, 1)) throw new ModelError(`tensor "${name}" has a bad byte range (file truncated?)`, { file });
    tensors[name] = { shape: info.shape, data: new Float32Array(bytes.slice(start, end).buffer) };
  }
  return { tensors, metadata };
}
