import type { Raster, Rgb } from './image.js';
import { createRaster, writePng } from './image.js';
import { drawAxes } from './plot-axes.js';
import type { LineStyle } from './plot-draw.js';
import { drawLine, drawPolyline, fillRect } from './plot-draw.js';
import { drawText, textWidth } from './plot-font.js';

/**
 * What a learning-curve plot needs from a training history: fit's `History` is one as it is (its bestEpoch
 * is null before any epoch ends, because the JSON history and checkpoints must keep the key).
 */
export interface HistoryLike {
  epochs: ReadonlyArray<{ epoch: number; loss: number; accuracy?: number; valLoss?: number; valAccuracy?: number }>;
  bestEpoch?: number | null;
}

export interface HistoryPlotOptions {
  title?: string;
  width?: number;
  height?: number;
}

const TRAIN: LineStyle = { color: [31, 119, 180], width: 2 };
const VALIDATION: LineStyle = { color: [255, 127, 14], width: 2, dash: [7, 4] };
const BEST: Rgb = [120, 120, 120];

/**
 * Learning curves: loss and accuracy per epoch side by side, training solid blue, validation dashed
 * orange, the best epoch marked. A gap between the two curves is over-fitting made visible.
 */
export function renderHistoryPlot(history: HistoryLike, options: HistoryPlotOptions = {}): Raster {
  if (history.epochs.length === 0) throw new RangeError('the history has no epochs to plot');
  const width = options.width ?? 960;
  const height = options.height ?? 400;
  const raster = createRaster(width, height);
  const top = options.title ? 70 : 48;
  if (options.title)
    drawText(raster, options.title, Math.floor((width - textWidth(options.title, 2)) / 2), 12, { scale: 2 });
  const epochs = history.epochs.map((e) => e.epoch);
  const hasAccuracy = history.epochs.some((e) => e.accuracy !== undefined || e.valAccuracy !== undefined);
  const panels: Array<{
    title: string;
    train: Array<number | undefined>;
    val: Array<number | undefined>;
    unit?: boolean;
  }> = [{ title: 'loss', train: history.epochs.map((e) => e.loss), val: history.epochs.map((e) => e.valLoss) }];
  if (hasAccuracy) {
    panels.push({
      title: 'accuracy',
      train: history.epochs.map((e) => e.accuracy),
      val: history.epochs.map((e) => e.valAccuracy),
      unit: true,
    });
  }
  const panelWidth = Math.floor(width / panels.length);
  panels.forEach((panel, p) => {
    const values = [...panel.train, ...panel.val].filter((v): v is number => v !== undefined && Number.isFinite(v));
    let lo = Math.min(...values);
    let hi = Math.max(...values);
    if (panel.unit) [lo, hi] = [Math.max(0, lo), Math.min(1, hi)];
    const frame = drawAxes(raster, {
      left: p * panelWidth + 64,
      top,
      width: panelWidth - 64 - 24,
      height: height - top - 44,
      xRange: [Math.min(...epochs), Math.max(...epochs)],
      yRange: [lo, hi],
      title: panel.title,
      xLabel: 'epoch',
      xIntegers: true,
    });
    if (history.bestEpoch !== undefined && history.bestEpoch !== null) {
      const bx = Math.round(frame.x(history.bestEpoch));
      drawLine(raster, bx, frame.top, bx, frame.top + frame.height - 1, { color: BEST, dash: [2, 3] });
      drawText(raster, 'best', bx + 3, frame.top + frame.height - 12, { color: BEST });
    }
    const series = (vals: Array<number | undefined>) =>
      vals.map((v, i) => [frame.x(epochs[i] as number), v === undefined ? Number.NaN : frame.y(v)] as const);
    const withValidation = panel.val.some((v) => v !== undefined);
    const lines = [series(panel.train), ...(withValidation ? [series(panel.val)] : [])];
    // The legend goes in whichever right-hand corner the curves leave emptier.
    const boxW = 108;
    const boxH = (withValidation ? 2 : 1) * 14 + 8;
    const corners = [frame.top + 4, frame.top + frame.height - boxH - 20];
    const crowding = (y: number) =>
      lines.reduce((n, l) => n + pointsInBox(l, frame.left + frame.width - boxW - 4, y, boxW, boxH), 0);
    const legendTop =
      crowding(corners[1] as number) < crowding(corners[0] as number) ? (corners[1] as number) : (corners[0] as number);
    drawPolyline(raster, lines[0] ?? [], TRAIN);
    if (lines[1]) drawPolyline(raster, lines[1], VALIDATION);
    legend(raster, frame.left + frame.width - boxW + 2, legendTop + 5, withValidation);
  });
  return raster;
}

/** How many points along the polyline (sampled between vertices) fall inside the box. */
function pointsInBox(
  line: ReadonlyArray<readonly [number, number]>,
  x: number,
  y: number,
  w: number,
  h: number,
): number {
  let n = 0;
  for (let i = 1; i < line.length; i++) {
    const [ax, ay] = line[i - 1] as readonly [number, number];
    const [bx, by] = line[i] as readonly [number, number];
    for (let s = 0; s <= 8; s++) {
      const px = ax + ((bx - ax) * s) / 8;
      const py = ay + ((by - ay) * s) / 8;
      if (px >= x && px < x + w && py >= y && py < y + h) n++;
    }
  }
  return n;
}

function legend(raster: Raster, x: number, y: number, withValidation: boolean): void {
  const rows: Array<[string, LineStyle]> = [['train', TRAIN]];
  if (withValidation) rows.push(['validation', VALIDATION]);
  fillRect(raster, x - 6, y - 5, 108, rows.length * 14 + 8, [255, 255, 255]);
  rows.forEach(([name, style], i) => {
    const ly = y + i * 14 + 3;
    drawLine(raster, x, ly, x + 24, ly, style);
    drawText(raster, name, x + 32, ly - 3, { color: [40, 40, 40] });
  });
}

/** Writes the learning curves to a PNG file (atomically). */
export async function plotHistory(history: HistoryLike, path: string, options: HistoryPlotOptions = {}): Promise<void> {
  await writePng(path, renderHistoryPlot(history, options));
}
