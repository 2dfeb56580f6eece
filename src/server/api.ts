/**
 * The mirkit HTTP API (fastify), beside the browser demo in one process:
 *   POST   /v1/jobs?task=…&<options>   audio as the raw body (Content-Type audio/…) or the multipart field "audio" → 202 { id }
 *   GET    /v1/jobs/:id                { id, task, state, progress, results: [{ name, url, type }], value, error, … }
 *   GET    /v1/jobs/:id/events         server-sent events: progress, then the final state
 *   GET    /v1/jobs/:id/results/:name  a result file (stems, MIDI, text, JSON)
 *   DELETE /v1/jobs/:id                cancels a queued or running job; removes the job's files
 *   GET    /v1/tasks                   the tasks and their options
 *   GET    /docs, /docs/json           the OpenAPI description (generated from the routes' schemas)
 * Every error is JSON: { error: { status, code, message, field? } }. Client
 * input never names a path: uploads and results live in the job's folder,
 * named by the server, and a result is served only under a name the job
 * reported.
 */
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, promises as fs } from "node:fs";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform, type Readable } from "node:stream";
import fastifyMultipart from "@fastify/multipart";
import fastifySwagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { MirError, UnsupportedFormatError } from "../errors.js";
import { sniffFormat } from "../io/decode.js";
import { streamAudioFile } from "../io/file.js";
import { parseInformed } from "../lyrics/phonemes.js";
import { jobDir, QueueFullError, TERMINAL, type JobBackend, type JobStatus } from "./queue.js";
import { staticHandler, type StaticRoots } from "./static.js";
import { TASKS, type JobSpec, type TaskName } from "./tasks.js";

export interface ServiceOptions {
  readonly backend: JobBackend;
  /** The folder for uploads and results (shared with the workers). */
  readonly store: string;
  /** The covers library that covers.add and covers.query use. */
  readonly db?: string;
  /** Largest upload, bytes. */
  readonly maxUploadBytes?: number;
  /** Longest audio, seconds. */
  readonly maxAudioSeconds?: number;
  /** Seconds a finished job's results are kept. */
  readonly ttlSeconds?: number;
  /** Required as `Authorization: Bearer KEY` or `X-API-Key: KEY` on /v1 routes. */
  readonly apiKey?: string;
  /** Require the key from localhost too (default: localhost needs none). */
  readonly keyForLocalhost?: boolean;
  /** The browser demo's folders; false: no demo. */
  readonly demo?: StaticRoots | false;
  /** How often expired results are swept, ms (default: a quarter of the TTL, at most a minute). */
  readonly sweepMs?: number;
}

export const SERVICE_DEFAULTS = { maxUploadBytes: 200 * 2 ** 20, maxAudioSeconds: 30 * 60, ttlSeconds: 3600 };

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const errorSchema = {
  type: "object",
  properties: { error: { type: "object", properties: { status: { type: "integer" }, code: { type: "string" }, message: { type: "string" }, field: { type: "string" } }, required: ["status", "code", "message"] } },
} as const;

const jobSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    task: { type: "string" },
    state: { type: "string", enum: ["queued", "active", "completed", "failed", "cancelled"] },
    progress: { type: "number", minimum: 0, maximum: 1 },
    results: { type: "array", items: { type: "object", properties: { name: { type: "string" }, url: { type: "string" }, type: { type: "string" } } } },
    value: {},
    error: { type: "string" },
    createdAt: { type: "string", format: "date-time" },
    finishedAt: { type: "string", format: "date-time" },
    expiresAt: { type: "string", format: "date-time" },
  },
  required: ["id", "state", "progress", "results"],
} as const;

/** Every task option, for the query string's schema (each task's own subset is checked after). */
function optionProperties(): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const [task, info] of Object.entries(TASKS)) {
    for (const [k, { default: dflt, ...v }] of Object.entries(info.options) as [string, { default?: unknown; description: string }][]) {
      // No default in the schema: the validator would fill it in for every task, not only this one.
      const prev = props[k] as { description: string } | undefined;
      props[k] = { ...v, description: `${prev ? `${prev.description}; ` : ""}${task}: ${v.description}${dflt !== undefined ? ` (default ${String(dflt)})` : ""}` };
    }
  }
  return props;
}

