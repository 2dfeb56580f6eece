/**
 * Renders time-frequency images with labelled axes into an RGB buffer:
 * one or more stacked heat-map panels sharing a time axis, tick labels in
 * seconds and in the panel's own units (Hz, note names, pitch classes), a
 * title and a colour bar. Pure (no Node APIs): encode with `encodePng`.
 */
import { InvalidInputError } from "../errors.js";
import { magma } from "./colormap.js";
import { glyph, GLYPH_HEIGHT, GLYPH_WIDTH } from "./font.js";

export interface Tick {
  /** Position along the axis in data units (bins for y, seconds for x). */
  readonly at: number;
  readonly label: string;
}

export interface HeatmapPanel {
  /** Frame-major values, nFrames × nBins (bin 0 drawn at the bottom). */
  readonly data: Float32Array;
  readonly nFrames: number;
  readonly nBins: number;
  readonly yLabel: string;
  readonly yTicks: readonly Tick[];
  readonly title?: string;
}

export interface FigureSpec {
  readonly title: string;
  readonly panels: readonly HeatmapPanel[];
  readonly durationSeconds: number;
  /** Values mapped to the colour map's ends; default the data's min and max. */
  readonly valueRange?: readonly [number, number];
  readonly colorbarLabel: string;
  readonly width?: number;
  readonly panelHeight?: number;
}

export interface RgbImage {
  readonly rgb: Uint8Array;
  readonly width: number;
  readonly height: number;
}

const SCALE = 2; // font pixel size
const CHAR_W = (GLYPH_WIDTH + 1) * SCALE;
const TEXT_H = GLYPH_HEIGHT * SCALE;
const INK: [number, number, number] = [30, 30, 30];

class Canvas {
  readonly rgb: Uint8Array;
  constructor(readonly width: number, readonly height: number) {
    this.rgb = new Uint8Array(width * height * 3).fill(255);
  }
  set(x: number, y: number, c: readonly [number, number, number]): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = 3 * (y * this.width + x);
    this.rgb[i] = c[0];
    this.rgb[i + 1] = c[1];
    this.rgb[i + 2] = c[2];
  }
  rect(x0: number, y0: number, w: number, h: number, c: readonly [number, number, number]): void {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) this.set(x, y, c);
  }
  /** Draws text with its top-left at (x, y); `rotate` draws it bottom-to-top (for y-axis labels). */
  text(s: string, x: number, y: number, options: { rotate?: boolean } = {}): void {
    [...s].forEach((ch, n) => {
      const rows = glyph(ch);
      for (let r = 0; r < GLYPH_HEIGHT; r++) for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (!((rows[r] >> (GLYPH_WIDTH - 1 - c)) & 1)) continue;
        for (let dy = 0; dy < SCALE; dy++) for (let dx = 0; dx < SCALE; dx++) {
          if (options.rotate) this.set(x + r * SCALE + dy, y - n * CHAR_W - c * SCALE - dx, INK);
          else this.set(x + n * CHAR_W + c * SCALE + dx, y + r * SCALE + dy, INK);
        }
      }
    });
  }
}

const textWidth = (s: string) => [...s].length * CHAR_W - SCALE;

/** "Nice" tick positions (1, 2, 5 × 10^k) covering [0, max] with about `count` ticks. */
export function niceTicks(max: number, count = 8): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function formatNumber(v: number): string {
  if (v === 0) return "0";
  if (Math.abs(v) >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

export function renderFigure(spec: FigureSpec): RgbImage {
  if (spec.panels.length === 0) throw new InvalidInputError("renderFigure: no panels to draw");
  const width = spec.width ?? 1200;
  const panelH = spec.panelHeight ?? (spec.panels.length === 1 ? 480 : 160);
  const left = 110, right = 120, top = spec.panels.length > 1 || spec.panels[0].title ? 74 : 50, bottom = 70, gap = spec.panels.length > 1 ? 34 : 0;
  const height = top + bottom + spec.panels.length * panelH + (spec.panels.length - 1) * gap;
  const plotW = width - left - right;
  const canvas = new Canvas(width, height);
  let [lo, hi] = spec.valueRange ?? [Infinity, -Infinity];
  if (spec.valueRange === undefined) {
    for (const p of spec.panels) for (const v of p.data) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  }
  if (!(hi > lo)) hi = lo + 1;
  canvas.text(spec.title, left, 14);

  spec.panels.forEach((p, pi) => {
    const y0 = top + pi * (panelH + gap);
    if (p.title) canvas.text(p.title, left, y0 - TEXT_H - 6);
    // Image: per pixel column the max over its frames, per pixel row the max over its bins.
    for (let x = 0; x < plotW; x++) {
      const f0 = Math.floor((x * p.nFrames) / plotW);
      const f1 = Math.max(f0 + 1, Math.floor(((x + 1) * p.nFrames) / plotW));
      for (let y = 0; y < panelH; y++) {
        const b0 = Math.floor((y * p.nBins) / panelH);
        const b1 = Math.max(b0 + 1, Math.floor(((y + 1) * p.nBins) / panelH));
        let v = -Infinity;
        for (let f = f0; f < f1 && f < p.nFrames; f++) for (let b = b0; b < b1 && b < p.nBins; b++) v = Math.max(v, p.data[f * p.nBins + b]);
        canvas.set(left + x, y0 + panelH - 1 - y, magma((v - lo) / (hi - lo)));
      }
    }
    // Frame and y ticks.
    canvas.rect(left - 1, y0 - 1, plotW + 2, 1, INK);
    canvas.rect(left - 1, y0 + panelH, plotW + 2, 1, INK);
    canvas.rect(left - 1, y0, 1, panelH, INK);
    canvas.rect(left + plotW, y0, 1, panelH, INK);
    let lastY = Infinity;
    for (const t of p.yTicks) {
      const y = Math.round(y0 + panelH - 1 - ((t.at + 0.5) * panelH) / p.nBins);
      if (y < y0 || y >= y0 + panelH || lastY - y < TEXT_H + 2) continue;
      lastY = y;
      canvas.rect(left - 6, y, 5, 1, INK);
      canvas.text(t.label, left - 10 - textWidth(t.label), y - TEXT_H / 2);
    }
    canvas.text(p.yLabel, 8, y0 + Math.floor((panelH + textWidth(p.yLabel)) / 2), { rotate: true });
  });

  // Time axis under the last panel.
  const axisY = height - bottom;
  for (const s of niceTicks(spec.durationSeconds)) {
    const x = left + Math.round((s / spec.durationSeconds) * (plotW - 1));
    canvas.rect(x, axisY + 1, 1, 6, INK);
    const label = formatNumber(s);
    canvas.text(label, x - Math.floor(textWidth(label) / 2), axisY + 12);
  }
  const xLabel = "Time (s)";
  canvas.text(xLabel, left + Math.floor((plotW - textWidth(xLabel)) / 2), axisY + 38);

  // Colour bar.
  const cbX = width - right + 24, cbTop = top, cbH = height - top - bottom;
  for (let y = 0; y < cbH; y++) canvas.rect(cbX, cbTop + cbH - 1 - y, 18, 1, magma(y / (cbH - 1)));
  for (const [v, y] of [[hi, cbTop], [lo, cbTop + cbH - TEXT_H]] as const) canvas.text(formatNumber(v), cbX + 24, y);
  canvas.text(spec.colorbarLabel, cbX + 24, cbTop + Math.floor(cbH / 2) - TEXT_H / 2);
  return { rgb: canvas.rgb, width, height };
}
