// The browser app: mirkit.js is the library bundled for browsers (`npm run build:web`), ort.wasm.min.mjs is
// onnxruntime-web (its WebAssembly build), both served by `mirkit serve` or any static server.
import * as mirkit from "./mirkit.js";

// WebGPU where the browser has a graphics adapter (onnxruntime-web's WebGPU build), WebAssembly otherwise.
const adapter = navigator.gpu ? await navigator.gpu.requestAdapter().catch(() => null) : null;
const ort = adapter ? await import("./ort/ort.webgpu.min.mjs") : await import("./ort/ort.wasm.min.mjs");
// Both models run on WebGPU where there is an adapter. (The pitch model's graph pads its 6-channel branch inputs to 8:
// ONNX Runtime 1.30's WebGPU Conv is wrong at 6 input channels; see conv2d in src/nn/layers.ts.)
const sessionFor = () => ({ executionProviders: adapter ? ["webgpu", "wasm"] : ["wasm"] });
// An absolute URL: a relative one would be resolved against the runtime's module itself (…/ort/ort/).
ort.env.wasm.wasmPaths = new URL("ort/", document.baseURI).href;
const $ = (id) => document.getElementById(id);
const status = (text, error = false) => { $("status").textContent = text; $("status").className = error ? "error" : ""; };
$("backend").textContent = adapter
  ? "Models run with ONNX Runtime on WebGPU (your graphics card)."
  : "Models run with ONNX Runtime on WebAssembly (CPU); this browser offers no WebGPU adapter.";
document.body.dataset.backend = adapter ? "webgpu" : "wasm";
let audio, name = "song";

// The served model whose name starts with `prefix`, loaded by its family's class (SeparationModel, MultipitchModel,
// PianoTranscriber, PartsTranscriber), with its second graph where the family has one (`companion`: "step", "pitchgram").
async function shipped(Family, prefix, companion) {
  // models/index.json: written by `npm run build:web` beside the copied models (any static host), or served by `mirkit serve`.
  const names = await (await fetch("models/index.json")).json();
  // The family's default model, as the command line picks it: not a trimmed one (`mirkit trim`) and not one of
  // the informed family (they need phonemes or lyrics, or gate with a head); those are chosen by name.
  const files = names.filter((n) => n.startsWith(prefix) && n.endsWith(".onnx") && !n.endsWith(".step.onnx") && !n.endsWith(".pitchgram.onnx"));
  let file, recipe, recipeName;
  for (const f of files) {
    const name = `models/${f.replace(/\.onnx$/, "")}.recipe.json`;
    const r = await (await fetch(name)).json();
    if (r.trimmedFrom === undefined && r.model?.kind !== "informed") { file = f; recipe = r; recipeName = name; break; }
  }
  if (!file) throw new Error(`no ${prefix} model is served`);
  const bytes = async (f) => new Uint8Array(await (await fetch(`models/${f}`)).arrayBuffer());
  const onnx = await bytes(file);
  const companions = companion ? { [companion]: await bytes(file.replace(/\.onnx$/, `.${companion}.onnx`)) } : undefined;
  return Family.load(ort, { onnx, recipe, recipeName, companions }, sessionFor());
}

function link(label, bytes, file, type) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([bytes], { type }));
  a.download = file;
  a.textContent = label;
  $("out").append(a);
}

async function open(f) {
  try {
    status(`Reading ${f.name} …`);
    audio = await mirkit.decodeAudio(new Uint8Array(await f.arrayBuffer()), { file: f.name });
    name = f.name.replace(/\.[^.]+$/, "");
    status(`${f.name}: ${(audio.channels[0].length / audio.sampleRate).toFixed(1)} s, ${audio.channels.length} channel(s), ${audio.sampleRate} Hz`);
    $("multipitch").disabled = $("separate").disabled = $("transcribe").disabled = false;
  } catch (err) {
    $("multipitch").disabled = $("separate").disabled = $("transcribe").disabled = true;
    status(String(err.message ?? err), true);
  }
}
$("file").addEventListener("change", (e) => e.target.files[0] && open(e.target.files[0]));
$("drop").addEventListener("dragover", (e) => { e.preventDefault(); $("drop").classList.add("over"); });
$("drop").addEventListener("dragleave", () => $("drop").classList.remove("over"));
$("drop").addEventListener("drop", (e) => { e.preventDefault(); $("drop").classList.remove("over"); if (e.dataTransfer.files[0]) open(e.dataTransfer.files[0]); });

