/**
 * The demo page in a real browser: Debian's Chromium (headless, driven by
 * playwright-core) opens the page that `mirkit serve` serves, with the
 * library bundled for browsers, loads a WAV through the file input, runs
 * the multi-F0 model, the separation model and the piano and part
 * transcribers in ONNX Runtime Web, and the results it offers for download
 * must equal the Node path's. Skipped, with
 * a message, where no Chromium is installed (`apt-get install chromium`).
 */
import * as assert from "node:assert/strict";
import { copyFileSync, existsSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { decodeWav, encodeWav } from "../io/wav.js";
import { loadMultipitchModel, loadPianoTranscriber, loadSeparationModel } from "../node.js";
import { createStaticServer, defaultRoots } from "../server/static.js";
import { multipitch } from "../tasks/multipitch.js";
import { separate } from "../tasks/separate.js";
import { transcribe } from "../tasks/transcribe.js";
import { sine } from "../testing/assert.js";
import { readPng } from "../testing/png.js";
import { scratchDir } from "../testing/scratch.js";

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`;

/** The page's folder as `npm run build:web` makes it (index.html, demo.js and the bundle), with the server's other roots. */
async function pageFolder(): Promise<{ roots: ReturnType<typeof defaultRoots>; web: string }> {
  const esbuild = await import("esbuild");
  const roots = defaultRoots();
  const web = scratchDir("mirkit-page-");
  for (const f of ["index.html", "demo.js"]) copyFileSync(path.join(roots.web, f), path.join(web, f));
  await esbuild.build({ entryPoints: [path.join(DIST, "index.js")], bundle: true, platform: "browser", format: "esm", outfile: path.join(web, "mirkit.js"), logLevel: "silent" });
  return { roots, web };
}

test("the demo page in headless Chromium: decode, multiple F0s and separation in ONNX Runtime Web equal the Node path", { skip, timeout: 300_000 }, async () => {
  const { chromium } = await import("playwright-core");
  const { roots, web } = await pageFolder();
  // Two voice-like tones with harmonics, 4 s, stereo (panned), at the models' rate.
  const sr = 22050, n = 4 * sr, left = new Float32Array(n), right = new Float32Array(n);
  [220, 330].forEach((f, v) => {
    for (let h = 1; h <= 6; h++) {
      const s = sine(f * h, sr, n, 0.2 / (h * h));
      for (let i = 0; i < n; i++) { left[i] += (v === 0 ? 0.7 : 0.3) * s[i]; right[i] += (v === 0 ? 0.3 : 0.7) * s[i]; }
    }
  });
  const audio = { sampleRate: sr, channels: [left, right] };
  const wavFile = path.join(web, "tones.wav");
  writeFileSync(wavFile, encodeWav(audio, { encoding: "float32" }));

  const server = createStaticServer({ ...roots, web });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    const status = page.locator("#status");
    // A file that is not audio: one line naming it, and the buttons stay off.
    const bogus = path.join(web, "notes.wav");
    writeFileSync(bogus, "these are not samples\n");
    await page.setInputFiles("#file", bogus);
    await status.filter({ hasText: "notes.wav" }).waitFor({ timeout: 30_000 });
    assert.match((await status.textContent()) ?? "", /notes\.wav.*(RIFF|WAV|format|header)/i);
    assert.ok(await page.locator("#multipitch").isDisabled(), "no job on a file that did not decode");
    await page.setInputFiles("#file", wavFile);
    await assert.doesNotReject(status.filter({ hasText: "4.0 s, 2 channel(s), 22050 Hz" }).waitFor({ timeout: 30_000 }), "the page decodes the file");
    // The downloads are blob: links; the page itself reads them back for us.
    const download = (file: string) => page.evaluate(async (f) => {
      const a = document.querySelector<HTMLAnchorElement>(`a[download="${f}"]`);
      if (a === null) throw new Error(`no ${f} link`);
      return Array.from(new Uint8Array(await (await fetch(a.href)).arrayBuffer()));
    }, file);

    // A job is over when its download link appears, or the status line reports an error.
    const run = async (button: string, link: string) => {
      await page.click(button);
      await page.waitForFunction((f) => document.querySelector(`a[download="${f}"]`) !== null || /rror/.test(document.getElementById("status")!.textContent ?? ""), link, { timeout: 120_000 });
      assert.equal(await status.textContent(), "done");
    };
    await run("#multipitch", "multipitch.txt");
    assert.equal(await page.locator("#out img").count(), 1, "the salience picture is shown");
    // PFFFT compiles synchronously in the page's main thread (a 39 kB module), so the browser gets the same FFT as Node.
    assert.equal(await page.evaluate(async () => (await import(new URL("mirkit.js", document.baseURI).href)).fastFftEngine()), "pffft-wasm");
    const text = Buffer.from(await download("multipitch.txt")).toString("utf8").trim().split("\n");
    const node = await multipitch(audio, { model: await loadMultipitchModel() });
    assert.equal(text.length, node.times.length);
    let same = 0, voiced = 0;
    text.forEach((line, i) => {
      const f = line.split("\t").slice(1).map(Number), g = node.freqs[i];
      if (g.length > 0) voiced++;
      if (f.length === g.length && f.every((v, k) => Math.abs(v - g[k]) < 0.5)) same++;
    });
    assert.ok(voiced > 0.5 * text.length, `the model hears the tones (${voiced} voiced frames)`);
    assert.ok(same >= 0.98 * text.length, `${same} of ${text.length} frames agree with the Node path`);
    // The notes: a MIDI download, and the piano roll drawn over the salience, zoomable in time.
    assert.equal(Buffer.from(await download("tones.mid")).subarray(0, 4).toString(), "MThd");
    assert.match(Buffer.from(await download("tones.notes.csv")).toString(), /^onset_s,offset_s,pitch_midi/);
    const rollColours = () => page.evaluate(() => {
      const c = document.getElementById("roll") as HTMLCanvasElement;
      const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4 * 97) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return seen.size;
    });
    assert.ok(await page.locator("#pitches").isVisible());
    assert.ok((await rollColours()) > 20, "the piano roll is drawn");
    await page.locator("#zoom-end").fill("0.5");
    await page.locator("#zoom-end").dispatchEvent("input");
    assert.ok((await rollColours()) > 20, "zoomed, still drawn");

    await run("#separate", "accompaniment.wav");
    const vocals = decodeWav(Uint8Array.from(await download("vocals.wav")));
    const accompaniment = decodeWav(Uint8Array.from(await download("accompaniment.wav")));
    const expected = await separate(audio, { model: await loadSeparationModel() });
    for (let c = 0; c < 2; c++) {
      assert.equal(vocals.channels[c].length, n);
      let worst = 0, sumWorst = 0;
      for (let i = 0; i < n; i++) {
        worst = Math.max(worst, Math.abs(vocals.channels[c][i] - expected.vocals[c][i]));
        sumWorst = Math.max(sumWorst, Math.abs(vocals.channels[c][i] + accompaniment.channels[c][i] - audio.channels[c][i]));
      }
      assert.ok(worst < 1e-3, `channel ${c}: browser vs Node vocals differ by ${worst}`);
      assert.ok(sumWorst < 1e-6, `channel ${c}: vocals + accompaniment = mixture (${sumWorst})`);
    }
    // The stems in players: one playhead, mute and solo per stem.
    assert.ok(await page.locator("#mixer").isVisible());
    assert.equal(await page.locator("#stems .stem").count(), 2);
    await page.locator("#stems .stem").nth(0).locator("input[data-kind=solo]").check();
    await page.click("#play");
    await page.waitForFunction(() => Number((document.getElementById("position") as HTMLInputElement).value) > 0, undefined, { timeout: 10_000 });
    assert.equal(await page.locator("#play").textContent(), "Pause");
    await page.click("#play");
    // Transcription to MIDI: piano (the autoregressive model's step graph runs in the page), then two instrument parts.
    await run("#transcribe", "tones.piano.mid");
    assert.equal(Buffer.from(await download("tones.piano.mid")).subarray(0, 4).toString(), "MThd");
    const pianoLines = Buffer.from(await download("tones.piano.txt")).toString("utf8").split("\n").filter(Boolean).length;
    const nodePiano = await transcribe(audio, { model: await loadPianoTranscriber() });
    assert.ok(nodePiano.length > 0 && Math.abs(pianoLines - nodePiano.length) <= 1, `browser ${pianoLines} notes, Node ${nodePiano.length}`);
    await page.selectOption("#instruments", "2");
    await run("#transcribe", "tones.parts.mid");
    const partsMidi = Buffer.from(await download("tones.parts.mid"));
    assert.equal(partsMidi.subarray(0, 4).toString(), "MThd");
    const tracks = partsMidi.readUInt16BE(10); // the tempo track and one per part
    assert.ok(tracks >= 2 && tracks <= 3, `${tracks} tracks`);
    // Versions: a small library in the page. A 30 s chord progression is the song; the library holds the same
    // progression transposed up two semitones (a version) and another progression; the version must rank first.
    const progression = (roots: number[], shift: number, file: string) => {
      const len = 30 * sr, y = new Float32Array(len);
      roots.forEach((root, k) => {
        for (const interval of [0, 4, 7]) {
          const f = 110 * 2 ** ((root + interval + shift) / 12);
          for (let h = 1; h <= 4; h++) { const t = sine(f * h, sr, 2 * sr, 0.12 / h); y.set(t.map((v, i) => y[k * 2 * sr + i] + v), k * 2 * sr); }
        }
      });
      const f = path.join(web, file);
      writeFileSync(f, encodeWav({ sampleRate: sr, channels: [y] }, { encoding: "float32" }));
      return f;
    };
    const song = progression([0, 5, 7, 0, 9, 5, 7, 0, 0, 5, 7, 0, 9, 5, 7], 0, "song.wav");
    const version = progression([0, 5, 7, 0, 9, 5, 7, 0, 0, 5, 7, 0, 9, 5, 7], 2, "version.wav");
    const otherSong = progression([3, 10, 1, 8, 3, 6, 11, 4, 3, 10, 1, 8, 3, 6, 11], 0, "other.wav");
    await page.setInputFiles("#file", song);
    await status.filter({ hasText: "song.wav: 30.0 s" }).waitFor({ timeout: 30_000 });
    await page.setInputFiles("#library-files", [otherSong, version]);
    await status.filter({ hasText: "2 recording(s) in the library" }).waitFor({ timeout: 60_000 });
    await page.click("#find-versions");
    await page.waitForFunction(() => document.querySelectorAll("#versions li").length === 2 || /rror/.test(document.getElementById("status")!.textContent ?? ""), undefined, { timeout: 60_000 });
    const versions = await page.locator("#versions li").allTextContents();
    assert.match(versions[0], /^version\.wav: /, versions.join(" | "));
    const dist = versions.map((v) => Number(/distance ([\d.]+)/.exec(v)![1]));
    assert.ok(dist[0] < dist[1], versions.join(" | "));
    // Errors are shown in the page, in its words.
    assert.match((await page.locator("#backend").textContent()) ?? "", /WebAssembly/);
    // A screenshot of the whole page is not blank: the salience picture, the roll and the players are there.
    const shot = readPng(new Uint8Array(await page.screenshot({ fullPage: true })));
    const colours = new Set<number>();
    for (let i = 0; i < shot.rgb.length; i += 3 * 101) colours.add((shot.rgb[i] << 16) | (shot.rgb[i + 1] << 8) | shot.rgb[i + 2]);
    assert.ok(colours.size > 100 && shot.height > 900, `a full page (${colours.size} colours, ${shot.width}×${shot.height})`);
    assert.deepEqual(errors, [], "no errors in the page");
    if (process.env.MIRKIT_SCREENSHOT) await page.screenshot({ path: process.env.MIRKIT_SCREENSHOT, fullPage: true });
  } finally {
    await browser.close();
    server.close();
  }
});

test("the web app on WebGPU (Chromium's software adapter): it says so; separation and multiple F0s run there and equal the Node path", { skip, timeout: 300_000 }, async () => {
  const { chromium } = await import("playwright-core");
  const { roots, web } = await pageFolder();
  const sr = 22050, n = 4 * sr, x = new Float32Array(n);
  for (const f of [196, 294]) for (let h = 1; h <= 5; h++) { const s = sine(f * h * (1 + 0.004 * Math.sin(h)), sr, n, 0.15 / h); for (let i = 0; i < n; i++) x[i] += s[i] * (1 + 0.3 * Math.sin((2 * Math.PI * 5 * i) / sr)); }
  const wavFile = path.join(web, "duet.wav");
  writeFileSync(wavFile, encodeWav({ sampleRate: sr, channels: [x] }, { encoding: "float32" }));
  const server = createStaticServer({ ...roots, web });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader", "--enable-features=Vulkan"] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.backend !== undefined, undefined, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => document.body.dataset.backend), "webgpu");
    assert.match((await page.locator("#backend").textContent()) ?? "", /WebGPU/);
    await page.setInputFiles("#file", wavFile);
    await page.locator("#status").filter({ hasText: "4.0 s" }).waitFor({ timeout: 30_000 });
    await page.click("#separate");
    await page.waitForFunction(() => document.querySelector('a[download="vocals.wav"]') !== null || /rror/.test(document.getElementById("status")!.textContent ?? ""), undefined, { timeout: 240_000 });
    assert.equal(await page.locator("#status").textContent(), "done");
    const bytes = await page.evaluate(async () => Array.from(new Uint8Array(await (await fetch(document.querySelector<HTMLAnchorElement>('a[download="vocals.wav"]')!.href)).arrayBuffer())));
    const vocals = decodeWav(Uint8Array.from(bytes));
    const expected = await separate({ sampleRate: sr, channels: [x] }, { model: await loadSeparationModel() });
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(vocals.channels[0][i] - expected.vocals[0][i]));
    assert.equal(await page.evaluate(() => document.body.dataset.separationDevice), "webgpu", "the separation session runs on the WebGPU device");
    assert.ok(worst < 1e-3, `WebGPU vs Node vocals differ by ${worst}`);
    await page.click("#multipitch");
    await page.waitForFunction(() => document.querySelector('a[download="multipitch.txt"]') !== null || /rror/.test(document.getElementById("status")!.textContent ?? ""), undefined, { timeout: 240_000 });
    assert.equal(await page.locator("#status").textContent(), "done");
    const text = await page.evaluate(async () => (await (await fetch(document.querySelector<HTMLAnchorElement>('a[download="multipitch.txt"]')!.href)).text()));
    const node = await multipitch({ sampleRate: sr, channels: [x] }, { model: await loadMultipitchModel() });
    const rows = text.trim().split("\n");
    assert.equal(rows.length, node.times.length);
    let same = 0;
    rows.forEach((line, i) => {
      const f = line.split("\t").slice(1).map(Number), g = node.freqs[i];
      if (f.length === g.length && f.every((v, k) => Math.abs(v - g[k]) < 0.5)) same++;
    });
    assert.ok(same >= 0.98 * rows.length, `${same} of ${rows.length} frames agree with the Node path`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
