import * as assert from "node:assert/strict";
import { test } from "node:test";
import { alignmentText, lyricsAlignment, parseAlignment, parseLrc, phonemeIndex, phonemeMatrix, phonemeOf, PHONEMES, wordPhonemes } from "./phonemes.js";

test("the inventory: silence and the 39 ARPAbet phonemes; labels of aligners, Festival and CMUdict map onto it", () => {
  assert.equal(PHONEMES.length, 40);
  assert.equal(new Set(PHONEMES).size, 40);
  assert.equal(phonemeIndex("sil"), 0);
  for (const [label, p] of [["AH0", "ah"], ["IY1", "iy"], ["pau", "sil"], ["sp", "sil"], ["", "sil"], ["ax", "ah"], ["HH", "hh"], ["zh", "zh"]]) assert.equal(phonemeOf(label), p, label);
  assert.equal(phonemeOf("xx"), undefined);
});

test("words to phonemes: the lexicon, then spelling rules (digraphs, silent e, soft c/g, doubled consonants)", () => {
  const cases: Record<string, string> = {
    the: "dh ah", light: "l ay t", home: "hh ow m", time: "t ay m", made: "m ey d", cat: "k ae t", ship: "sh ih p", sing: "s ih ng",
    rock: "r aa k", city: "s ih t iy", bell: "b eh l", green: "g r iy n", night: "n ay t", go: "g ow", sky: "s k ay", thing: "th ih ng",
    "Love,": "l ah v", "don't": "d ow n t", knee: "n iy",
  };
  for (const [w, p] of Object.entries(cases)) assert.equal(wordPhonemes(w).join(" "), p, w);
  assert.deepEqual(wordPhonemes("..."), []);
});

test("alignment files: 'start end phoneme' lines with comments, round trip through alignmentText", () => {
  const segs = parseAlignment("# a song\n0 0.5 sil\n0.5 0.62 L\n0.62 1.4 AA1\n\n1.4 1.5 pau\n", "a.txt");
  assert.deepEqual(segs.map((s) => s.phoneme), ["sil", "l", "aa", "sil"]);
  assert.deepEqual(parseAlignment(alignmentText(segs), "b.txt"), segs);
});

test("alignment files: a malformed line, an unknown phoneme, overlaps and empty files are one-line errors naming the file and line", () => {
  assert.throws(() => parseAlignment("0 0.5\n", "x.txt"), /x\.txt: line 1 is "0 0\.5"; each line must be "start end phoneme"/);
  assert.throws(() => parseAlignment("0 0.5 sil\n0.5 0.7 qq\n", "x.txt"), /x\.txt: line 2: "qq" is not a phoneme/);
  assert.throws(() => parseAlignment("0 1 aa\n0.5 2 iy\n", "x.txt"), /x\.txt: segment 2 starts at 0\.5 s, before the previous one ends/);
  assert.throws(() => parseAlignment("1 0.5 aa\n", "x.txt"), /segment 1 \("aa"\) runs from 1 to 0\.5 s/);
  assert.throws(() => parseAlignment("# nothing\n", "x.txt"), /x\.txt: no aligned phonemes/);
});

test("Praat TextGrids: the phones tier is read (words tier ignored), empty intervals are silence", () => {
  const grid = `File type = "ooTextFile"
Object class = "TextGrid"
xmin = 0
xmax = 1.5
tiers? <exists>
size = 2
item []:
    item [1]:
        class = "IntervalTier"
        name = "words"
        xmin = 0
        xmax = 1.5
        intervals: size = 1
        intervals [1]:
            xmin = 0
            xmax = 1.5
            text = "la"
    item [2]:
        class = "IntervalTier"
        name = "phones"
        xmin = 0
        xmax = 1.5
        intervals: size = 3
        intervals [1]:
            xmin = 0
            xmax = 0.5
            text = ""
        intervals [2]:
            xmin = 0.5
            xmax = 0.6
            text = "L"
        intervals [3]:
            xmin = 0.6
            xmax = 1.5
            text = "AA1"
`;
  assert.deepEqual(parseAlignment(grid, "g.TextGrid"), [{ start: 0, end: 0.5, phoneme: "sil" }, { start: 0.5, end: 0.6, phoneme: "l" }, { start: 0.6, end: 1.5, phoneme: "aa" }]);
});

test("LRC lyrics: stamps, tags and several stamps per line; words spread over their line, an empty line is silence", () => {
  const lines = parseLrc("[ar:someone]\n[00:01.00]la la\n[00:03.00]\n[00:04.50][00:06.00]sky\n", "s.lrc");
  assert.deepEqual(lines.map((l) => [l.start, l.end, l.text]), [[1, 3, "la la"], [3, 4.5, ""], [4.5, 6, "sky"], [6, undefined, "sky"]]);
  const segs = lyricsAlignment(lines, 10);
  // "la la" = l aa l aa over 1–3 s: 0.5 s each.
  assert.deepEqual(segs.slice(0, 4).map((s) => [s.start, s.end, s.phoneme]), [[1, 1.5, "l"], [1.5, 2, "aa"], [2, 2.5, "l"], [2.5, 3, "aa"]]);
  assert.equal(segs[4].start, 4.5);
  assert.equal(segs[segs.length - 1].end.toFixed(2), "6.60"); // the last line: 0.6 s per word
  assert.throws(() => parseLrc("la la\n", "s.lrc"), /s\.lrc: line 1 \("la la"\) has no \[mm:ss\.xx\] time stamp/);
  assert.throws(() => parseLrc("[ti:x]\n", "s.lrc"), /no timed lyrics lines/);
});

test("the conditioning matrix: one-hot per frame at its time, silence outside the segments", () => {
  const m = phonemeMatrix([{ start: 0.1, end: 0.3, phoneme: "aa" }, { start: 0.3, end: 0.35, phoneme: "s" }], 5, 0.1, 0);
  const P = PHONEMES.length, at = (p: string, t: number) => m[phonemeIndex(p as never) * 5 + t];
  assert.deepEqual([0, 1, 2, 3, 4].map((t) => at("sil", t)), [1, 0, 0, 0, 1]);
  assert.deepEqual([0, 1, 2, 3, 4].map((t) => at("aa", t)), [0, 1, 1, 0, 0]);
  assert.equal(at("s", 3), 1);
  for (let t = 0; t < 5; t++) assert.equal(Array.from({ length: P }, (_, p) => m[p * 5 + t]).reduce((a, b) => a + b), 1);
  // An offset moves the frames: from 0.2 s on.
  const o = phonemeMatrix([{ start: 0.1, end: 0.3, phoneme: "aa" }], 2, 0.1, 0.2);
  assert.deepEqual([o[phonemeIndex("aa") * 2], o[phonemeIndex("sil") * 2 + 1]], [1, 1]);
});