// A job with its progress bar; its errors are shown in the page.
async function job(button, what, work) {
  const bar = $(`${button}-progress`);
  bar.hidden = false;
  bar.value = 0;
  $(button).disabled = true;
  try {
    await work((p) => { bar.value = p; status(`${what} … ${Math.round(100 * p)} %`); });
    status("done");
  } catch (err) {
    status(String(err.message ?? err), true);
  } finally {
    $(button).disabled = false;
  }
}

// --- Sung pitches: the salience picture, the notes over it (zoomable), downloads. ---
let roll;
function drawRoll() {
  if (!roll) return;
  const c = $("roll"), g = c.getContext("2d");
  const a = Math.min(+$("zoom-start").value, +$("zoom-end").value - 0.01), b = Math.max(+$("zoom-end").value, a + 0.01);
  const t0 = a * roll.duration, t1 = b * roll.duration;
  const lo = 36, hi = 96; // MIDI range drawn: C2–C7
  g.fillStyle = "#000";
  g.fillRect(0, 0, c.width, c.height);
  // Salience: its frames in [t0, t1), its bins (20 cents from C1) mapped to the MIDI range.
  const { frames, bins, data, hop } = roll;
  const f0 = Math.floor(t0 / hop), f1 = Math.min(frames, Math.ceil(t1 / hop));
  const img = g.createImageData(c.width, c.height);
  for (let x = 0; x < c.width; x++) {
    const f = Math.min(f1 - 1, f0 + Math.floor(((f1 - f0) * x) / c.width));
    for (let y = 0; y < c.height; y++) {
      const midi = hi - ((hi - lo) * y) / c.height, k = Math.round((midi - 24) * 5);
      const v = k >= 0 && k < bins && f >= 0 ? data[f * bins + k] : 0;
      const i = 4 * (y * c.width + x);
      img.data[i] = 255 * Math.min(1, 1.5 * v); img.data[i + 1] = 120 * v; img.data[i + 2] = 60 + 120 * v; img.data[i + 3] = 255;
    }
  }
  g.putImageData(img, 0, 0);
  const colours = ["#4fc3f7", "#aed581", "#ffb74d", "#f06292", "#ba68c8", "#fff176"];
  for (const n of roll.notes) {
    if (n.offset < t0 || n.onset > t1) continue;
    const x = ((n.onset - t0) / (t1 - t0)) * c.width, w = ((n.offset - n.onset) / (t1 - t0)) * c.width;
    const y = ((hi - n.pitch - 0.5) / (hi - lo)) * c.height;
    g.strokeStyle = colours[n.voice % colours.length];
    g.lineWidth = 2;
    g.strokeRect(x, y, Math.max(2, w), c.height / (hi - lo));
  }
  g.fillStyle = "#fff";
  g.font = "13px system-ui, sans-serif";
  for (let m = 36; m <= 96; m += 12) g.fillText(`C${m / 12 - 1}`, 4, ((hi - m) / (hi - lo)) * c.height - 2);
  g.fillText(`${t0.toFixed(1)} s`, 40, 16);
  g.fillText(`${t1.toFixed(1)} s`, c.width - 50, 16);
}
$("zoom-start").addEventListener("input", drawRoll);
$("zoom-end").addEventListener("input", drawRoll);

