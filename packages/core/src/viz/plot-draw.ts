import type { Raster, Rgb } from './image.js';

/** Sets one pixel, ignoring coordinates outside the raster. */
export function setPixel(raster: Raster, x: number, y: number, color: Rgb): void {
  if (x < 0 || y < 0 || x >= raster.width || y >= raster.height) return;
  const i = (y * raster.width + x) * 4;
  raster.data[i] = color[0];
  raster.data[i + 1] = color[1];
  raster.data[i + 2] = color[2];
  raster.data[i + 3] = 255;
}

/** Fills the rectangle with top-left (x, y), clipped. */
export function fillRect(raster: Raster, x: number, y: number, w: number, h: number, color: Rgb): void {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(raster.width, Math.round(x + w));
  const y1 = Math.min(raster.height, Math.round(y + h));
  for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) setPixel(raster, xx, yy, color);
}

/** A one-pixel outline of the rectangle. */
export function strokeRect(raster: Raster, x: number, y: number, w: number, h: number, color: Rgb): void {
  fillRect(raster, x, y, w, 1, color);
  fillRect(raster, x, y + h - 1, w, 1, color);
  fillRect(raster, x, y, 1, h, color);
  fillRect(raster, x + w - 1, y, 1, h, color);
}

export interface LineStyle {
  color: Rgb;
  /** Pen width in pixels (default 1). */
  width?: number;
  /** Dash and gap lengths in pixels along the line; solid when absent. */
  dash?: readonly [number, number];
}

/** A straight line from (x0, y0) to (x1, y1), stepped one pixel at a time along its longer axis. */
export function drawLine(raster: Raster, x0: number, y0: number, x1: number, y1: number, style: LineStyle): void {
  const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
  const pen = style.width ?? 1;
  const half = Math.floor((pen - 1) / 2);
  const period = style.dash ? style.dash[0] + style.dash[1] : 0;
  const length = Math.hypot(x1 - x0, y1 - y0);
  for (let s = 0; s <= steps; s++) {
    if (style.dash && ((s / steps) * length) % period >= style.dash[0]) continue;
    const x = Math.round(x0 + ((x1 - x0) * s) / steps);
    const y = Math.round(y0 + ((y1 - y0) * s) / steps);
    fillRect(raster, x - half, y - half, pen, pen, style.color);
  }
}

/** Joined line segments through the points (NaN points break the line). */
export function drawPolyline(raster: Raster, points: ReadonlyArray<readonly [number, number]>, style: LineStyle): void {
  for (let i = 1; i < points.length; i++) {
    const [ax, ay] = points[i - 1] as readonly [number, number];
    const [bx, by] = points[i] as readonly [number, number];
    if ([ax, ay, bx, by].every(Number.isFinite)) drawLine(raster, ax, ay, bx, by, style);
  }
  if (points.length === 1) {
    const [x, y] = points[0] as readonly [number, number];
    fillRect(raster, x - 1, y - 1, 3, 3, style.color);
  }
}
