/**
 * A child process for the kill -9 test of the covers catalog: adds N random
 * entries to DB, printing each path once its add has returned.
 *   node dist/testing/catalog-writer.js DB N
 */
import { Rng } from "../random.js";
import { CoversCatalog } from "../tasks/covers-catalog.js";
import { tinyEmbedder } from "./cover-embedder.js";

const [db, n] = process.argv.slice(2);
const embedder = await tinyEmbedder();
const cat = await CoversCatalog.open(db, embedder);
for (let i = 0; i < Number(n); i++) {
  const r = new Rng(i + 1);
  const f = () => Float32Array.from({ length: 240 }, () => r.uniform());
  const p = `/music/song${String(i).padStart(3, "0")}.wav`;
  await cat.add({ path: p, durationSeconds: 10, sizeBytes: 1000 + i, features: { hpcp: f(), melody: f(), salience: f(), nFrames: 20 } });
  process.stdout.write(p + "\n");
}
await cat.close();
