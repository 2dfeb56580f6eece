import * as assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { Rng } from "../random.js";
import { VectorIndex } from "./vector-index.js";
import { scratchDir } from "../testing/scratch.js";

const unit = (r: Rng, d: number) => { const v = Float32Array.from({ length: d }, () => r.normal()); const n = Math.hypot(...v); return v.map((x) => x / n); };

test("vector index: nearest by cosine, keys kept, duplicates skipped; saved, loaded to grow, or mapped read-only; a bad file is one clear error", async () => {
  const dir = scratchDir("mirkit-vindex-");
  const r = new Rng(3), d = 16, n = 300;
  const vs = Array.from({ length: n }, () => unit(r, d));
  const idx = VectorIndex.create(d);
  const all = new Float32Array(n * d);
  vs.forEach((v, i) => all.set(v, i * d));
  idx.add(vs.map((_, i) => 1000 + 37 * i), all);
  idx.add([1000], vs[0]); // already there: skipped, not an error
  assert.equal(idx.size, n);
  const [m] = idx.search(vs[123], 1);
  assert.equal(m.key, 1000 + 37 * 123);
  assert.ok(m.distance < 1e-5);
  // Exact neighbours agree with the index's top 5 on this small set.
  const cos = (a: Float32Array, b: Float32Array) => 1 - a.reduce((s, x, i) => s + x * b[i], 0);
  const exact = vs.map((v, i) => ({ k: 1000 + 37 * i, d: cos(vs[7], v) })).sort((a, b) => a.d - b.d).slice(0, 5).map((x) => x.k);
  assert.deepEqual(idx.search(vs[7], 5).map((x) => x.key), exact);
  const file = path.join(dir, "x.index");
  await idx.save(file);
  const loaded = await VectorIndex.load(file, d);
  loaded.add([5], unit(r, d));
  assert.equal(loaded.size, n + 1);
  const mapped = await VectorIndex.load(file, d, { view: true });
  assert.equal(mapped.search(vs[9], 1)[0].key, 1000 + 37 * 9);
  assert.throws(() => idx.search(new Float32Array(3), 1), /needs 16 values/);
  writeFileSync(path.join(dir, "bad.index"), "not an index");
  await assert.rejects(VectorIndex.load(path.join(dir, "bad.index"), d), /bad\.index: not a readable vector index/);
  // A cut-off index, and one of other dimensions, are refused before usearch reads them.
  writeFileSync(path.join(dir, "cut.index"), readFileSync(file).subarray(0, 200));
  await assert.rejects(VectorIndex.load(path.join(dir, "cut.index"), d), /cut\.index: not a readable vector index \(its header promises 300 vectors/);
  await assert.rejects(VectorIndex.load(file, 8), /rows of 64 bytes where 8 float32 values take 32/);
});
