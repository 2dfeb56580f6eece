import * as assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { test } from "node:test";
import { createStaticServer } from "./static.js";
import { scratchDir } from "../testing/scratch.js";

test("demo server: the page, onnxruntime-web's files and the models; nothing outside them", async () => {
  const root = scratchDir("mirkit-serve-");
  const roots = { web: path.join(root, "web"), ort: path.join(root, "ort"), models: path.join(root, "models") };
  for (const d of Object.values(roots)) mkdirSync(d);
  writeFileSync(path.join(roots.web, "index.html"), "<!doctype html>hello");
  writeFileSync(path.join(roots.ort, "ort.min.mjs"), "export {}");
  writeFileSync(path.join(roots.models, "m.onnx"), new Uint8Array([1, 2, 3]));
  writeFileSync(path.join(roots.models, "m.recipe.json"), "{}");
  writeFileSync(path.join(root, "secret.txt"), "no");
  const server = createStaticServer(roots);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const get = (p: string) => fetch(base + p);
    const page = await get("/");
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    assert.equal(await page.text(), "<!doctype html>hello");
    const mjs = await get("/ort/ort.min.mjs");
    assert.equal(mjs.status, 200);
    assert.match(mjs.headers.get("content-type") ?? "", /javascript/);
    assert.deepEqual(await (await get("/models/")).json(), ["m.onnx", "m.recipe.json"]);
    assert.deepEqual(new Uint8Array(await (await get("/models/m.onnx")).arrayBuffer()), new Uint8Array([1, 2, 3]));
    for (const bad of ["/secret.txt", "/../secret.txt", "/%2e%2e/secret.txt", "/models/..%2Fsecret.txt", "/ort/..%2F..%2Fsecret.txt", "/..%2Fsecret.txt", "/models/nope.onnx"]) {
      assert.equal((await get(bad)).status, 404, bad);
    }
    const missing = await get("/mirkit.js");
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /npm run build:web/);
    assert.equal((await fetch(base + "/", { method: "POST" })).status, 405);
  } finally {
    server.close();
  }
});
