/**
 * mirkit as users get it: the package is packed from a staging copy of what
 * `npm pack` ships (dist/ without tests, models/, examples/, web/ with the
 * browser bundle and onnxruntime-web's page files), installed into an empty
 * folder with the one documented flag (--ignore-scripts: onnxruntime-node's
 * install script would download CUDA libraries; its CPU build is in the
 * package), and then `npx mirkit --help`, `separate`, `multipitch`, `serve`
 * and the README's library example must work there. Needs the npm registry
 * (or npm's cache, which `npm ci` filled); skipped with a message without it.
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { scratchDir } from "./testing/scratch.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const NPM = "npm";
const registry = spawnSync(NPM, ["view", "onnxruntime-node@1.30.0", "version", "--prefer-offline"], { encoding: "utf8", timeout: 60_000 });
const skip = registry.status === 0 ? false : `the npm registry (or npm's cache) is not reachable: ${registry.stderr?.trim().split("\n")[0] ?? ""}`;

test("the packed package installs into an empty folder and its commands, server and library work there", { skip, timeout: 600_000 }, async () => {
  const work = scratchDir("mirkit-pack-");
  const stage = path.join(work, "stage");
  mkdirSync(stage);
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { files: string[]; version: string; scripts: Record<string, string> };
  for (const f of ["package.json", ...pkg.files.filter((x) => !x.startsWith("!"))]) if (existsSync(path.join(ROOT, f))) cpSync(path.join(ROOT, f), path.join(stage, f), { recursive: true });
  // What `npm run build:web` adds before packing: the browser bundle and onnxruntime-web's page files.
  const esbuild = await import("esbuild");
  await esbuild.build({ entryPoints: [path.join(ROOT, "dist", "index.js")], bundle: true, platform: "browser", format: "esm", outfile: path.join(stage, "web", "mirkit.js"), logLevel: "silent" });
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "copy-ort.mjs")], { env: { ...process.env } });
  cpSync(path.join(ROOT, "web", "ort"), path.join(stage, "web", "ort"), { recursive: true });
  // build:web also makes web/ deployable on any static host: the models and their list beside the page.
  const listed = JSON.parse(readFileSync(path.join(ROOT, "web", "models", "index.json"), "utf8")) as string[];
  assert.ok(listed.some((f) => /^separation-.*\.onnx$/.test(f)) && listed.every((f) => existsSync(path.join(ROOT, "web", "models", f))), listed.join(", "));
  cpSync(path.join(ROOT, "web", "models"), path.join(stage, "web", "models"), { recursive: true });
  const packed = execFileSync(NPM, ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: stage, encoding: "utf8" });
  const [{ filename, files }] = JSON.parse(packed) as { filename: string; files: { path: string }[] }[];
  const shipped = files.map((f) => f.path);
  assert.ok(!shipped.some((f) => f.startsWith("web/models/")), "the models ship once, in models/");
  assert.ok(!shipped.some((f) => /\.test\.|^dist\/testing\/|\.map$/.test(f)), `no tests, test helpers or source maps: ${shipped.filter((f) => /\.test\.|testing\/|\.map$/.test(f)).slice(0, 5).join(", ")}`);
  for (const f of ["LICENSE", "CHANGELOG.md", "dist/cli/main.js", "dist/node.js", "web/mirkit.js", "web/ort/ort.wasm.min.mjs", "examples/arpeggio.flac"]) assert.ok(shipped.includes(f), `ships ${f}`);

  const app = path.join(work, "app");
  mkdirSync(app);
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  const install = spawnSync(NPM, ["install", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", path.join(work, filename)], { cwd: app, encoding: "utf8", timeout: 300_000 });
  assert.equal(install.status, 0, install.stderr);
  assert.ok(!existsSync(path.join(app, "node_modules", "onnxruntime-web")), "Node users do not install onnxruntime-web");
  const npx = (...args: string[]) => spawnSync("npx", ["--no-install", "mirkit", ...args], { cwd: app, encoding: "utf8", timeout: 120_000 });
  const help = npx("--help");
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /separate/);
  const example = path.join(app, "node_modules", "mirkit", "examples", "arpeggio.flac");
  const sep = npx("--quiet", "separate", example, "-o", "stems");
  assert.equal(sep.status, 0, sep.stderr);
  assert.deepEqual(readdirSync(path.join(app, "stems", "arpeggio")).sort(), ["accompaniment.wav", "vocals.wav"]);
  const mp = npx("--quiet", "multipitch", example, "-o", "f0.txt");
  assert.equal(mp.status, 0, mp.stderr);
  assert.match(readFileSync(path.join(app, "f0.txt"), "utf8"), /^0\.000000/);
  // The README's library example.
  writeFileSync(path.join(app, "lib.mjs"), `
    import { separate, multipitch } from "mirkit";
    import { readAudioFile, loadSeparationModel, loadMultipitchModel } from "mirkit/node";
    const song = await readAudioFile(${JSON.stringify(example)});
    const model = await loadSeparationModel();
    const { vocals, accompaniment } = await separate(song, { model });
    const f0 = await multipitch(song, { model: await loadMultipitchModel() });
    await model.dispose();
    console.log(JSON.stringify({ n: vocals[0].length + accompaniment[0].length, frames: f0.times.length }));`);
  const lib = spawnSync(process.execPath, ["lib.mjs"], { cwd: app, encoding: "utf8", timeout: 120_000 });
  assert.equal(lib.status, 0, lib.stderr);
  assert.ok(JSON.parse(lib.stdout).frames > 0);
  // The server: the page, the bundle, onnxruntime-web and the models.
  // The installed bin run by node itself (npx would leave its child running when killed).
  const server = spawn(process.execPath, [path.join(app, "node_modules", ".bin", "mirkit"), "serve", "--port", "0"], { cwd: app, stdio: ["ignore", "ignore", "pipe"] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let err = "";
      server.stderr.on("data", (d) => { err += d; const m = /http:\/\/[^\s/]+\//.exec(err); if (m) resolve(m[0]); });
      server.on("exit", () => reject(new Error(`serve exited: ${err}`)));
    });
    for (const p of ["", "mirkit.js", "demo.js", "ort/ort.wasm.min.mjs", "ort/ort-wasm-simd-threaded.mjs", "ort/ort-wasm-simd-threaded.wasm", "models/", "models/index.json"]) {
      const r = await fetch(url + p);
      assert.equal(r.status, 200, `${p}: ${r.status}`);
    }
    const models = (await (await fetch(url + "models/")).json()) as string[];
    assert.ok(models.some((m) => m.startsWith("separation-")) && models.some((m) => m.startsWith("multif0-")));
  } finally {
    server.kill();
    server.stderr.destroy();
  }
});
