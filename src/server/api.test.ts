/**
 * The HTTP API's contract, on the embedded queue: every route, every error
 * (JSON, the right status, the field named), cancellation that leaves
 * nothing behind, expiry, covers jobs on a library, the OpenAPI docs.
 */
import * as assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { toneWav, waitFor } from "../testing/service.js";
import { encodeWav } from "../io/wav.js";
import { soundFontsAvailable } from "../io/soundfonts.js";
import { pianoRecording } from "../testing/piano.js";
import { createService, type ServiceOptions } from "./api.js";
import { ThreadPool } from "./pool.js";
import { EmbeddedBackend, jobDir } from "./queue.js";
import { scratchDir } from "../testing/scratch.js";

interface Running { app: FastifyInstance; base: string; store: string; backend: EmbeddedBackend }
const services: Running[] = [];
const pianoFonts = soundFontsAvailable(["timgm6mb"]);

async function start(o: Partial<ServiceOptions> & { concurrency?: number; maxQueued?: number } = {}): Promise<Running> {
  const store = scratchDir("mirkit-api-");
  const backend = new EmbeddedBackend(new ThreadPool(o.concurrency ?? 1, store), o.maxQueued ?? 10);
  const app = await createService({ backend, store, demo: false, ...o });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const s = { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, store, backend };
  services.push(s);
  return s;
}

after(async () => {
  for (const s of services) {
    await s.app.close();
    await s.backend.close();
    rmSync(s.store, { recursive: true, force: true });
  }
});

const short = toneWav(2, { seed: 1 });
const post = (base: string, query: string, body: Uint8Array<ArrayBuffer> | string = short, type = "audio/wav", headers: Record<string, string> = {}) =>
  fetch(`${base}/v1/jobs?${query}`, { method: "POST", body, headers: { "content-type": type, ...headers } });

async function finished(base: string, id: string): Promise<{ state: string; results: { name: string; url: string; type: string }[]; error?: string; value?: unknown; progress: number }> {
  return waitFor(async () => {
    const j = await (await fetch(`${base}/v1/jobs/${id}`)).json();
    return ["completed", "failed", "cancelled"].includes(j.state) ? j : undefined;
  }, `job ${id}`);
}

async function expectError(r: Response, status: number, code: string | string[], field?: string): Promise<{ message: string }> {
  assert.equal(r.status, status);
  assert.match(r.headers.get("content-type") ?? "", /application\/json/);
  const body = (await r.json()) as { error: { status: number; code: string; message: string; field?: string } };
  assert.equal(body.error.status, status);
  assert.ok((Array.isArray(code) ? code : [code]).includes(body.error.code), `${body.error.code}: ${body.error.message}`);
  if (field !== undefined) assert.equal(body.error.field, field);
  assert.ok(body.error.message.length > 10);
  return body.error;
}

let svc: Running;
before(async () => {
  svc = await start();
});

test("a multipitch job: raw body in, 202 with an id, results in mir_eval's multipitch format, MIDI and JSON", async () => {
  const r = await post(svc.base, "task=multipitch&threshold=0.3");
  assert.equal(r.status, 202);
  const { id, url } = await r.json();
  assert.equal(r.headers.get("location"), `/v1/jobs/${id}`);
  assert.equal(url, `/v1/jobs/${id}`);
  const job = await finished(svc.base, id);
  assert.equal(job.state, "completed", job.error);
  assert.equal(job.progress, 1);
  assert.deepEqual(job.results.map((x) => x.name), ["multipitch.txt", "notes.mid", "notes.json"]);
  const text = await (await fetch(svc.base + job.results[0].url)).text();
  const rows = text.trim().split("\n").map((l) => l.split("\t").map(Number));
  assert.ok(rows.length > 150, "2 s at 11.6 ms frames");
  // The tones are 110 Hz · 2^(k/12) for k = 0, 4, 7, 12 (seed 1: base 116.5 Hz): most frames hold one near them.
  const near = rows.filter((r) => r.slice(1).some((f) => [0, 4, 7, 12].some((k) => Math.abs(1200 * Math.log2(f / (110 * 2 ** ((1 + k) / 12)))) < 50))).length;
  assert.ok(near / rows.length > 0.6, `${near} of ${rows.length} frames hold a sung pitch`);
  const midi = new Uint8Array(await (await fetch(svc.base + job.results[1].url)).arrayBuffer());
  assert.equal(new TextDecoder().decode(midi.subarray(0, 4)), "MThd");
  const notes = (await (await fetch(svc.base + job.results[2].url)).json()) as unknown[];
  assert.ok(notes.length >= 3);
});