$("multipitch").addEventListener("click", () => job("multipitch", "Finding the sung pitches", async (progress) => {
  const model = await shipped(mirkit.MultipitchModel, "multif0-");
  try {
    const parts = [];
    const result = await mirkit.multipitch(audio, { model, onProgress: progress, onSalience: (sal, n) => parts.push({ sal, n }) });
    const bins = 360, total = parts.reduce((s, p) => s + p.n, 0);
    const data = new Float32Array(total * bins);
    let at = 0;
    for (const { sal, n } of parts) { for (let t = 0; t < n; t++) for (let k = 0; k < bins; k++) data[(at + t) * bins + k] = sal[k * n + t]; at += n; }
    const duration = audio.channels[0].length / audio.sampleRate;
    const fig = mirkit.renderFigure({
      title: `${name}: how strongly each pitch sounds`, durationSeconds: duration, valueRange: [0, 1], colorbarLabel: "strength",
      panels: [{ data, nFrames: total, nBins: bins, yLabel: "Pitch", yTicks: [0, 1, 2, 3, 4, 5].map((o) => ({ at: 60 * o, label: `C${o + 1}` })) }],
    });
    const img = document.createElement("img");
    img.alt = "pitch strength over time";
    img.src = URL.createObjectURL(new Blob([await mirkit.encodePng(fig.rgb, fig.width, fig.height)], { type: "image/png" }));
    $("out").append(img);
    const notes = mirkit.f0ToNotes(result.times, result.freqs);
    roll = { notes, data, frames: total, bins, hop: result.times.length > 1 ? result.times[1] - result.times[0] : 0.0116, duration };
    $("pitches").hidden = false;
    drawRoll();
    const text = Array.from(result.times, (t, i) => [t.toFixed(6), ...Array.from(result.freqs[i], (v) => v.toFixed(2))].join("\t")).join("\n") + "\n";
    link("Pitches per frame (multipitch.txt)", new TextEncoder().encode(text), "multipitch.txt", "text/plain");
    link("Notes as MIDI", mirkit.voiceNotesToMidi(notes), `${name}.mid`, "audio/midi");
    link("Notes as CSV", new TextEncoder().encode(mirkit.formatNotes(notes, "csv")), `${name}.notes.csv`, "text/csv");
  } finally {
    await model.dispose();
  }
}));

// --- Transcription to MIDI: piano (one track), or any ensemble split into instrument parts (a track each). ---
$("transcribe").addEventListener("click", () => job("transcribe", "Transcribing", async (progress) => {
  const k = $("instruments").value;
  const text = (t) => new TextEncoder().encode(t);
  if (k === "piano") {
    const model = await shipped(mirkit.PianoTranscriber, "piano-", "step");
    try {
      const notes = await mirkit.transcribe(audio, { model, onProgress: progress });
      link(`Piano notes as MIDI (${notes.length} notes)`, mirkit.notesToMidi(notes, { tempoBpm: mirkit.estimateTempo(notes) }), `${name}.piano.mid`, "audio/midi");
      link("Piano notes (mir_eval)", text(mirkit.formatNotes(notes, "mir_eval", { velocity: true })), `${name}.piano.txt`, "text/plain");
    } finally {
      await model.dispose();
    }
  } else {
    const model = await shipped(mirkit.PartsTranscriber, "parts-", "pitchgram");
    try {
      const found = await mirkit.transcribeParts(audio, model, { instruments: k === "auto" ? "auto" : Number(k), onProgress: progress });
      link(`Parts as MIDI (${found.parts} part(s), ${found.notes.length} notes)`, mirkit.partsToMidi(found.notes, found.parts, { tempoBpm: mirkit.estimateTempo(found.notes) }), `${name}.parts.mid`, "audio/midi");
    } finally {
      await model.dispose();
    }
  }
}));

