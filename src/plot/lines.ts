/**
 * Line plots (x–y series with markers, axes with nice ticks, a legend), as
 * RGB for encodePng: the trimming figures (score against remaining weights,
 * one line per criterion). Pure (no Node APIs).
 */
import { InvalidInputError } from "../errors.js";
import { Canvas, formatNumber, INK, niceRangeTicks, TEXT_H, textWidth, type RgbImage } from "./figure.js";

export interface Series {
  readonly label: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface LinePlotSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Axis ranges; default the data's (x reversed when xRange[0] > xRange[1]). */
  readonly xRange?: readonly [number, number];
  readonly yRange?: readonly [number, number];
  readonly width?: number;
  readonly height?: number;
}

const COLOURS: readonly (readonly [number, number, number])[] = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127]];

export function renderLinePlot(spec: LinePlotSpec): RgbImage {
  const pts = spec.series.flatMap((s) => s.points);
  if (pts.length === 0) throw new InvalidInputError("renderLinePlot: no points to draw");
  const width = spec.width ?? 1000, height = spec.height ?? 640;
  const left = 100, right = 30, top = 60, bottom = 80;
  const legendH = spec.series.length * (TEXT_H + 8);
  const plotW = width - left - right, plotH = height - top - bottom;
  const span = (v: number[]): [number, number] => {
    const lo = Math.min(...v), hi = Math.max(...v);
    return hi > lo ? [lo, hi] : [lo - 1, hi + 1];
  };
  const [x0, x1] = spec.xRange ?? span(pts.map((p) => p[0]));
  const [y0, y1] = spec.yRange ?? span(pts.map((p) => p[1]));
  const X = (x: number) => left + Math.round(((x - x0) / (x1 - x0)) * (plotW - 1));
  const Y = (y: number) => top + plotH - 1 - Math.round(((y - y0) / (y1 - y0)) * (plotH - 1));
  const c = new Canvas(width, height);
  c.text(spec.title, Math.max(0, Math.round((width - textWidth(spec.title)) / 2)), 18);
  // Axes and ticks.
  c.rect(left, top, 1, plotH, INK);
  c.rect(left, top + plotH - 1, plotW, 1, INK);
  for (const t of niceRangeTicks(Math.min(x0, x1), Math.max(x0, x1), 8)) {
    const x = X(t);
    c.rect(x, top + plotH, 1, 6, INK);
    c.text(formatNumber(t), x - Math.round(textWidth(formatNumber(t)) / 2), top + plotH + 10);
  }
  for (const t of niceRangeTicks(Math.min(y0, y1), Math.max(y0, y1), 6)) {
    const y = Y(t);
    c.rect(left - 6, y, 6, 1, INK);
    for (let x = left + 1; x < left + plotW; x += 4) c.set(x, y, [220, 220, 220]);
    c.text(formatNumber(t), left - 10 - textWidth(formatNumber(t)), y - TEXT_H / 2);
  }
  c.text(spec.xLabel, left + Math.round((plotW - textWidth(spec.xLabel)) / 2), height - 30);
  c.text(spec.yLabel, 16, top + Math.round((plotH + textWidth(spec.yLabel)) / 2), { rotate: true });
  // Lines (Bresenham-like by steps), markers, legend.
  spec.series.forEach((s, i) => {
    const col = COLOURS[i % COLOURS.length];
    for (let k = 1; k < s.points.length; k++) {
      const [ax, ay] = [X(s.points[k - 1][0]), Y(s.points[k - 1][1])], [bx, by] = [X(s.points[k][0]), Y(s.points[k][1])];
      const n = Math.max(Math.abs(bx - ax), Math.abs(by - ay), 1);
      for (let j = 0; j <= n; j++) c.rect(Math.round(ax + ((bx - ax) * j) / n), Math.round(ay + ((by - ay) * j) / n), 2, 2, col);
    }
    for (const [x, y] of s.points) c.rect(X(x) - 3, Y(y) - 3, 7, 7, col);
    const ly = top + plotH - legendH - 10 + i * (TEXT_H + 8);
    const lx = left + plotW - 20 - Math.max(...spec.series.map((q) => textWidth(q.label))) - 30;
    c.rect(lx, ly + TEXT_H / 2 - 2, 20, 4, col);
    c.text(s.label, lx + 28, ly);
  });
  return { rgb: c.rgb, width, height };
}
