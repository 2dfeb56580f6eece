/** `mirkit serve`: the browser demo (web/) and the shipped models, on a local port. */
import type { Command } from "commander";
import { InvalidInputError } from "../errors.js";
import { createStaticServer } from "../server/static.js";
import { intOption } from "./options.js";

export function addServeCommand(program: Command): void {
  program
    .command("serve")
    .description("Serve the browser demo (web/): decoding, multi-F0 and separation run in the page with ONNX Runtime Web. Build it first: npm run build:web.")
    .option("--port <n>", "TCP port (0: any free port)", intOption("--port", 0, 65535), 8080)
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .addHelpText("after", "\nExamples:\n  $ npm run build:web && mirkit serve --port 8080   # then open http://127.0.0.1:8080/")
    .action(async (o: { port: number; host: string }) => {
      const server = createStaticServer();
      await new Promise<void>((resolve, reject) => {
        server.once("error", (e: NodeJS.ErrnoException) => reject(new InvalidInputError(`cannot listen on ${o.host}:${o.port} (${e.code ?? e.message})`)));
        server.listen(o.port, o.host, () => resolve());
      });
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : o.port;
      process.stderr.write(`mirkit demo at http://${o.host}:${port}/ (Ctrl-C to stop)\n`);
    });
}