const isLocal = (ip: string) => ip === "127.0.0.1" || ip === "::1" || ip === "::ffff:127.0.0.1";

/** Copies a stream to `file`, failing with 413 past `limit` bytes. */
async function saveUpload(source: Readable, file: string, limit: number): Promise<number> {
  let n = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      if (n > limit) cb(new HttpError(413, "upload_too_large", `the upload is over the limit of ${limit} bytes`));
      else cb(null, chunk);
    },
  });
  await pipeline(source, counter, createWriteStream(file, { flags: "wx" }));
  return n;
}

/** The largest alignment (phonemes or LRC) a separate job takes: a song's is a few kB. */
const ALIGNMENT_LIMIT = 1 << 20;

/** A stream's text, failing with 413 past `limit` bytes. */
async function readText(source: Readable, limit: number, field: string): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > limit) throw new HttpError(413, "upload_too_large", `the ${field} part is over the limit of ${limit} bytes`, field);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * An informed separation's alignment from the multipart body: parsed here, so that a malformed one is a 400
 * before anything is queued, and written beside the upload for the job.
 */
async function saveAlignment(kind: "phonemes" | "lyrics", text: string, name: string, dir: string): Promise<NonNullable<JobSpec["alignment"]>> {
  try {
    parseInformed(kind, text, name);
  } catch (e) {
    if (e instanceof MirError) throw new HttpError(400, "bad_alignment", e.message, kind);
    throw e;
  }
  const file = path.join(dir, kind === "lyrics" ? "lyrics.lrc" : "phonemes.txt");
  await fs.writeFile(file, text, { flag: "wx" });
  return { kind, file, name };
}

/** Checks an uploaded file is audio we decode and not longer than the limit (streaming: stops at the limit). */
async function checkAudio(file: string, maxSeconds: number): Promise<number> {
  const head = new Uint8Array(64);
  const h = await fs.open(file, "r");
  let got: number;
  try {
    got = (await h.read(head, 0, 64, 0)).bytesRead;
  } finally {
    await h.close();
  }
  if (got === 0) throw new HttpError(400, "empty_upload", "the upload holds no bytes");
  try {
    sniffFormat(head.subarray(0, got));
  } catch (e) {
    throw new HttpError(415, "unsupported_format", `the upload is not audio mirkit reads (WAV, FLAC, MP3, Ogg Vorbis): ${(e as Error).message}`);
  }
  let seconds = 0;
  let frames: number | undefined;
  const tooLong = () => new HttpError(413, "audio_too_long", `the audio is over the limit of ${maxSeconds} s`);
  try {
    // A header that states the length (WAV) is taken at its word after the first block; others are decoded up to the limit.
    for await (const b of streamAudioFile(file, { onInfo: (i) => (frames = i.frames) })) {
      seconds = frames !== undefined ? frames / b.sampleRate : seconds + b.channels[0].length / b.sampleRate;
      if (seconds > maxSeconds) throw tooLong();
      if (frames !== undefined) break;
    }
  } catch (e) {
    if (e instanceof HttpError) throw e;
    const status = e instanceof UnsupportedFormatError ? 415 : 400;
    throw new HttpError(status, status === 415 ? "unsupported_format" : "bad_audio", `the upload cannot be decoded: ${(e as Error).message.replace(file + ": ", "")}`);
  }
  if (seconds === 0) throw new HttpError(400, "bad_audio", "the upload holds no audio");
  return seconds;
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : undefined);