// --- Separation: players with mute/solo and one playhead, downloads. ---
let mixer;
function setupMixer(stems) {
  const ctx = new AudioContext();
  const buffers = stems.map(({ channels }) => {
    const b = ctx.createBuffer(channels.length, channels[0].length, audio.sampleRate);
    channels.forEach((c, i) => b.copyToChannel(c, i));
    return b;
  });
  const gains = stems.map(() => { const g = ctx.createGain(); g.connect(ctx.destination); return g; });
  const state = stems.map(() => ({ mute: false, solo: false }));
  const duration = buffers[0].duration;
  let sources = [], startedAt = 0, offset = 0, playing = false;
  const apply = () => {
    const anySolo = state.some((s) => s.solo);
    gains.forEach((g, i) => { g.gain.value = state[i].mute || (anySolo && !state[i].solo) ? 0 : 1; });
  };
  const stop = () => { sources.forEach((s) => s.stop()); sources = []; playing = false; $("play").textContent = "Play"; };
  const play = () => {
    sources = buffers.map((b, i) => { const s = ctx.createBufferSource(); s.buffer = b; s.connect(gains[i]); s.start(0, offset); return s; });
    startedAt = ctx.currentTime - offset;
    playing = true;
    $("play").textContent = "Pause";
  };
  $("play").onclick = async () => {
    await ctx.resume();
    if (playing) { offset = ctx.currentTime - startedAt; stop(); } else play();
  };
  $("position").oninput = () => { offset = +$("position").value * duration; if (playing) { stop(); play(); } };
  const tick = () => {
    const t = playing ? ctx.currentTime - startedAt : offset;
    if (playing && t >= duration) { stop(); offset = 0; }
    $("position").value = String(Math.min(1, t / duration));
    $("clock").textContent = `${Math.floor(t / 60)}:${String(Math.floor(t % 60)).padStart(2, "0")}`;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  $("stems").replaceChildren(...stems.map((s, i) => {
    const row = document.createElement("div");
    row.className = "stem";
    row.innerHTML = `<b>${s.label}</b> <label><input type="checkbox" data-kind="mute"> mute</label> <label><input type="checkbox" data-kind="solo"> solo</label>`;
    row.querySelectorAll("input").forEach((box) => box.addEventListener("change", () => { state[i][box.dataset.kind] = box.checked; apply(); }));
    return row;
  }));
  $("mixer").hidden = false;
  return { stop, state, gains };
}

$("separate").addEventListener("click", () => job("separate", "Separating the voice", async (progress) => {
  const model = await shipped(mirkit.SeparationModel, "separation-");
  // Which device the session got: onnxruntime-web sets env.webgpu.device once its WebGPU backend is up.
  document.body.dataset.separationDevice = adapter && ort.env.webgpu?.device ? "webgpu" : "wasm";
  try {
    const { vocals, accompaniment } = await mirkit.separate(audio, { model, onProgress: progress });
    mixer?.stop();
    mixer = setupMixer([{ label: "Voice", channels: vocals }, { label: "Accompaniment", channels: accompaniment }]);
    link("vocals.wav", mirkit.encodeWav({ sampleRate: audio.sampleRate, channels: vocals }, { encoding: "float32" }), "vocals.wav", "audio/wav");
    link("accompaniment.wav", mirkit.encodeWav({ sampleRate: audio.sampleRate, channels: accompaniment }, { encoding: "float32" }), "accompaniment.wav", "audio/wav");
  } finally {
    await model.dispose();
  }
}));

// --- Versions: a library of cover features in the page, and the ranking of `mirkit covers query`. ---
const library = [];
$("library-files").addEventListener("change", async (e) => {
  for (const f of e.target.files) {
    try {
      status(`Adding ${f.name} to the library …`);
      const a = await mirkit.decodeAudio(new Uint8Array(await f.arrayBuffer()), { file: f.name });
      library.push({ name: f.name, features: mirkit.coverFeatures(mirkit.toMono(a), a.sampleRate) });
    } catch (err) {
      status(String(err.message ?? err), true);
      return;
    }
  }
  $("library-count").textContent = `${library.length} recording(s)`;
  $("find-versions").disabled = audio === undefined || library.length === 0;
  status(`${library.length} recording(s) in the library`);
});
$("file").addEventListener("change", () => setTimeout(() => { $("find-versions").disabled = library.length === 0; }, 0));

$("find-versions").addEventListener("click", () => job("find-versions", "Comparing", async (progress) => {
  const q = mirkit.coverFeatures(mirkit.toMono(audio), audio.sampleRate);
  const cands = [];
  for (const [i, e] of library.entries()) {
    cands.push({ name: e.name, ...mirkit.pairDistances(q, e.features) });
    progress((i + 1) / library.length);
    await new Promise((r) => setTimeout(r, 0)); // let the progress bar move
  }
  const ranks = mirkit.rerankScores(cands);
  const rows = cands.map((c, i) => ({ ...c, rank: ranks[i] })).sort((a, b) => a.rank - b.rank);
  $("versions").replaceChildren(...rows.map((r) => {
    const li = document.createElement("li");
    const verdict = r.fused <= mirkit.CALIBRATION.threshold ? "a version" : "probably not a version";
    li.textContent = `${r.name}: ${verdict} (distance ${r.fused.toFixed(3)}; ${mirkit.CALIBRATION.threshold} or less means a version)`;
    return li;
  }));
}));
