/**
 * Node-only: an approximate nearest-neighbour index of unit vectors by
 * cosine distance (HNSW, usearch 2.26.2, an embedded native library with
 * prebuilt binaries), keyed by non-negative integers. Saved atomically (a
 * temporary file renamed over the old one), so a crash leaves the previous
 * index or the new one, never half of one. Why usearch: bench/covers-scale.ts
 * and docs/covers-library.md (measured beside an exact scan).
 */
import { promises as fs } from "node:fs";
import { createRequire } from "node:module";
import { InvalidInputError, ModelError } from "../errors.js";

interface UsearchMatches { readonly keys: BigUint64Array; readonly distances: Float32Array }
interface UsearchIndex {
  add(keys: BigUint64Array, vectors: Float32Array): void;
  search(vector: Float32Array, k: number, threads: number): UsearchMatches;
  contains(key: bigint): boolean;
  size(): number;
  save(path: string): void;
  load(path: string): void;
  view(path: string): void;
}
interface UsearchModule {
  Index: new (o: { dimensions: number; metric: unknown; quantization: unknown; connectivity: number; expansion_add: number; expansion_search: number }) => UsearchIndex;
  MetricKind: { Cos: unknown };
  ScalarKind: { F32: unknown };
}

let usearch: UsearchModule | undefined;
function lib(): UsearchModule {
  if (!usearch) {
    try {
      usearch = createRequire(import.meta.url)("usearch") as UsearchModule;
    } catch (e) {
      throw new ModelError(`the vector index (usearch) could not be loaded: ${(e as Error).message}`, { cause: e });
    }
  }
  return usearch;
}

export interface VectorMatch {
  readonly key: number;
  /** Cosine distance, 1 − cos. */
  readonly distance: number;
}

export class VectorIndex {
  private constructor(private readonly index: UsearchIndex, readonly dim: number) {}

  /** An empty index of `dim`-dimensional vectors. */
  static create(dim: number): VectorIndex {
    const u = lib();
    return new VectorIndex(new u.Index({ dimensions: dim, metric: u.MetricKind.Cos, quantization: u.ScalarKind.F32, connectivity: 16, expansion_add: 128, expansion_search: 64 }), dim);
  }

  /** The index saved in `file`: read into memory (so it can grow), or, with `view`, memory-mapped read-only (opens at once at any size). */
  static async load(file: string, dim: number, options: { readonly view?: boolean } = {}): Promise<VectorIndex> {
    await checkIndexFile(file, dim);
    const v = VectorIndex.create(dim);
    try {
      if (options.view) v.index.view(file);
      else v.index.load(file);
    } catch (e) {
      throw new InvalidInputError(`not a readable vector index (${(e as Error).message})`, { file });
    }
    return v;
  }

  get size(): number {
    return this.index.size();
  }

  has(key: number): boolean {
    return this.index.contains(BigInt(key));
  }

  /** Adds vectors (row-major, `dim` each) under `keys`; keys already present are skipped. */
  add(keys: readonly number[], vectors: Float32Array): void {
    if (vectors.length !== keys.length * this.dim) throw new InvalidInputError(`vector index: ${keys.length} keys need ${keys.length * this.dim} values, got ${vectors.length}`);
    const fresh = keys.map((k, i) => [k, i] as const).filter(([k]) => !this.has(k));
    if (fresh.length === 0) return;
    const rows = new Float32Array(fresh.length * this.dim);
    fresh.forEach(([, i], r) => rows.set(vectors.subarray(i * this.dim, (i + 1) * this.dim), r * this.dim));
    this.index.add(BigUint64Array.from(fresh, ([k]) => BigInt(k)), rows);
  }

  /** The `k` nearest keys to `vector`, nearest first. */
  search(vector: Float32Array, k: number): VectorMatch[] {
    if (vector.length !== this.dim) throw new InvalidInputError(`vector index: a query needs ${this.dim} values, got ${vector.length}`);
    if (this.size === 0 || k <= 0) return [];
    const m = this.index.search(vector, Math.min(k, this.size), 1);
    return Array.from(m.keys, (key, i) => ({ key: Number(key), distance: m.distances[i] }));
  }

  /** Writes the index to `file` through a temporary file renamed over it. */
  async save(file: string): Promise<void> {
    const tmp = `${file}.tmp-${process.pid}`;
    this.index.save(tmp);
    const h = await fs.open(tmp, "r+");
    await h.sync();
    await h.close();
    await fs.rename(tmp, file);
  }
}

/**
 * usearch trusts a file's header: the vectors' block (rows and bytes per row as two u32s, then the rows)
 * and then the graph, which opens with "usearch". A file that is not an index would have it allocate what
 * its first bytes happen to say (measured: 19 GB for "not an index"), so the layout is checked first.
 */
async function checkIndexFile(file: string, dim: number): Promise<void> {
  const bad = (why: string) => new InvalidInputError(`not a readable vector index (${why})`, { file });
  let size: number, head: Buffer;
  const fh = await fs.open(file, "r").catch((e: Error) => { throw bad(e.message); });
  try {
    size = (await fh.stat()).size;
    head = Buffer.alloc(8);
    await fh.read(head, 0, 8, 0);
    const rows = head.readUInt32LE(0), bytes = head.readUInt32LE(4);
    if (size < 15 || bytes !== dim * 4) throw bad(size < 15 ? "too short" : `rows of ${bytes} bytes where ${dim} float32 values take ${dim * 4}`);
    const at = 8 + rows * bytes;
    if (at + 7 > size) throw bad(`its header promises ${rows} vectors, more than the file holds`);
    const magic = Buffer.alloc(7);
    await fh.read(magic, 0, 7, at);
    if (magic.toString("latin1") !== "usearch") throw bad("no usearch graph after the vectors");
  } finally {
    await fh.close();
  }
}
