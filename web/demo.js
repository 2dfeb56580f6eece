// The browser demo: mirkit.js is the library bundled for browsers (`npm run build:web`),
// ort.wasm.min.mjs is onnxruntime-web (its WebAssembly build), both served by `mirkit serve`.
import * as mirkit from "./mirkit.js";
import * as ort from "./ort/ort.wasm.min.mjs";

// An absolute URL: a relative one would be resolved against ort.wasm.min.mjs itself (…/ort/ort/).
ort.env.wasm.wasmPaths = new URL("ort/", document.baseURI).href;
const $ = (id) => document.getElementById(id);
const status = (text) => ($("status").textContent = text);
let audio;

// The served model whose name starts with `prefix`, loaded by its family's class (SeparationModel, MultipitchModel).
async function shipped(Family, prefix) {
  const names = await (await fetch("models/")).json();
  const name = names.find((n) => n.startsWith(prefix) && n.endsWith(".onnx"));
  if (!name) throw new Error(`no ${prefix} model is served`);
  const recipeName = `models/${name.replace(/\.onnx$/, "")}.recipe.json`;
  const recipe = await (await fetch(recipeName)).json();
  const onnx = new Uint8Array(await (await fetch(`models/${name}`)).arrayBuffer());
  return Family.load(ort, { onnx, recipe, recipeName });
}

function link(label, bytes, file, type) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([bytes], { type }));
  a.download = file;
  a.textContent = label;
  const p = document.createElement("p");
  p.append(a);
  $("out").append(p);
}

$("file").addEventListener("change", async (e) => {
  const f = e.target.files[0];
  if (!f) return;
  try {
    status(`decoding ${f.name} …`);
    audio = await mirkit.decodeAudio(new Uint8Array(await f.arrayBuffer()), { file: f.name });
    status(`${f.name}: ${(audio.channels[0].length / audio.sampleRate).toFixed(1)} s, ${audio.channels.length} channel(s), ${audio.sampleRate} Hz`);
    $("multipitch").disabled = $("separate").disabled = false;
  } catch (err) {
    status(String(err.message ?? err));
  }
});

$("multipitch").addEventListener("click", async () => {
  try {
    const model = await shipped(mirkit.MultipitchModel, "multif0-");
    const frames = [];
    const result = await mirkit.multipitch(audio, {
      model,
      onProgress: (p) => status(`multiple F0s … ${Math.round(100 * p)} %`),
      onSalience: (sal, n) => frames.push({ sal, n }),
    });
    const bins = 360, total = frames.reduce((s, f) => s + f.n, 0);
    const data = new Float32Array(total * bins);
    let at = 0;
    for (const { sal, n } of frames) { for (let t = 0; t < n; t++) for (let k = 0; k < bins; k++) data[(at + t) * bins + k] = sal[k * n + t]; at += n; }
    const fig = mirkit.renderFigure({
      title: "multi-F0 salience", durationSeconds: audio.channels[0].length / audio.sampleRate, valueRange: [0, 1], colorbarLabel: "level",
      panels: [{ data, nFrames: total, nBins: bins, yLabel: "F0", yTicks: [0, 1, 2, 3, 4, 5].map((o) => ({ at: 60 * o, label: `C${o + 1}` })) }],
    });
    const img = document.createElement("img");
    img.src = URL.createObjectURL(new Blob([await mirkit.encodePng(fig.rgb, fig.width, fig.height)], { type: "image/png" }));
    $("out").append(img);
    const text = Array.from(result.times, (t, i) => [t.toFixed(6), ...Array.from(result.freqs[i], (v) => v.toFixed(2))].join("\t")).join("\n") + "\n";
    link("F0s per frame (mir_eval multipitch format)", new TextEncoder().encode(text), "multipitch.txt", "text/plain");
    status("done");
    await model.dispose();
  } catch (err) {
    status(String(err.message ?? err));
  }
});

$("separate").addEventListener("click", async () => {
  try {
    const model = await shipped(mirkit.SeparationModel, "separation-");
    const { vocals, accompaniment } = await mirkit.separate(audio, { model, onProgress: (p) => status(`separating … ${Math.round(100 * p)} %`) });
    link("vocals.wav", mirkit.encodeWav({ sampleRate: audio.sampleRate, channels: vocals }, { encoding: "float32" }), "vocals.wav", "audio/wav");
    link("accompaniment.wav", mirkit.encodeWav({ sampleRate: audio.sampleRate, channels: accompaniment }, { encoding: "float32" }), "accompaniment.wav", "audio/wav");
    status("done");
    await model.dispose();
  } catch (err) {
    status(String(err.message ?? err));
  }
});