test("a transcribe job: a piano recording in, notes.mid and mir_eval notes out, the notes as the value", { skip: pianoFonts !== true ? pianoFonts : false }, async () => {
  const wav = new Uint8Array(encodeWav({ sampleRate: 22050, channels: [await pianoRecording()] }));
  const job = await finished(svc.base, (await (await post(svc.base, "task=transcribe&tempo=90", wav)).json()).id);
  assert.equal(job.state, "completed", job.error);
  assert.deepEqual(job.results.map((x) => [x.name, x.type]), [["notes.mid", "audio/midi"], ["notes.txt", "text/plain; charset=utf-8"]]);
  const value = job.value as { tempoBpm: number; notes: { pitch: number }[] };
  assert.equal(value.tempoBpm, 90);
  // The chord's root and the repeated D5 of the melody (docs/results.md: the model misses some chord tones).
  for (const pitch of [60, 74]) assert.ok(value.notes.some((n) => n.pitch === pitch), `key ${pitch} found`);
  const text = await (await fetch(svc.base + job.results[1].url)).text();
  assert.equal(text.trim().split("\n").length, value.notes.length);
});

test("a transcribe job with instruments: a MIDI track and a mir_eval file per part, each note's part in the value", async () => {
  const job = await finished(svc.base, (await (await post(svc.base, "task=transcribe&instruments=2&tempo=100", toneWav(4))).json()).id);
  assert.equal(job.state, "completed", job.error);
  const value = job.value as { tempoBpm: number; parts: number; silhouette: number; notes: { pitch: number; part: number }[] };
  assert.equal(value.tempoBpm, 100);
  assert.ok(value.parts >= 1 && value.parts <= 2, `${value.parts} parts`);
  assert.ok(value.notes.length >= 3, `${value.notes.length} notes`);
  assert.ok(value.notes.every((n) => n.part >= 1 && n.part <= value.parts));
  assert.deepEqual(job.results.map((x) => x.name), ["notes.mid", ...Array.from({ length: value.parts }, (_, k) => `notes.part${k + 1}.txt`)]);
  const midi = new Uint8Array(await (await fetch(svc.base + job.results[0].url)).arrayBuffer());
  assert.equal(new TextDecoder().decode(midi.subarray(0, 4)), "MThd");
  assert.equal((midi[10] << 8) | midi[11], value.parts + 1, "a tempo track and one track per part");
  for (let k = 1; k <= value.parts; k++) {
    const text = await (await fetch(svc.base + job.results[k].url)).text();
    assert.equal(text.trim().split("\n").filter(Boolean).length, value.notes.filter((n) => n.part === k).length, `part ${k}`);
  }
});

test("a separation job from a multipart upload: WAV stems as long as the input", async () => {
  const form = new FormData();
  form.append("audio", new Blob([toneWav(3, { channels: 2 })], { type: "audio/wav" }), "song.wav");
  const r = await fetch(`${svc.base}/v1/jobs?task=separate&format=flac`, { method: "POST", body: form });
  assert.equal(r.status, 202);
  const job = await finished(svc.base, (await r.json()).id);
  assert.equal(job.state, "completed", job.error);
  assert.deepEqual(job.results.map((x) => [x.name, x.type]), [["vocals.flac", "audio/flac"], ["accompaniment.flac", "audio/flac"]]);
  const res = await fetch(svc.base + job.results[0].url);
  assert.equal(res.headers.get("content-type"), "audio/flac");
  assert.equal(new TextDecoder().decode(new Uint8Array(await res.arrayBuffer()).subarray(0, 4)), "fLaC");
});

