import { describe, expect, it } from 'vitest';
import {
  accuracy,
  argmaxRows,
  classReport,
  confusionMatrix,
  formatClassReport,
  formatConfusionMatrix,
  formatTable,
  logLoss,
  normalQuantile,
  proportionInterval,
  topKAccuracy,
  topKClasses,
} from '../src/metrics/index.js';

// Six examples over three classes, worked by hand:
//   probs              label  argmax  rank of label
//   .7 .2 .1           0      0       1
//   .1 .6 .3           1      1       1
//   .6 .3 .1           2      0       3
//   .5 .4 .1           1      0       2
//   .1 .1 .8           2      2       1
//   .3 .3 .4           0      2       2 (tied with class 1)
const probs = new Float32Array([
  0.7, 0.2, 0.1, 0.1, 0.6, 0.3, 0.6, 0.3, 0.1, 0.5, 0.4, 0.1, 0.1, 0.1, 0.8, 0.3, 0.3, 0.4,
]);
const labels = new Int32Array([0, 1, 2, 1, 2, 0]);

describe('classification metrics', () => {
  it('accuracy and argmax', () => {
    expect(Array.from(argmaxRows(probs, 3))).toEqual([0, 1, 0, 0, 2, 2]);
    expect(accuracy(probs, labels)).toBe(0.5);
  });

  it('top-k accuracy counts a label tied with the k-th class as a hit', () => {
    expect(topKAccuracy(probs, labels, 1)).toBe(0.5);
    expect(topKAccuracy(probs, labels, 2)).toBeCloseTo(5 / 6, 12);
    expect(topKAccuracy(probs, labels, 3)).toBe(1);
  });

  it('log-loss is the mean negative log probability of the label, clipped', () => {
    expect(logLoss(probs, labels)).toBeCloseTo(0.9189154580355116, 6);
    const certainWrong = new Float32Array([1, 0]);
    expect(logLoss(certainWrong, new Int32Array([1]))).toBeCloseTo(-Math.log(1e-7), 6);
  });

  it('top classes of one row, most probable first', () => {
    expect(topKClasses([0.1, 0.6, 0.3], 2).map((c) => c.index)).toEqual([1, 2]);
  });

  it('refuses shapes and labels that do not fit, saying which', () => {
    expect(() => accuracy(new Float32Array(7), labels)).toThrow(
      'probs has 7 values, not a whole number of rows for 6 labels',
    );
    expect(() => accuracy(probs, new Int32Array([0, 1, 2, 3, 0, 0]))).toThrow(
      'labels[3] is 3; expected a class index in 0..2',
    );
    expect(() => accuracy(new Float32Array(0), new Int32Array(0))).toThrow('labels is empty');
    expect(() => topKAccuracy(probs, labels, 0)).toThrow('k is 0');
  });
});

describe('confusion matrix and class report', () => {
  it('counts rows as true classes and columns as predictions, from probabilities or indices', () => {
    const expected = [
      [1, 0, 1],
      [1, 1, 0],
      [1, 0, 1],
    ];
    expect(confusionMatrix(probs, labels)).toEqual(expected);
    expect(confusionMatrix(new Int32Array([0, 1, 0, 0, 2, 2]), labels, 3)).toEqual(expected);
    expect(() => confusionMatrix(new Int32Array([0, 1, 5, 0, 2, 2]), labels, 3)).toThrow('predicted[2] is 5');
  });

  it('precision, recall, F1 per class and their macro and weighted means', () => {
    const r = classReport(confusionMatrix(probs, labels), ['cat', 'dog', 'eel']);
    expect(r.classes.map((c) => c.label)).toEqual(['cat', 'dog', 'eel']);
    // precision = tp / column sum, recall = tp / row sum
    expect(r.classes.map((c) => c.precision)).toEqual([1 / 3, 1, 1 / 2]);
    expect(r.classes.map((c) => c.recall)).toEqual([0.5, 0.5, 0.5]);
    expect(r.classes[0]?.f1).toBeCloseTo(0.4, 12);
    expect(r.classes[1]?.f1).toBeCloseTo(2 / 3, 12);
    expect(r.classes[2]?.f1).toBeCloseTo(0.5, 12);
    expect(r.classes.map((c) => c.support)).toEqual([2, 2, 2]);
    expect(r.accuracy).toBe(0.5);
    expect(r.macro.precision).toBeCloseTo(11 / 18, 12);
    expect(r.macro.f1).toBeCloseTo(47 / 90, 12);
    expect(r.total).toBe(6);
  });

  it('weights by support, and scores an absent class 0 without dividing by zero', () => {
    // class 0: 3 examples all right; class 1: 1 example called class 0; class 2: never seen or predicted
    const r = classReport([
      [3, 0, 0],
      [1, 0, 0],
      [0, 0, 0],
    ]);
    expect(r.classes.map((c) => [c.precision, c.recall, c.f1])).toEqual([
      [0.75, 1, 6 / 7],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(r.macro.recall).toBeCloseTo(1 / 3, 12);
    expect(r.weighted.recall).toBeCloseTo(0.75, 12);
    expect(r.weighted.precision).toBeCloseTo((3 * 0.75) / 4, 12);
  });

  it('formats a report as an aligned text table', () => {
    const text = formatClassReport(classReport(confusionMatrix(probs, labels), ['cat', 'dog', 'eel']));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^class\s+precision\s+recall\s+f1\s+support$/);
    expect(lines[2]).toMatch(/^cat\s+0\.333\s+0\.500\s+0\.400\s+2$/);
    expect(lines.find((l) => l.startsWith('macro avg'))).toMatch(/0\.611\s+0\.500\s+0\.522\s+6$/);
    expect(new Set(lines.filter((l) => l.trim() !== '').map((l) => l.length)).size).toBeLessThanOrEqual(2);
    expect(
      formatConfusionMatrix(
        [
          [1, 10],
          [0, 2],
        ],
        ['a', 'b'],
      ).split('\n')[2],
    ).toBe('a            1  10');
    expect(() => formatTable(['a', 'b'], [[1]])).toThrow('row 0 has 1 cells; the header has 2');
  });
});

describe('proportion intervals', () => {
  it('normal quantiles', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.05)).toBeCloseTo(-1.6448536269514722, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 8);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('Wilson 95% interval matches the textbook values', () => {
    const w = proportionInterval(8, 10);
    expect(w.p).toBe(0.8);
    expect(w.low).toBeCloseTo(0.4902, 4);
    expect(w.high).toBeCloseTo(0.9433, 4);
    const none = proportionInterval(0, 10);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775, 4);
  });

  it('normal (Wald) interval is clipped to [0, 1]; other confidence levels work', () => {
    const n = proportionInterval(8, 10, { method: 'normal' });
    expect(n.low).toBeCloseTo(0.8 - 1.959964 * Math.sqrt(0.016), 6);
    expect(n.high).toBe(1);
    const w99 = proportionInterval(50, 100, { confidence: 0.99 });
    const w95 = proportionInterval(50, 100);
    expect(w99.high - w99.low).toBeGreaterThan(w95.high - w95.low);
    expect(() => proportionInterval(11, 10)).toThrow('successes is 11; expected an integer in 0..10');
  });
});
