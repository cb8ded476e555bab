import { createRaster, drawText, fillRect, textHeight, textWidth, type Raster, type Rgb } from '@cnn-lab/core';
import { describeWindow, wordWeights, type Explanation } from './explainer.js';

export { wordWeights };

const SCALE = 2;
const MARGIN = 16;
const LINE = textHeight(SCALE) + 14;
const MIN_WIDTH = 640;
const BAR = 120;
const INK: Rgb = [20, 20, 20];
const FAINT: Rgb = [110, 110, 110];
const HOT: Rgb = [255, 150, 30];

/** White shading to HOT as t goes from 0 to 1. */
function shade(t: number): Rgb {
  const towards = (c: number) => Math.round(255 + t * (c - 255));
  return [towards(HOT[0]), towards(HOT[1]), towards(HOT[2])];
}

/**
 * An explanation as a picture: the label and probabilities, the sentence with each word shaded by the share of
 * the decision its winning n-grams carry, and the n-grams with bars for their contributions.
 */
export function renderExplanation(e: Explanation): Raster {
  const weights = wordWeights(e);
  const top = Math.max(...weights, 1e-9);
  const captions = e.ngrams.map(
    (g) => `"${g.ngram}"  ${describeWindow(g)} #${g.filter}  +${g.contribution.toFixed(2)}`,
  );
  const WIDTH = Math.max(MIN_WIDTH, ...captions.map((c) => MARGIN * 2 + BAR + 12 + textWidth(c, SCALE)));
  // Words left to right, wrapped at the picture's width.
  const placed: Array<{ word: string; x: number; row: number; weight: number }> = [];
  let x = MARGIN;
  let row = 0;
  e.tokens.forEach((word, i) => {
    const w = textWidth(word, SCALE) + 8;
    if (x + w > WIDTH - MARGIN && x > MARGIN) [x, row] = [MARGIN, row + 1];
    placed.push({ word, x, row, weight: (weights[i] as number) / top });
    x += w + 6;
  });
  const rows = row + 1;
  const biggest = Math.max(...e.ngrams.map((g) => g.contribution), 1e-9);
  const height = MARGIN * 2 + LINE * (2 + rows + e.ngrams.length) + 8;
  const raster = createRaster(WIDTH, height);

  const probs = Object.entries(e.probabilities).map(([c, p]) => `${c}: ${(100 * p).toFixed(1)}%`);
  drawText(raster, `label ${e.label}   (${probs.join('  ')})`, MARGIN, MARGIN, { scale: SCALE, color: INK });
  const wordsTop = MARGIN + LINE + 6;
  for (const p of placed) {
    const y = wordsTop + p.row * LINE;
    fillRect(raster, p.x, y - 4, textWidth(p.word, SCALE) + 8, textHeight(SCALE) + 8, shade(p.weight));
    drawText(raster, p.word, p.x + 4, y, { scale: SCALE, color: INK });
  }
  let y = wordsTop + rows * LINE + 8;
  drawText(
    raster,
    e.ngrams.length ? 'n-grams that won the max-pooling, by push:' : 'no filter fired on these words',
    MARGIN,
    y,
    { scale: SCALE, color: FAINT },
  );
  e.ngrams.forEach((g, k) => {
    y += LINE;
    fillRect(raster, MARGIN, y, Math.max(2, Math.round((BAR * g.contribution) / biggest)), textHeight(SCALE), HOT);
    drawText(raster, captions[k] as string, MARGIN + BAR + 12, y, { scale: SCALE, color: INK });
  });
  return raster;
}
