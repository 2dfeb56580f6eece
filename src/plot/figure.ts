/**
 * Renders time-frequency images with labelled axes: one or more stacked
 * heat-map panels sharing a time axis, tick labels in seconds and in the
 * panel's own units (Hz, note names, pitch classes), a title and a colour
 * bar with ticks and its unit (the dB reference included). Two outputs of
 * one layout: an RGB buffer with a bitmap font (`renderFigure`, encode with
 * `encodePng`), and SVG (`renderSvg`), whose text is real type (the
 * viewer's sans-serif) over the same heat-map pixels. Pure (no Node APIs).
 */
import { InvalidInputError } from "../errors.js";
import { magma } from "./colormap.js";
import { glyph, GLYPH_HEIGHT, GLYPH_WIDTH } from "./font.js";
import { encodePng } from "./png.js";

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
  /** Time of the first frame, for the axis labels (a --start crop); default 0. */
  readonly startSeconds?: number;
  /** Values mapped to the colour map's ends; default the data's min and max. */
  readonly valueRange?: readonly [number, number];
  readonly colorbarLabel: string;
  readonly width?: number;
  readonly panelHeight?: number;
  /** The whole image's height: the panels share what the title, axes and gaps leave (overrides panelHeight). */
  readonly height?: number;
}

export interface RgbImage {
  readonly rgb: Uint8Array;
  readonly width: number;
  readonly height: number;
}

const SCALE = 2; // font pixel size
export const CHAR_W = (GLYPH_WIDTH + 1) * SCALE;
export const TEXT_H = GLYPH_HEIGHT * SCALE;
export const INK: [number, number, number] = [30, 30, 30];

