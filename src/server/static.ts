/**
 * The browser demo's server: static files only, nothing computed here (the
 * page runs mirkit and ONNX Runtime Web itself). Routes:
 *   /, /demo.js, /mirkit.js   web/ (mirkit.js is the library bundled for browsers)
 *   /ort/<file>               onnxruntime-web's ES module and wasm (web/ort/, see defaultRoots)
 *   /models/, /models/index.json   JSON list of the shipped model files
 *   /models/<file>            a shipped model or recipe
 * Names are single path segments: anything with "/", "\" or ".." is a 404.
 */
import { existsSync, promises as fs, readdirSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import * as path from "node:path";
import { MODELS_DIR } from "../io/model-files.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm", ".json": "application/json", ".onnx": "application/octet-stream", ".safetensors": "application/octet-stream",
};

export interface StaticRoots {
  readonly web: string;
  readonly ort: string;
  readonly models: string;
}

/**
 * The package's folders: web/ and models/ beside package.json; onnxruntime-web's
 * files from web/ort/ (copied there by `npm run build:web`, and shipped in the
 * package), else from a development checkout's node_modules.
 */
export function defaultRoots(): StaticRoots {
  const root = path.dirname(MODELS_DIR);
  const shipped = path.join(root, "web", "ort");
  const ort = existsSync(path.join(shipped, "ort.wasm.min.mjs")) ? shipped : path.join(root, "node_modules", "onnxruntime-web", "dist");
  return { web: path.join(root, "web"), ort, models: MODELS_DIR };
}

const safeName = (s: string) => s.length > 0 && !/[\\/]/.test(s) && s !== "." && s !== "..";

export function createStaticServer(roots: StaticRoots = defaultRoots()): Server {
  return createServer(staticHandler(roots));
}

/** The demo's request handler, for a node:http server or a framework's fallback route. */
export function staticHandler(roots: StaticRoots = defaultRoots()): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const send = (status: number, body: string | Uint8Array, type = "text/plain; charset=utf-8") => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-cache" });
      res.end(body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "only GET\n");
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      return send(400, "bad URL\n");
    }
    let file: string | undefined;
    if (pathname === "/models/" || pathname === "/models/index.json") {
      const names = existsSync(roots.models) ? readdirSync(roots.models).filter((f) => /\.(onnx|json|safetensors)$/.test(f)).sort() : [];
      return send(200, JSON.stringify(names), TYPES[".json"]);
    }
    const [, dir, name, extra] = pathname.split("/");
    if (name === undefined && (dir === "" || safeName(dir))) file = path.join(roots.web, dir === "" ? "index.html" : dir);
    else if (extra === undefined && dir === "ort" && safeName(name)) file = path.join(roots.ort, name);
    else if (extra === undefined && dir === "models" && safeName(name)) file = path.join(roots.models, name);
    if (file === undefined) return send(404, "not found\n");
    try {
      const body = await fs.readFile(file);
      send(200, new Uint8Array(body), TYPES[path.extname(file)] ?? "application/octet-stream");
    } catch {
      send(404, pathname === "/mirkit.js" ? "not built: run `npm run build:web`\n" : "not found\n");
    }
  };
}