export async function createService(o: ServiceOptions): Promise<FastifyInstance> {
  const limits = { ...SERVICE_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as typeof SERVICE_DEFAULTS & ServiceOptions;
  const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } } });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: "mirkit service", version: "1", description: "Stems, F0s and cover matches from audio: submit a job, follow it, fetch its results." },
      components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer" } } },
    },
  });
  // The audio, and for separate jobs an alignment (phonemes or lyrics) as a file or a text field.
  await app.register(fastifyMultipart, { limits: { fileSize: limits.maxUploadBytes, files: 2, fields: 1, fieldSize: ALIGNMENT_LIMIT } });
  // Raw audio bodies are streamed to the job's folder, never buffered.
  app.addContentTypeParser(/^(audio\/|application\/octet-stream)/, (_req, payload, done) => done(null, payload));

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: { instancePath?: string; params?: Record<string, unknown>; message?: string }[]; validationContext?: string; code?: string }, _req, reply) => {
    let e: HttpError;
    if (err instanceof HttpError) e = err;
    else if (err.validation) {
      const v = err.validation[0];
      const field = (v.params?.additionalProperty as string | undefined) ?? (v.params?.missingProperty as string | undefined) ?? v.instancePath?.replace(/^\//, "");
      const msg = v.params?.additionalProperty ? `unknown option "${field}"` : `${field}: ${v.message}`;
      e = new HttpError(400, "bad_option", `${err.validationContext ?? "request"}: ${msg}`, field || undefined);
    } else if (err.statusCode === 415 || err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") e = new HttpError(415, "unsupported_media_type", "send the audio as the body with Content-Type audio/… (or application/octet-stream), or as the multipart field \"audio\"");
    else if (err.code === "FST_REQ_FILE_TOO_LARGE" || err.statusCode === 413) e = new HttpError(413, "upload_too_large", `the upload is over the limit of ${limits.maxUploadBytes} bytes`);
    else if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) e = new HttpError(err.statusCode, "bad_request", err.message);
    else e = new HttpError(500, "internal", err.message);
    void reply.code(e.status).headers(e.headers).send({ error: { status: e.status, code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } });
  });

  app.addHook("onRequest", async (req) => {
    if (!o.apiKey || !req.url.startsWith("/v1/")) return;
    if (isLocal(req.ip) && o.keyForLocalhost !== true) return;
    const auth = req.headers.authorization;
    const given = auth?.startsWith("Bearer ") ? auth.slice(7) : req.headers["x-api-key"];
    if (given !== o.apiKey) throw new HttpError(401, "unauthorized", "a valid API key is required (Authorization: Bearer KEY, or X-API-Key)");
  });

  const view = (s: JobStatus) => ({
    id: s.id, task: s.task, state: s.state, progress: s.progress,
    results: s.files.map((f) => ({ name: f.name, url: `/v1/jobs/${s.id}/results/${encodeURIComponent(f.name)}`, type: f.type })),
    ...(s.value !== undefined ? { value: s.value } : {}),
    ...(s.error !== undefined ? { error: s.error } : {}),
    createdAt: iso(s.createdAt), finishedAt: iso(s.finishedAt),
    expiresAt: s.finishedAt ? iso(s.finishedAt + limits.ttlSeconds * 1000) : undefined,
  });
  const find = async (id: string): Promise<JobStatus> => {
    const s = await o.backend.status(id);
    if (!s) throw new HttpError(404, "no_such_job", `no job ${id} (unknown, or its results expired)`);
    return s;
  };
  const idParams = { type: "object", properties: { id: { type: "string", pattern: "^[0-9a-f-]{36}$" } }, required: ["id"] } as const;

  app.get("/v1/tasks", { schema: { summary: "The tasks and their options", response: { 200: { type: "object", additionalProperties: true } } } }, async () =>
    Object.fromEntries(Object.entries(TASKS).map(([k, v]) => [k, { description: v.description, options: v.options, ...("unavailable" in v ? { unavailable: v.unavailable } : {}), ...("library" in v && !o.db ? { unavailable: "this service has no covers library (start it with --db FILE)" } : {}) }])));

  app.post("/v1/jobs", {
    schema: {
      summary: "Submit a job",
      description: "The audio is the raw body (Content-Type audio/… or application/octet-stream) or the multipart field \"audio\"; options are query parameters (see GET /v1/tasks). Answers 202 with the job's id.",
      querystring: { type: "object", properties: { task: { type: "string", enum: Object.keys(TASKS) }, ...optionProperties() }, required: ["task"], additionalProperties: false },
      response: { 202: { type: "object", properties: { id: { type: "string" }, state: { type: "string" }, url: { type: "string" } } }, "4xx": errorSchema },
    },
  }, async (req: FastifyRequest<{ Querystring: Record<string, string | number | boolean> & { task: TaskName } }>, reply: FastifyReply) => {
    const { task, ...options } = req.query;
    const info = TASKS[task];
    if ("unavailable" in info) throw new HttpError(400, "task_unavailable", `task ${task}: ${info.unavailable}`, "task");
    if ("library" in info && !o.db) throw new HttpError(400, "task_unavailable", `task ${task}: this service has no covers library (start it with --db FILE)`, "task");
    for (const k of Object.keys(options)) if (!(k in info.options)) throw new HttpError(400, "bad_option", `option "${k}" does not apply to task ${task} (its options: ${Object.keys(info.options).join(", ") || "none"})`, k);
    if (task === "transcribe" && options.clustering !== undefined && options.instruments === undefined) throw new HttpError(400, "bad_option", "option \"clustering\" chooses how instruments=K splits the notes into parts; give instruments too", "clustering");
    const id = randomUUID();
    const dir = jobDir(o.store, id);
    await fs.mkdir(dir, { recursive: true });
    try {
      let name: string | undefined;
      let alignment: JobSpec["alignment"];
      const input = path.join(dir, "input");
      if (req.isMultipart()) {
        let audio = false, failure: unknown;
        for await (const part of req.parts()) {
          try {
            if (failure !== undefined) throw failure;
            if (part.fieldname === "audio" && part.type === "file" && !audio) {
              name = part.filename;
              await saveUpload(part.file, input, limits.maxUploadBytes);
              if (part.file.truncated) throw new HttpError(413, "upload_too_large", `the upload is over the limit of ${limits.maxUploadBytes} bytes`);
              audio = true;
            } else if ((part.fieldname === "phonemes" || part.fieldname === "lyrics") && task === "separate" && alignment === undefined) {
              const text = part.type === "file" ? await readText(part.file, ALIGNMENT_LIMIT, part.fieldname) : String(part.value);
              alignment = await saveAlignment(part.fieldname, text, part.type === "file" ? part.filename || part.fieldname : part.fieldname, dir);
            } else if (part.fieldname === "phonemes" || part.fieldname === "lyrics") {
              throw new HttpError(400, "bad_field", `multipart field "${part.fieldname}": ${task === "separate" ? "give phonemes or lyrics, once" : `an alignment applies to task separate, not ${task}`}`, part.fieldname);
            } else if (part.type === "file" && !audio) {
              throw new HttpError(400, "no_audio", `the multipart body needs one file field named "audio" (got "${part.fieldname}")`, "audio");
            } else {
              throw new HttpError(400, "bad_field", `multipart field "${part.fieldname}": the fields are one audio file, and for separate phonemes or lyrics`, part.fieldname);
            }
          } catch (e) {
            // Read the rest of the body before answering: a client still sending would see its connection reset.
            failure ??= e;
            if (part.type === "file") for await (const _ of part.file) void _;
          }
        }
        if (failure !== undefined) throw failure;
        if (!audio) throw new HttpError(400, "no_audio", "the multipart body needs one file field named \"audio\"", "audio");
      } else {
        if (!/^(audio\/|application\/octet-stream)/.test(req.headers["content-type"] ?? "")) throw new HttpError(415, "unsupported_media_type", "send the audio as the body with Content-Type audio/… (or application/octet-stream), or as the multipart field \"audio\"");
        const declared = Number(req.headers["content-length"]);
        if (declared > limits.maxUploadBytes) throw new HttpError(413, "upload_too_large", `the upload is over the limit of ${limits.maxUploadBytes} bytes`);
        if (!req.body) throw new HttpError(400, "no_audio", "send the audio as the body");
        await saveUpload(req.body as Readable, input, limits.maxUploadBytes);
      }
      await checkAudio(input, limits.maxAudioSeconds);
      const spec: JobSpec = { id, task, options, input: path.relative(o.store, input), out: path.relative(o.store, path.join(dir, "out")), db: o.db, name: name ? path.basename(name) : undefined, ...(alignment ? { alignment: { ...alignment, file: path.relative(o.store, alignment.file) } } : {}) };
      await o.backend.submit(spec);
    } catch (e) {
      await fs.rm(dir, { recursive: true, force: true });
      if (e instanceof QueueFullError) throw new HttpError(429, "queue_full", `the job queue is full; retry in ${e.retryAfter} s`, undefined, { "retry-after": String(e.retryAfter) });
      if (e instanceof MirError) throw new HttpError(400, "bad_request", e.message);
      throw e;
    }
    return reply.code(202).header("location", `/v1/jobs/${id}`).send({ id, state: "queued", url: `/v1/jobs/${id}` });
  });

  app.get("/v1/jobs/:id", { schema: { summary: "A job's state, progress and results", params: idParams, response: { 200: jobSchema, "4xx": errorSchema } } },
    async (req: FastifyRequest<{ Params: { id: string } }>) => view(await find(req.params.id)));

  app.get("/v1/jobs/:id/results/:name", { schema: { summary: "A result file", params: { type: "object", properties: { id: idParams.properties.id, name: { type: "string" } }, required: ["id", "name"] } } },
    async (req: FastifyRequest<{ Params: { id: string; name: string } }>, reply) => {
      const s = await find(req.params.id);
      const f = s.files.find((x) => x.name === req.params.name);
      if (!f) throw new HttpError(404, "no_such_result", `job ${s.id} has no result "${req.params.name}"${s.state !== "completed" ? ` (it is ${s.state})` : ""}`);
      const file = path.join(jobDir(o.store, s.id), "out", f.name);
      const st = await fs.stat(file).catch(() => undefined);
      if (!st) throw new HttpError(404, "no_such_result", `job ${s.id}'s result "${f.name}" is gone (expired)`);
      return reply.type(f.type).header("content-length", st.size).header("content-disposition", `attachment; filename="${f.name}"`).send(createReadStream(file));
    });

  app.get("/v1/jobs/:id/events", { schema: { summary: "Server-sent events: `progress` while it runs, then `completed`, `failed` or `cancelled` with the job", params: idParams } },
    async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
      let s = await find(req.params.id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
      let last = "";
      let open = true;
      // Woken by the queue's events on this job, and every second regardless (an event missed on a reconnect).
      let wake: () => void = () => {};
      let dirty = false;
      const unwatch = o.backend.watch(s.id, () => ((dirty = true), wake()));
      req.raw.on("close", () => ((open = false), wake()));
      try {
        while (open) {
          const v = view(s);
          const now = JSON.stringify(v);
          if (now !== last) {
            res.write(`event: ${TERMINAL.includes(s.state) ? s.state : "progress"}\ndata: ${now}\n\n`);
            last = now;
          }
          if (TERMINAL.includes(s.state)) break;
          if (!dirty) {
            await new Promise<void>((r) => {
              const t = setTimeout(r, 1000);
              wake = () => (clearTimeout(t), r());
            });
          }
          dirty = false;
          const next = await o.backend.status(s.id);
          if (!next) break;
          s = next;
        }
      } finally {
        unwatch();
        res.end();
      }
    });

  app.delete("/v1/jobs/:id", { schema: { summary: "Cancel a job (or delete a finished one's results); its files are removed", params: idParams, response: { 200: jobSchema, "4xx": errorSchema } } },
    async (req: FastifyRequest<{ Params: { id: string } }>) => {
      const before = await find(req.params.id);
      await o.backend.cancel(before.id);
      await fs.rm(jobDir(o.store, before.id), { recursive: true, force: true });
      if (TERMINAL.includes(before.state)) {
        await o.backend.forget(before.id);
        return { ...view(before), results: [] };
      }
      return view((await o.backend.status(before.id)) ?? { ...before, state: "cancelled" });
    });

  app.get("/docs/json", { schema: { hide: true } }, async () => app.swagger());
  app.get("/docs", { schema: { hide: true } }, async (_req, reply) => reply.type("text/html; charset=utf-8").send(docsPage(app.swagger() as OpenApiLike)));

  if (o.demo !== false) {
    const demo = staticHandler(o.demo);
    app.setNotFoundHandler(async (req, reply) => {
      if (req.url.startsWith("/v1/")) throw new HttpError(404, "not_found", `no route ${req.method} ${req.url.split("?")[0]}`);
      reply.hijack();
      await demo(req.raw, reply.raw);
    });
  } else {
    app.setNotFoundHandler(async (req) => {
      throw new HttpError(404, "not_found", `no route ${req.method} ${req.url.split("?")[0]}`);
    });
  }

  // Expired results: swept from the store (and the queue's records) a while after the job finished.
  const ttlMs = limits.ttlSeconds * 1000;
  const sweep = async () => {
    const ids = await fs.readdir(path.join(o.store, "jobs")).catch(() => [] as string[]);
    for (const id of ids) {
      const s = await o.backend.status(id).catch(() => undefined);
      const dir = jobDir(o.store, id);
      const expired = s ? s.finishedAt !== undefined && TERMINAL.includes(s.state) && Date.now() - s.finishedAt > ttlMs : Date.now() - (await fs.stat(dir).then((st) => st.mtimeMs, () => 0)) > ttlMs;
      if (!expired) continue;
      await fs.rm(dir, { recursive: true, force: true });
      if (s) await o.backend.forget(id);
    }
  };
  const timer = setInterval(() => void sweep().catch(() => {}), o.sweepMs ?? Math.min(60_000, Math.max(100, ttlMs / 4)));
  timer.unref();
  app.addHook("onClose", async () => clearInterval(timer));
  return app;
}

