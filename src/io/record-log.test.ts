import * as assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { RecordLog } from "./record-log.js";
import { frameRecord, MemoryRecordStore, scanRecords } from "./records.js";
import { scratchDir } from "../testing/scratch.js";

const MAGIC = new TextEncoder().encode("TESTLOG1");
const payload = (i: number) => Uint8Array.from({ length: 50 + (i % 7) }, (_, k) => (i * 31 + k) & 255);

test("record log: appends read nothing of the existing file (O(1) per append); reopening sees every record", async () => {
  const file = path.join(scratchDir("mirkit-log-"), "x.log");
  const first = await RecordLog.open(file, MAGIC, { what: "test log" });
  for (let i = 0; i < 40; i++) await first.append(payload(i));
  await first.close();
  const log = await RecordLog.open(file, MAGIC, { what: "test log" });
  assert.equal(log.scan.records.map((r) => r.payload).length, 40);
  const readAtOpen = log.bytesRead;
  assert.equal(readAtOpen, statSync(file).size);
  for (let i = 40; i < 100; i++) await log.append(payload(i));
  await log.close();
  assert.equal(log.bytesRead, readAtOpen, "appending read no bytes");
  const again = await RecordLog.open(file, MAGIC, { what: "test log", readOnly: true });
  assert.equal(again.scan.records.map((r) => r.payload).length, 100);
  again.scan.records.map((r) => r.payload).forEach((p, i) => assert.deepEqual(p, payload(i)));
});

test("record log: a torn tail is ignored by readers and cut by the next writer; a 0-byte file is resumed; another magic is refused untouched", async () => {
  const dir = scratchDir("mirkit-log-");
  const file = path.join(dir, "x.log");
  const log = await RecordLog.open(file, MAGIC, { what: "test log" });
  for (let i = 0; i < 3; i++) await log.append(payload(i));
  await log.close();
  const whole = readFileSync(file);
  writeFileSync(file, Buffer.concat([whole, Buffer.from(frameRecord(payload(9)).subarray(0, 20))]));
  assert.equal((await RecordLog.open(file, MAGIC, { what: "test log", readOnly: true })).scan.records.map((r) => r.payload).length, 3);
  assert.equal(statSync(file).size, whole.length + 20, "a reader cuts nothing");
  const w = await RecordLog.open(file, MAGIC, { what: "test log" });
  assert.equal(statSync(file).size, whole.length, "the writer cut the torn tail");
  await w.append(payload(3));
  await w.close();
  assert.equal((await RecordLog.open(file, MAGIC, { what: "test log", readOnly: true })).scan.records.map((r) => r.payload).length, 4);
  // 0 bytes (a crash before the magic was written): resumed as an empty log.
  const empty = path.join(dir, "empty.log");
  writeFileSync(empty, "");
  const e = await RecordLog.open(empty, MAGIC, { what: "test log" });
  assert.equal(e.scan.records.map((r) => r.payload).length, 0);
  await e.append(payload(0));
  await e.close();
  assert.deepEqual((await RecordLog.open(empty, MAGIC, { what: "test log", readOnly: true })).scan.records.map((r) => r.payload), [payload(0)]);
  // Another file is refused and left as it was.
  const junk = path.join(dir, "junk.log");
  writeFileSync(junk, "hello world");
  await assert.rejects(RecordLog.open(junk, MAGIC, { what: "test log" }), /junk\.log: not a test log \(bad magic\)/);
  assert.equal(readFileSync(junk, "utf8"), "hello world");
});

test("memory record store: the same framing as the file", async () => {
  const store = new MemoryRecordStore(MAGIC);
  await store.append(payload(1));
  await store.append(payload(2));
  const reread = new MemoryRecordStore(MAGIC, store.bytes);
  assert.deepEqual(reread.scan.records.map((r) => r.payload), [payload(1), payload(2)]);
  assert.deepEqual(scanRecords(store.bytes, MAGIC.length).damaged, []);
});