test("an informed separation job: the alignment as a multipart part (file or text field) reaches the informed model; a malformed one is a 400, one longer than the song fails the job", async () => {
  const form = (alignment: string | Blob, field = "phonemes", task = "separate") => {
    const f = new FormData();
    f.append(field, alignment);
    f.append("audio", new Blob([toneWav(3, { channels: 2 })], { type: "audio/wav" }), "song.wav");
    return fetch(`${svc.base}/v1/jobs?task=${task}`, { method: "POST", body: f });
  };
  const ok = await form(new Blob(["0.00 1.00 sil\n1.00 2.50 aa\n2.50 3.00 sil\n"], { type: "text/plain" }));
  assert.equal(ok.status, 202);
  const job = await finished(svc.base, (await ok.json()).id);
  assert.equal(job.state, "completed", job.error);
  assert.deepEqual(job.results.map((x) => x.name), ["vocals.wav", "accompaniment.wav"]);
  const lyrics = await finished(svc.base, (await (await form("[00:00.50]la la la\n[00:02.50]\n", "lyrics")).json()).id);
  assert.equal(lyrics.state, "completed", lyrics.error);
  // Checked against the audio's length by the job: the alignment reached the separation.
  const longId = (await (await form("0 1 sil\n1 40 aa\n")).json()).id as string;
  const long = await finished(svc.base, longId);
  assert.equal(long.state, "failed");
  assert.match(long.error ?? "", /runs to 40\.0 s but .* lasts 3\.0 s; is it the alignment of another song\?/);
  assert.equal((await fetch(`${svc.base}/v1/jobs/${longId}`, { method: "DELETE" })).status, 200);
  await expectError(await form("0 1 sil\n1 2 zz\n"), 400, "bad_alignment", "phonemes");
  await expectError(await form("0 1 sil\n", "phonemes", "multipitch"), 400, "bad_field", "phonemes");
  await expectError(await form("0 1 sil\n", "chords"), 400, "bad_field", "chords");
});

test("bad requests: JSON errors with the status, a code and the field at fault; nothing is queued or kept", async () => {
  await expectError(await post(svc.base, "task=multipitch&bogus=1"), 400, "bad_option", "bogus");
  await expectError(await post(svc.base, "task=multipitch&threshold=2"), 400, "bad_option", "threshold");
  await expectError(await post(svc.base, "task=multipitch&threshold=abc"), 400, "bad_option", "threshold");
  await expectError(await post(svc.base, "task=multipitch&format=wav"), 400, "bad_option", "format");
  await expectError(await post(svc.base, "task=separate&format=mp3"), 400, "bad_option", "format");
  await expectError(await post(svc.base, "task=dance"), 400, "bad_option", "task");
  await expectError(await post(svc.base, "threshold=0.3"), 400, "bad_option", "task");
  await expectError(await post(svc.base, "task=transcribe&tempo=500"), 400, "bad_option", "tempo");
  await expectError(await post(svc.base, "task=transcribe&instruments=9"), 400, "bad_option", "instruments");
  await expectError(await post(svc.base, "task=transcribe&clustering=timbre"), 400, "bad_option", "clustering");
  await expectError(await post(svc.base, "task=covers.query"), 400, "task_unavailable", "task");
  await expectError(await post(svc.base, "task=multipitch", "hello", "text/plain"), 415, "unsupported_media_type");
  await expectError(await post(svc.base, "task=multipitch", "this is not audio at all, just words"), 415, "unsupported_format");
  await expectError(await post(svc.base, "task=multipitch", short.subarray(0, 44)), 400, "bad_audio");
  await expectError(await post(svc.base, "task=multipitch", new Uint8Array(0)), 400, "empty_upload");
  const form = new FormData();
  form.append("sound", new Blob([short]), "a.wav");
  await expectError(await fetch(`${svc.base}/v1/jobs?task=multipitch`, { method: "POST", body: form }), 400, "no_audio", "audio");
  await expectError(await fetch(`${svc.base}/v1/jobs/00000000-0000-0000-0000-000000000000`), 404, "no_such_job");
  await expectError(await fetch(`${svc.base}/v1/jobs/../../etc/passwd`), 404, "not_found");
  await expectError(await fetch(`${svc.base}/v1/jobs/nope`), 400, "bad_option", "id");
  await expectError(await fetch(`${svc.base}/v1/nothing`), 404, "not_found");
  assert.deepEqual(readdirSync(path.join(svc.store, "jobs")).filter((id) => !existsSync(path.join(jobDir(svc.store, id), "out"))), [], "no folder of a refused upload is left");
});

test("a result is served only under a name its job reported: no path reaches the file system", async () => {
  const { id } = await (await post(svc.base, "task=multipitch")).json();
  await finished(svc.base, id);
  for (const name of ["input", "..%2Finput", "..%2F..%2F..%2Fetc%2Fpasswd", "%2E%2E", "notes.mid%00"]) {
    await expectError(await fetch(`${svc.base}/v1/jobs/${id}/results/${name}`), 404, ["no_such_result", "not_found"]);
  }
});

