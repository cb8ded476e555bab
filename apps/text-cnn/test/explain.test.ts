// The explanation read back from the shipped model: n-grams are words of the sentence only, never padding.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@cnn-lab/core';
import { alignTokens } from '../src/explain/align.js';
import { Explainer, describeWindow } from '../src/explain/explainer.js';
import { formatExplanation } from '../src/explain/format.js';
import { loadTextModel, type TextModel } from '../src/model/load.js';
import { tokenize } from '../src/text/index.js';

let shipped: TextModel;
let explainer: Explainer;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  shipped = await loadTextModel(new URL('../models/default', import.meta.url).pathname);
  explainer = new Explainer(shipped.model, shipped.vocab, shipped.classNames);
});

const sentences = [
  'a',
  'dull',
  'a masterpiece',
  'utterly charming',
  'not good',
  'a gorgeous , witty and moving film , even if the plot is thin',
  'the plot is a dull , tedious mess',
];

describe('winning n-grams', () => {
  it('hold only words of the sentence, and say so when the filter ran past its edge into padding', () => {
    for (const s of sentences) {
      const tokens = tokenize(s, 'kim');
      const e = explainer.explain(tokens, 10);
      for (const g of e.ngrams) {
        expect(g.ngram).toBe(tokens.slice(g.start, g.start + g.length).join(' '));
        expect(g.length).toBeGreaterThan(0);
        expect(g.length).toBeLessThanOrEqual(g.window);
        expect(g.edge === undefined).toBe(g.length === g.window);
        if (g.edge === 'start' || g.edge === 'both') expect(g.start).toBe(0);
        if (g.edge === 'end' || g.edge === 'both') expect(g.start + g.length).toBe(tokens.length);
        expect(describeWindow(g)).not.toMatch(g.edge ? /-gram/ : /word/);
      }
      const text = formatExplanation(e, shipped.vocab).join('\n');
      expect(text).not.toContain('<pad>');
      // "a" alone is never called a 3-, 4- or 5-gram.
      if (tokens.length === 1) expect(text).not.toMatch(/\d-gram/);
    }
  });

  it('lists each span of words once', () => {
    const e = explainer.explain(tokenize(sentences[5] as string, 'kim'), 50);
    const spans = e.ngrams.map((g) => `${g.start}:${g.length}`);
    expect(new Set(spans).size).toBe(spans.length);
    expect(e.ngrams.map((g) => g.contribution)).toEqual([...e.ngrams.map((g) => g.contribution)].sort((a, b) => b - a));
  });

  it('gives every sentence of a batch the answer it gets alone', () => {
    const lists = sentences.map((s) => tokenize(s, 'kim'));
    const together = explainer.explainMany(lists, 5);
    lists.forEach((tokens, i) => {
      const alone = explainer.explain(tokens, 5);
      const both = together[i]!;
      expect(both.label).toBe(alone.label);
      for (const c of shipped.classNames) expect(both.probabilities[c]).toBeCloseTo(alone.probabilities[c]!, 5);
      expect(both.ngrams.map((g) => [g.start, g.length, g.window, g.filter])).toEqual(
        alone.ngrams.map((g) => [g.start, g.length, g.window, g.filter]),
      );
    });
  });

  it('are described by the words they cover', () => {
    expect(describeWindow({ length: 3, window: 3 })).toBe('3-gram');
    expect(describeWindow({ length: 1, window: 3, edge: 'start' })).toBe(
      "1 word at the sentence's start (3-word filter)",
    );
    expect(describeWindow({ length: 2, window: 5, edge: 'end' })).toBe("2 words at the sentence's end (5-word filter)");
    expect(describeWindow({ length: 2, window: 5, edge: 'both' })).toBe('2 words, the whole sentence (5-word filter)');
  });
});

describe('token spans', () => {
  it("find Kim's tokens in the text as typed", () => {
    const text = "It's NOT a film (really), can't say!";
    const tokens = tokenize(text, 'kim');
    expect(tokens).toEqual(['it', "'s", 'not', 'a', 'film', '(', 'really', ')', ',', 'ca', "n't", 'say', '!']);
    const spans = alignTokens(text, tokens);
    expect(spans.map((s) => text.slice(s!.start, s!.end))).toEqual([
      'It',
      "'s",
      'NOT',
      'a',
      'film',
      '(',
      'really',
      ')',
      ',',
      'ca',
      "n't",
      'say',
      '!',
    ]);
  });

  it('leave a token the text does not hold as null, and go on with the next', () => {
    expect(alignTokens('a “quoted” word', ['a', '``', 'quoted', 'word'])).toEqual([
      { start: 0, end: 1 },
      null,
      { start: 3, end: 9 },
      { start: 11, end: 15 },
    ]);
  });
});
