import { describe, expect, it } from 'vitest';
import type { Explanation } from '../src/explain/explainer.js';
import { renderExplanation, wordWeights } from '../src/explain/picture.js';

const explanation: Explanation = {
  tokens: ['a', 'truly', 'great', 'film', 'today'],
  label: 'positive',
  classIndex: 1,
  probabilities: { negative: 0.1, positive: 0.9 },
  ngrams: [
    { ngram: 'truly great', start: 1, length: 2, window: 2, filter: 3, activation: 1, contribution: 0.5 },
    { ngram: 'great film', start: 2, length: 2, window: 2, filter: 7, activation: 1, contribution: 0.25 },
    // A 3-word filter that won at the sentence's end: it covers one word and padding, and only the word counts.
    { ngram: 'today', start: 4, length: 1, edge: 'end', window: 3, filter: 9, activation: 1, contribution: 0.125 },
  ],
};

describe('the explanation picture', () => {
  it('gives each word the summed push of the n-grams that cover it', () => {
    expect(wordWeights(explanation)).toEqual([0, 0.5, 0.75, 0.25, 0.125]);
  });

  it('shades the words the decision rests on and leaves the others white', () => {
    const raster = renderExplanation(explanation);
    // The words' row: find shaded (non-white, non-ink) pixels; some must be the full shade (the top word).
    const pixel = (x: number, y: number) =>
      Array.from(raster.data.subarray((y * raster.width + x) * 4, (y * raster.width + x) * 4 + 3));
    const rowY = 16 + 30 + 6 + 2;
    const colours = new Set<string>();
    for (let x = 0; x < raster.width; x++) colours.add(pixel(x, rowY).join(','));
    expect(colours.has('255,150,30')).toBe(true);
    expect(colours.has('255,255,255')).toBe(true);
    expect(raster.width).toBeGreaterThanOrEqual(640);
  });
});