test("limits: upload size and audio length are 413, a full queue is 429 with Retry-After", async () => {
  const small = await start({ maxUploadBytes: 100_000, maxAudioSeconds: 1 });
  await expectError(await post(small.base, "task=multipitch", toneWav(3)), 413, "upload_too_large");
  const form = new FormData();
  form.append("audio", new Blob([toneWav(3)]), "big.wav");
  await expectError(await fetch(`${small.base}/v1/jobs?task=multipitch`, { method: "POST", body: form }), 413, "upload_too_large");
  await expectError(await post(small.base, "task=multipitch", toneWav(1.5)), 413, "audio_too_long");

  const busy = await start({ maxQueued: 1 });
  const long = toneWav(60, { channels: 2 });
  const first = await (await post(busy.base, "task=separate", long)).json(); // runs
  await waitFor(async () => ((await (await fetch(`${busy.base}/v1/jobs/${first.id}`)).json()).state === "active" ? true : undefined), "the first job to start");
  assert.equal((await post(busy.base, "task=separate", long)).status, 202); // waits
  const full = await post(busy.base, "task=separate", long);
  await expectError(full, 429, "queue_full");
  assert.ok(Number(full.headers.get("retry-after")) >= 1);
});

test("cancelling a running job stops it and removes its files; the queue goes on", async () => {
  const own = await start();
  const { id } = await (await post(own.base, "task=separate", toneWav(90, { channels: 2 }))).json();
  await waitFor(async () => ((await (await fetch(`${own.base}/v1/jobs/${id}`)).json()).progress > 0 ? true : undefined), "progress", 60_000);
  const r = await fetch(`${own.base}/v1/jobs/${id}`, { method: "DELETE" });
  assert.equal(r.status, 200);
  assert.equal((await r.json()).state, "cancelled");
  assert.equal(existsSync(jobDir(own.store, id)), false);
  await new Promise((res) => setTimeout(res, 500));
  assert.equal(existsSync(jobDir(own.store, id)), false, "nothing written after the cancel");
  assert.equal((await (await fetch(`${own.base}/v1/jobs/${id}`)).json()).state, "cancelled");
  const next = await (await post(own.base, "task=multipitch")).json();
  assert.equal((await finished(own.base, next.id)).state, "completed");
  // Deleting a finished job removes its results and the job.
  assert.equal((await fetch(`${own.base}/v1/jobs/${next.id}`, { method: "DELETE" })).status, 200);
  assert.equal(existsSync(jobDir(own.store, next.id)), false);
  await expectError(await fetch(`${own.base}/v1/jobs/${next.id}`), 404, "no_such_job");
  await expectError(await fetch(`${own.base}/v1/jobs/${next.id}`, { method: "DELETE" }), 404, "no_such_job");
});

test("server-sent events: progress while the job runs, then its final state", async () => {
  const { id } = await (await post(svc.base, "task=separate", toneWav(20, { channels: 2 }))).json();
  const res = await fetch(`${svc.base}/v1/jobs/${id}/events`);
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  const text = await res.text();
  const events = [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({ event: m[1], data: JSON.parse(m[2]) as { state: string; progress: number } }));
  assert.ok(events.length >= 2, text);
  assert.equal(events.at(-1)!.event, "completed");
  assert.equal(events.at(-1)!.data.progress, 1);
  assert.ok(events.slice(0, -1).every((e) => e.event === "progress"));
  const ps = events.map((e) => e.data.progress);
  assert.deepEqual(ps, [...ps].sort((a, b) => a - b), "progress never goes back");
});

test("results expire: after the TTL the job is gone and so are its files", async () => {
  const s = await start({ ttlSeconds: 1, sweepMs: 100 });
  const { id } = await (await post(s.base, "task=multipitch")).json();
  assert.equal((await finished(s.base, id)).state, "completed");
  await waitFor(async () => ((await fetch(`${s.base}/v1/jobs/${id}`)).status === 404 ? true : undefined), "expiry", 5000);
  assert.equal(existsSync(jobDir(s.store, id)), false);
});

