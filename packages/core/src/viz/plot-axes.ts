import type { Raster, Rgb } from './image.js';
import { drawLine, fillRect } from './plot-draw.js';
import { drawText, textHeight, textWidth } from './plot-font.js';

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const first = Math.floor(lo / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v < hi + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Tick label with as many decimals as the step between ticks needs. */
export function tickLabel(value: number, step: number): string {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(Math.abs(step)) + 1e-9)));
  return value.toFixed(decimals);
}

/** A data-to-pixel mapping for one panel. */
export interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
  xTicks: number[];
  yTicks: number[];
  x: (v: number) => number;
  y: (v: number) => number;
}

export interface AxesSpec {
  left: number;
  top: number;
  width: number;
  height: number;
  xRange: readonly [number, number];
  yRange: readonly [number, number];
  title?: string;
  xLabel?: string;
  /** Integer-only x ticks (epochs). */
  xIntegers?: boolean;
}

const AXIS: Rgb = [60, 60, 60];
const GRID: Rgb = [228, 228, 228];

/** Draws a framed panel with grid, tick labels, title and x label; returns the mapping for the data. */
export function drawAxes(raster: Raster, spec: AxesSpec): Frame {
  let xTicks = niceTicks(spec.xRange[0], spec.xRange[1], Math.max(2, Math.floor(spec.width / 60)));
  if (spec.xIntegers) xTicks = xTicks.filter((t) => Number.isInteger(t));
  const yTicks = niceTicks(spec.yRange[0], spec.yRange[1], Math.max(2, Math.floor(spec.height / 50)));
  const [x0, x1] = [Math.min(spec.xRange[0], xTicks[0] ?? 0), Math.max(spec.xRange[1], xTicks.at(-1) ?? 1)];
  const [y0, y1] = [yTicks[0] ?? 0, yTicks.at(-1) ?? 1];
  const x = (v: number) => spec.left + ((v - x0) / (x1 - x0 || 1)) * (spec.width - 1);
  const y = (v: number) => spec.top + spec.height - 1 - ((v - y0) / (y1 - y0 || 1)) * (spec.height - 1);
  const xStep = (xTicks[1] ?? 1) - (xTicks[0] ?? 0);
  const yStep = (yTicks[1] ?? 1) - (yTicks[0] ?? 0);
  for (const t of yTicks) {
    const py = Math.round(y(t));
    drawLine(raster, spec.left, py, spec.left + spec.width - 1, py, { color: GRID });
    const label = tickLabel(t, yStep);
    drawText(raster, label, spec.left - 6 - textWidth(label), py - 3, { color: AXIS });
  }
  for (const t of xTicks) {
    const px = Math.round(x(t));
    drawLine(raster, px, spec.top, px, spec.top + spec.height - 1, { color: GRID });
    fillRect(raster, px, spec.top + spec.height, 1, 4, AXIS);
    const label = tickLabel(t, xStep);
    drawText(raster, label, px - Math.floor(textWidth(label) / 2), spec.top + spec.height + 7, { color: AXIS });
  }
  drawLine(raster, spec.left, spec.top, spec.left, spec.top + spec.height - 1, { color: AXIS });
  drawLine(raster, spec.left, spec.top + spec.height - 1, spec.left + spec.width - 1, spec.top + spec.height - 1, {
    color: AXIS,
  });
  if (spec.title) {
    drawText(
      raster,
      spec.title,
      spec.left + Math.floor((spec.width - textWidth(spec.title, 2)) / 2),
      spec.top - textHeight(2) - 10,
      {
        color: [0, 0, 0],
        scale: 2,
      },
    );
  }
  if (spec.xLabel) {
    drawText(
      raster,
      spec.xLabel,
      spec.left + Math.floor((spec.width - textWidth(spec.xLabel)) / 2),
      spec.top + spec.height + 22,
      {
        color: AXIS,
      },
    );
  }
  return { left: spec.left, top: spec.top, width: spec.width, height: spec.height, xTicks, yTicks, x, y };
}