/** An RGB raster with a bitmap font (shared by the figures of plot/). */
export class Canvas {
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

export const textWidth = (s: string) => [...s].length * CHAR_W - SCALE;

/** "Nice" tick positions (1, 2, 5 × 10^k) covering [0, max] with about `count` ticks. */
export function niceTicks(max: number, count = 8): number[] {
  return niceRangeTicks(0, max, count);
}

/** "Nice" tick positions (multiples of 1, 2, 5 × 10^k) inside [lo, hi], about `count` of them. */
export function niceRangeTicks(lo: number, hi: number, count = 8): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

export function formatNumber(v: number): string {
  if (v === 0) return "0";
  if (Math.abs(v) >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

/** Where everything goes; shared by the raster and SVG renderings. */
interface Layout {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly top: number;
  readonly plotW: number;
  readonly panelH: number;
  readonly gap: number;
  readonly bottom: number;
  readonly right: number;
  readonly lo: number;
  readonly hi: number;
  readonly panelY: readonly number[];
  readonly xTicks: readonly { x: number; label: string }[];
  readonly cbX: number;
  readonly cbTop: number;
  readonly cbH: number;
  readonly cbTicks: readonly { y: number; label: string }[];
  /** Each panel's y ticks that fit (no overlaps), with their pixel rows. */
  readonly yTicks: readonly (readonly { y: number; label: string }[])[];
}

function layout(spec: FigureSpec, textH: number): Layout {
  if (spec.panels.length === 0) throw new InvalidInputError("renderFigure: no panels to draw");
  const width = spec.width ?? 1200;
  const n = spec.panels.length;
  const left = 110, right = 130, top = n > 1 || spec.panels[0].title ? 74 : 50, bottom = 70, gap = n > 1 ? 34 : 0;
  const panelH = spec.height !== undefined ? Math.floor((spec.height - top - bottom - (n - 1) * gap) / n) : spec.panelHeight ?? (n === 1 ? 480 : 160);
  const height = top + bottom + spec.panels.length * panelH + (spec.panels.length - 1) * gap;
  const plotW = width - left - right;
  if (plotW < 50 || panelH < 20) throw new InvalidInputError(`renderFigure: ${width}×${height} leaves no room for the plot; make it larger`);
  let [lo, hi] = spec.valueRange ?? [Infinity, -Infinity];
  if (spec.valueRange === undefined) {
    for (const p of spec.panels) for (const v of p.data) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  }
  if (!(hi > lo)) hi = lo + 1;
  const panelY = spec.panels.map((_, i) => top + i * (panelH + gap));
  const start = spec.startSeconds ?? 0;
  const xTicks = niceRangeTicks(start, start + spec.durationSeconds).map((s) => ({ x: left + Math.round(((s - start) / spec.durationSeconds) * (plotW - 1)), label: formatNumber(s) }));
  const cbX = width - right + 24, cbTop = top, cbH = height - top - bottom;
  const cbTicks = niceRangeTicks(lo, hi, 6).map((v) => ({ y: cbTop + cbH - 1 - Math.round(((v - lo) / (hi - lo)) * (cbH - 1)), label: formatNumber(v) }));
  const yTicks = spec.panels.map((p, pi) => {
    const out: { y: number; label: string }[] = [];
    let lastY = Infinity;
    for (const t of p.yTicks) {
      const y = Math.round(panelY[pi] + panelH - 1 - ((t.at + 0.5) * panelH) / p.nBins);
      if (y < panelY[pi] || y >= panelY[pi] + panelH || lastY - y < textH + 2) continue;
      lastY = y;
      out.push({ y, label: t.label });
    }
    return out;
  });
  return { width, height, left, top, plotW, panelH, gap, bottom, right, lo, hi, panelY, xTicks, cbX, cbTop, cbH, cbTicks, yTicks };
}

/** A panel's heat map as RGB pixels (plotW × panelH): per pixel column the max over its frames, per row the max over its bins. */
function panelPixels(p: HeatmapPanel, L: Layout): Uint8Array {
  const { plotW, panelH, lo, hi } = L;
  const rgb = new Uint8Array(plotW * panelH * 3);
  for (let x = 0; x < plotW; x++) {
    const f0 = Math.floor((x * p.nFrames) / plotW);
    const f1 = Math.max(f0 + 1, Math.floor(((x + 1) * p.nFrames) / plotW));
    for (let y = 0; y < panelH; y++) {
      const b0 = Math.floor((y * p.nBins) / panelH);
      const b1 = Math.max(b0 + 1, Math.floor(((y + 1) * p.nBins) / panelH));
      let v = -Infinity;
      for (let f = f0; f < f1 && f < p.nFrames; f++) for (let b = b0; b < b1 && b < p.nBins; b++) v = Math.max(v, p.data[f * p.nBins + b]);
      const c = magma((v - lo) / (hi - lo)), i = 3 * ((panelH - 1 - y) * plotW + x);
      rgb[i] = c[0]; rgb[i + 1] = c[1]; rgb[i + 2] = c[2];
    }
  }
  return rgb;
}

export function renderFigure(spec: FigureSpec): RgbImage {
  const L = layout(spec, TEXT_H);
  const { width, height, left, plotW, panelH } = L;
  const canvas = new Canvas(width, height);
  canvas.text(spec.title, left, 14);
  spec.panels.forEach((p, pi) => {
    const y0 = L.panelY[pi];
    if (p.title) canvas.text(p.title, left, y0 - TEXT_H - 6);
    const px = panelPixels(p, L);
    for (let y = 0; y < panelH; y++) canvas.rgb.set(px.subarray(y * plotW * 3, (y + 1) * plotW * 3), 3 * ((y0 + y) * width + left));
    canvas.rect(left - 1, y0 - 1, plotW + 2, 1, INK);
    canvas.rect(left - 1, y0 + panelH, plotW + 2, 1, INK);
    canvas.rect(left - 1, y0, 1, panelH, INK);
    canvas.rect(left + plotW, y0, 1, panelH, INK);
    for (const t of L.yTicks[pi]) {
      canvas.rect(left - 6, t.y, 5, 1, INK);
      canvas.text(t.label, left - 10 - textWidth(t.label), t.y - TEXT_H / 2);
    }
    canvas.text(p.yLabel, 8, y0 + Math.floor((panelH + textWidth(p.yLabel)) / 2), { rotate: true });
  });
  // Time axis under the last panel.
  const axisY = height - L.bottom;
  for (const t of L.xTicks) {
    canvas.rect(t.x, axisY + 1, 1, 6, INK);
    canvas.text(t.label, t.x - Math.floor(textWidth(t.label) / 2), axisY + 12);
  }
  const xLabel = "Time (s)";
  canvas.text(xLabel, left + Math.floor((plotW - textWidth(xLabel)) / 2), axisY + 38);
  // Colour bar with ticks, its unit written along it.
  for (let y = 0; y < L.cbH; y++) canvas.rect(L.cbX, L.cbTop + L.cbH - 1 - y, 18, 1, magma(y / (L.cbH - 1)));
  for (const t of L.cbTicks) {
    canvas.rect(L.cbX + 18, t.y, 5, 1, INK);
    canvas.text(t.label, L.cbX + 26, Math.min(L.cbTop + L.cbH - TEXT_H, Math.max(L.cbTop, t.y - TEXT_H / 2)));
  }
  canvas.text(spec.colorbarLabel, width - 10 - TEXT_H, L.cbTop + Math.floor((L.cbH + textWidth(spec.colorbarLabel)) / 2), { rotate: true });
  return { rgb: canvas.rgb, width, height };
}

const escapeXml = (s: string) => s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);

/** The figure as SVG: the heat maps as embedded PNG images, every label as text in a real typeface. */
export async function renderSvg(spec: FigureSpec): Promise<string> {
  const FONT = 14;
  const L = layout(spec, FONT);
  const { width, height, left, plotW, panelH } = L;
  const text = (s: string, x: number, y: number, attrs = "") => `<text x="${x}" y="${y}"${attrs}>${escapeXml(s)}</text>`;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="${FONT}" fill="#1e1e1e">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    text(spec.title, left, 30, ` font-size="${FONT + 3}" font-weight="bold"`),
  ];
  for (const [pi, p] of spec.panels.entries()) {
    const y0 = L.panelY[pi];
    if (p.title) parts.push(text(p.title, left, y0 - 8));
    const png = await encodePng(panelPixels(p, L), plotW, panelH);
    parts.push(`<image x="${left}" y="${y0}" width="${plotW}" height="${panelH}" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,${base64(png)}"/>`);
    parts.push(`<rect x="${left - 0.5}" y="${y0 - 0.5}" width="${plotW + 1}" height="${panelH + 1}" fill="none" stroke="#1e1e1e"/>`);
    for (const t of L.yTicks[pi]) parts.push(`<line x1="${left - 6}" x2="${left - 1}" y1="${t.y + 0.5}" y2="${t.y + 0.5}" stroke="#1e1e1e"/>`, text(t.label, left - 10, t.y + FONT / 3, ` text-anchor="end"`));
    parts.push(text(p.yLabel, 22, y0 + panelH / 2, ` text-anchor="middle" transform="rotate(-90 22 ${y0 + panelH / 2})"`));
  }
  const axisY = height - L.bottom;
  for (const t of L.xTicks) parts.push(`<line x1="${t.x + 0.5}" x2="${t.x + 0.5}" y1="${axisY + 1}" y2="${axisY + 7}" stroke="#1e1e1e"/>`, text(t.label, t.x, axisY + 24, ` text-anchor="middle"`));
  parts.push(text("Time (s)", left + plotW / 2, axisY + 52, ` text-anchor="middle"`));
  const stops = Array.from({ length: 11 }, (_, k) => { const [r, g, b] = magma(k / 10); return `<stop offset="${k / 10}" stop-color="rgb(${r},${g},${b})"/>`; }).join("");
  parts.push(`<defs><linearGradient id="cb" x1="0" y1="1" x2="0" y2="0">${stops}</linearGradient></defs>`, `<rect x="${L.cbX}" y="${L.cbTop}" width="18" height="${L.cbH}" fill="url(#cb)"/>`);
  for (const t of L.cbTicks) parts.push(`<line x1="${L.cbX + 18}" x2="${L.cbX + 23}" y1="${t.y + 0.5}" y2="${t.y + 0.5}" stroke="#1e1e1e"/>`, text(t.label, L.cbX + 26, t.y + FONT / 3));
  const cbMid = L.cbTop + L.cbH / 2;
  parts.push(text(spec.colorbarLabel, width - 12, cbMid, ` text-anchor="middle" transform="rotate(-90 ${width - 12} ${cbMid})"`), "</svg>");
  return parts.join("\n") + "\n";
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
