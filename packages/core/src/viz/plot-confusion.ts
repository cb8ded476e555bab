import type { Raster, Rgb } from './image.js';
import { createRaster, fitText, writePng } from './image.js';
import { fillRect, strokeRect } from './plot-draw.js';
import { drawText, textHeight, textWidth } from './plot-font.js';

export interface ConfusionPlotOptions {
  /** Class names in index order (default: the indices). */
  labels?: readonly string[];
  title?: string;
  /** Pixels per cell side; default fits the largest count. */
  cellSize?: number;
}

const LIGHT: Rgb = [247, 251, 255];
const DARK: Rgb = [8, 48, 107];
const LABEL_CHARS = 16;

/** Cell colour for a row fraction in 0..1: white through to dark blue. */
export function cellColor(fraction: number): Rgb {
  const t = Math.min(1, Math.max(0, fraction));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return [mix(LIGHT[0], DARK[0]), mix(LIGHT[1], DARK[1]), mix(LIGHT[2], DARK[2])];
}

/**
 * A confusion matrix as a picture: rows are true classes, columns predicted ones, each cell shaded by
 * its share of the row (so rare classes are as visible as common ones) and labelled with its count;
 * the recall of each row is printed at its end.
 */
export function renderConfusionMatrix(
  matrix: readonly (readonly number[])[],
  options: ConfusionPlotOptions = {},
): Raster {
  const k = matrix.length;
  if (k === 0 || matrix.some((row) => row.length !== k)) throw new RangeError('matrix must be square and non-empty');
  if (options.labels && options.labels.length !== k) {
    throw new RangeError(`labels has ${options.labels.length} names but the matrix has ${k} classes`);
  }
  const names = Array.from({ length: k }, (_, i) =>
    fitText(options.labels?.[i] ?? String(i), textWidth('x'.repeat(LABEL_CHARS))),
  );
  const maxCount = Math.max(...matrix.flat());
  const cell = options.cellSize ?? Math.max(22, textWidth(String(maxCount)) + 8);
  const labelW = Math.max(...names.map((n) => textWidth(n)));
  const recallW = textWidth('100.0%') + 8;
  const title = options.title ?? 'confusion matrix';
  const left = 12 + textHeight() + 8 + labelW + 6;
  const top = 16 + textHeight(2) + 12;
  const gridW = k * cell;
  const width = Math.max(left + gridW + 8 + recallW + 12, textWidth(title, 2) + 24);
  const height = top + gridW + 6 + labelW + 8 + textHeight() + 12;
  const raster = createRaster(width, height);

  drawText(raster, title, Math.floor((width - textWidth(title, 2)) / 2), 14, { scale: 2 });
  drawText(raster, 'recall', left + gridW + 8, top - textHeight() - 4, { color: [80, 80, 80] });
  matrix.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    const y = top + t * cell;
    row.forEach((count, p) => {
      const fraction = total === 0 ? 0 : count / total;
      const x = left + p * cell;
      fillRect(raster, x, y, cell, cell, cellColor(fraction));
      if (count > 0) {
        const s = String(count);
        const ink: Rgb = fraction > 0.5 ? [255, 255, 255] : [20, 20, 20];
        drawText(raster, s, x + Math.floor((cell - textWidth(s)) / 2), y + Math.floor((cell - textHeight()) / 2), {
          color: ink,
        });
      }
    });
    const name = names[t] as string;
    drawText(raster, name, left - 6 - textWidth(name), y + Math.floor((cell - textHeight()) / 2));
    const recall = total === 0 ? '-' : `${((100 * (row[t] as number)) / total).toFixed(1)}%`;
    drawText(raster, recall, left + gridW + 8, y + Math.floor((cell - textHeight()) / 2), { color: [80, 80, 80] });
  });
  for (let i = 0; i <= k; i++) {
    fillRect(raster, left + i * cell, top, 1, gridW, [210, 210, 210]);
    fillRect(raster, left, top + i * cell, gridW, 1, [210, 210, 210]);
  }
  strokeRect(raster, left, top, gridW + 1, gridW + 1, [60, 60, 60]);
  names.forEach((name, p) => {
    // Column names read upwards under their column, so long names do not collide.
    const x = left + p * cell + Math.floor((cell - textHeight()) / 2);
    drawText(raster, name, x, top + gridW + 6 + textWidth(name), { vertical: true });
  });
  const axisY = top + gridW + 6 + labelW + 8;
  drawText(raster, 'predicted', left + Math.floor((gridW - textWidth('predicted')) / 2), axisY, {
    color: [80, 80, 80],
  });
  drawText(raster, 'true', 12, top + Math.floor((gridW + textWidth('true')) / 2), {
    vertical: true,
    color: [80, 80, 80],
  });
  return raster;
}

/** Writes the confusion-matrix picture to a PNG file (atomically). */
export async function plotConfusionMatrix(
  matrix: readonly (readonly number[])[],
  path: string,
  options: ConfusionPlotOptions = {},
): Promise<void> {
  await writePng(path, renderConfusionMatrix(matrix, options));
}