test("covers jobs: add recordings to the service's library by name, query it; a job that fails says why", async () => {
  const dir = scratchDir("mirkit-api-covers-");
  const db = path.join(dir, "lib.mkcl");
  const s = await start({ db });
  for (const seed of [3, 9, 15]) {
    const { id } = await (await post(s.base, `task=covers.add&name=song-${seed}`, toneWav(8, { seed }))).json();
    const job = await finished(s.base, id);
    assert.equal(job.state, "completed", job.error);
    assert.deepEqual(job.value, { name: `song-${seed}`, added: true, total: [3, 9, 15].indexOf(seed) + 1 });
  }
  const again = await finished(s.base, (await (await post(s.base, "task=covers.add&name=song-3", toneWav(8, { seed: 3 }))).json()).id);
  assert.deepEqual(again.value, { name: "song-3", added: false, total: 3 });
  const q = await finished(s.base, (await (await post(s.base, "task=covers.query&top=2", toneWav(8, { seed: 9 }))).json()).id);
  assert.equal(q.state, "completed", q.error);
  const matches = q.value as { path: string; distance: number }[];
  assert.equal(matches.length, 2);
  assert.equal(matches[0].path, "song-9");
  assert.deepEqual(await (await fetch(s.base + q.results[0].url)).json(), matches);
  // The index alone: the same recording first, at cosine distance ≈ 0, without alignment distances.
  const e = await finished(s.base, (await (await post(s.base, "task=covers.query&top=3&method=embedding", toneWav(8, { seed: 15 }))).json()).id);
  assert.equal(e.state, "completed", e.error);
  const em = e.value as { path: string; embeddingDistance: number; hpcpDistance: number | null }[];
  assert.equal(em.length, 3);
  assert.equal(em[0].path, "song-15");
  assert.ok(em[0].embeddingDistance < 1e-3 && em[0].hpcpDistance === null, JSON.stringify(em[0]));
  await expectError(await post(s.base, "task=covers.query&method=fast", toneWav(8)), 400, "bad_option", "method");
  // A library that cannot be read fails the job with the reason.
  writeFileSync(db, "not a library");
  const bad = await finished(s.base, (await (await post(s.base, "task=covers.query", toneWav(8))).json()).id);
  assert.equal(bad.state, "failed");
  assert.match(bad.error ?? "", /not a mirkit covers library/);
  rmSync(dir, { recursive: true, force: true });
});

test("API keys: required when set (localhost too with keyForLocalhost), as a bearer token or X-API-Key", async () => {
  const s = await start({ apiKey: "s3cret", keyForLocalhost: true });
  await expectError(await fetch(`${s.base}/v1/tasks`), 401, "unauthorized");
  await expectError(await fetch(`${s.base}/v1/tasks`, { headers: { authorization: "Bearer wrong" } }), 401, "unauthorized");
  assert.equal((await fetch(`${s.base}/v1/tasks`, { headers: { authorization: "Bearer s3cret" } })).status, 200);
  assert.equal((await fetch(`${s.base}/v1/tasks`, { headers: { "x-api-key": "s3cret" } })).status, 200);
  assert.equal((await fetch(`${s.base}/docs`)).status, 200, "the docs are public");
  const local = await start({ apiKey: "s3cret" });
  assert.equal((await fetch(`${local.base}/v1/tasks`)).status, 200, "localhost needs no key by default");
});

test("the tasks list and the OpenAPI docs describe every route", async () => {
  const tasks = await (await fetch(`${svc.base}/v1/tasks`)).json();
  assert.deepEqual(Object.keys(tasks), ["separate", "multipitch", "transcribe", "covers.add", "covers.query"]);
  assert.equal(tasks.transcribe.unavailable, undefined);
  assert.match(tasks["covers.add"].unavailable, /--db/);
  const spec = await (await fetch(`${svc.base}/docs/json`)).json();
  assert.match(spec.openapi, /^3\./);
  assert.deepEqual(Object.keys(spec.paths).sort(), ["/v1/jobs", "/v1/jobs/{id}", "/v1/jobs/{id}/events", "/v1/jobs/{id}/results/{name}", "/v1/tasks"]);
  const params = spec.paths["/v1/jobs"].post.parameters.map((p: { name: string }) => p.name);
  for (const p of ["task", "format", "wiener", "threshold", "name", "top", "candidates"]) assert.ok(params.includes(p), p);
  const page = await (await fetch(`${svc.base}/docs`)).text();
  assert.match(page, /POST \/v1\/jobs/);
  assert.match(page, /DELETE \/v1\/jobs\/\{id\}/);
});

test("the demo page is served beside the API", async () => {
  const root = scratchDir("mirkit-api-demo-");
  const demo = { web: path.join(root, "web"), ort: path.join(root, "ort"), models: path.join(root, "models") };
  for (const d of Object.values(demo)) mkdirSync(d);
  writeFileSync(path.join(demo.web, "index.html"), "<!doctype html>demo");
  const s = await start({ demo });
  assert.equal(await (await fetch(`${s.base}/`)).text(), "<!doctype html>demo");
  assert.equal((await fetch(`${s.base}/../secret`)).status, 404);
  assert.equal((await fetch(`${s.base}/v1/tasks`)).status, 200);
  rmSync(root, { recursive: true, force: true });
});