type OpenApiLike = { info?: { title?: string; description?: string }; paths?: Record<string, Record<string, { summary?: string; description?: string; parameters?: { name: string; in: string; required?: boolean; schema?: { type?: string; enum?: unknown[] }; description?: string }[] }>> };

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** A plain page from the OpenAPI description (no script, nothing fetched). */
function docsPage(spec: OpenApiLike): string {
  const rows = Object.entries(spec.paths ?? {}).flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => {
    const params = (op.parameters ?? []).map((x) => `<li><code>${esc(x.name)}</code> (${esc(x.in)}${x.required ? ", required" : ""}${x.schema?.type ? `, ${esc(x.schema.type)}` : ""}${x.schema?.enum ? `: ${x.schema.enum.map((v) => esc(String(v))).join(" | ")}` : ""})${x.description ? ` — ${esc(x.description)}` : ""}</li>`).join("");
    return `<h2><code>${m.toUpperCase()} ${esc(p)}</code></h2><p>${esc(op.summary ?? "")}</p>${op.description ? `<p>${esc(op.description)}</p>` : ""}${params ? `<ul>${params}</ul>` : ""}`;
  }));
  return `<!doctype html><meta charset="utf-8"><title>${esc(spec.info?.title ?? "API")}</title><style>body{font:15px system-ui;max-width:60em;margin:2em auto}code{background:#eee;padding:0 .2em}</style><h1>${esc(spec.info?.title ?? "API")}</h1><p>${esc(spec.info?.description ?? "")}</p><p>Machine-readable: <a href="/docs/json">/docs/json</a> (OpenAPI 3).</p>${rows.join("\n")}`;
}
