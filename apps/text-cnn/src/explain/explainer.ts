import * as tf from '@tensorflow/tfjs';
import { padBatch } from '../data/index.js';
import { convName, OUTPUT_NAME } from '../model/index.js';
import type { Vocabulary } from '../text/index.js';

/** One filter's winning window: the n-gram that max-over-time pooling kept, and how much it pushed the answer. */
export interface WinningNgram {
  /** The sentence's words in the window, never padding: at an edge of the sentence there are fewer than `window`. */
  ngram: string;
  /** Index of the n-gram's first word in the sentence's tokens. */
  start: number;
  /** How many of the sentence's words the window covers (`window`, or fewer at an edge). */
  length: number;
  /**
   * Where the window ran past the sentence into padding: 'start' (before the first word), 'end' (after the last),
   * 'both' (a sentence shorter than the window); absent when it lies inside the sentence.
   */
  edge?: 'start' | 'end' | 'both';
  /** Filter window h and index of the filter among that window's feature maps. */
  window: number;
  filter: number;
  /** The pooled feature c_hat (after ReLU). */
  activation: number;
  /** c_hat times the softmax weight from that feature to the predicted class: its share of the logit. */
  contribution: number;
}

export interface Explanation {
  tokens: string[];
  /** The predicted class's name, and its index in the model's classes. */
  label: string;
  classIndex: number;
  /** Each class's probability, by name, in the model's class order. */
  probabilities: Record<string, number>;
  /** The most influential filters' n-grams, strongest first; each span of words once. */
  ngrams: WinningNgram[];
}

/** How a winning n-gram's window is described to people: "3-gram", or "1 word at the sentence's start (5-word filter)". */
export function describeWindow(g: Pick<WinningNgram, 'length' | 'window' | 'edge'>): string {
  if (g.edge === undefined) return `${g.window}-gram`;
  const where =
    g.edge === 'start' ? "the sentence's start" : g.edge === 'end' ? "the sentence's end" : 'the whole sentence';
  const words = g.length === 1 ? '1 word' : `${g.length} words`;
  return g.edge === 'both'
    ? `${words}, ${where} (${g.window}-word filter)`
    : `${words} at ${where} (${g.window}-word filter)`;
}

/** How much of the predicted class's logit the shown n-grams put on each word (an n-gram's share goes to each of its words). */
export function wordWeights(e: Pick<Explanation, 'tokens' | 'ngrams'>): number[] {
  const weights = new Array<number>(e.tokens.length).fill(0);
  for (const g of e.ngrams) {
    for (let i = g.start; i < Math.min(g.start + g.length, weights.length); i++)
      weights[i] = (weights[i] as number) + g.contribution;
  }
  return weights;
}

/** Sentences per forward pass in explainMany. */
const BATCH = 64;

/**
 * Reads the model's own decision: every filter keeps one window (max-over-time), the softmax layer weighs
 * the kept features; a filter's contribution to the predicted class is c_hat x w. The n-grams of the
 * top filters are why the model decided. One forward pass gives both the features and the prediction.
 */
export class Explainer {
  private readonly probe: tf.LayersModel;
  private readonly windows: number[];
  private readonly outputKernel: Float32Array;
  private readonly classesCount: number;

  constructor(
    model: tf.LayersModel,
    private readonly vocab: Vocabulary,
    private readonly classes: readonly string[],
  ) {
    this.windows = model.layers
      .map((l) => /^conv_h(\d+)$/.exec(l.name)?.[1])
      .filter((h): h is string => h !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    if (this.windows.length === 0) throw new Error('explain: the model has no conv_h<n> layers (not a Kim CNN)');
    const convs = this.windows.map((h) => model.getLayer(convName(h)).output as tf.SymbolicTensor);
    this.probe = tf.model({ inputs: model.inputs, outputs: [...convs, model.outputs[0] as tf.SymbolicTensor] });
    const kernel = model.getLayer(OUTPUT_NAME).getWeights()[0];
    if (!kernel) throw new Error(`explain: layer ${OUTPUT_NAME} has no weights`);
    this.outputKernel = kernel.dataSync() as Float32Array;
    this.classesCount = kernel.shape[1] as number;
  }

  get maxWindow(): number {
    return this.windows[this.windows.length - 1] as number;
  }

  explain(tokens: readonly string[], top = 5): Explanation {
    return this.explainMany([tokens], top)[0] as Explanation;
  }

  /**
   * Several sentences in one forward pass. Padding gives every sentence of the batch the same answer it gets
   * alone (see padBatch), so this is `explain` on each, faster.
   */
  explainMany(sentences: readonly (readonly string[])[], top = 5): Explanation[] {
    const out: Explanation[] = [];
    // In batches, so that one long sentence does not pad thousands of others to its length.
    for (let i = 0; i < sentences.length; i += BATCH)
      out.push(...this.explainBatch(sentences.slice(i, i + BATCH), top));
    return out;
  }

  private explainBatch(sentences: readonly (readonly string[])[], top: number): Explanation[] {
    const { data, shape } = padBatch(
      sentences.map((t) => this.vocab.encode(t)),
      this.maxWindow,
    );
    const outs = tf.tidy(() => {
      const x = tf.tensor2d(data, shape, 'int32');
      const ys = this.probe.predict(x) as tf.Tensor[];
      return ys.map((y) => ({ values: y.dataSync() as Float32Array, shape: y.shape }));
    });
    return sentences.map((tokens, n) => this.read(outs, n, tokens, top));
  }

  private read(
    outs: readonly { values: Float32Array; shape: number[] }[],
    n: number,
    tokens: readonly string[],
    top: number,
  ): Explanation {
    const C = this.classesCount;
    const all = outs[outs.length - 1]?.values ?? new Float32Array(0);
    const probs = all.subarray(n * C, (n + 1) * C);
    let best = 0;
    for (let c = 1; c < probs.length; c++) if ((probs[c] as number) > (probs[best] as number)) best = c;

    // Word i of the sentence sits at position i + offset of the padded row (padBatch puts h_max - 1 pads in front).
    const offset = this.maxWindow - 1;
    const found: WinningNgram[] = [];
    let featureBase = 0;
    this.windows.forEach((h, w) => {
      const conv = outs[w] as { values: Float32Array; shape: number[] };
      const T = conv.shape[1] as number;
      const F = conv.shape[2] as number;
      const row = n * T * F;
      for (let f = 0; f < F; f++) {
        let at = 0;
        let max = -Infinity;
        for (let t = 0; t < T; t++) {
          const v = conv.values[row + t * F + f] as number;
          if (v > max) {
            max = v;
            at = t;
          }
        }
        // The window covers padded positions at..at+h-1, i.e. words at-offset..at-offset+h-1; keep only real words.
        const from = at - offset;
        const first = Math.max(0, from);
        const last = Math.min(tokens.length, from + h);
        // A window of padding alone (the pad word's vector is zero) says nothing about the sentence.
        if (max > 0 && last > first) {
          const cutStart = from < 0;
          const cutEnd = from + h > tokens.length;
          const weight = this.outputKernel[(featureBase + f) * C + best] as number;
          found.push({
            ngram: tokens.slice(first, last).join(' '),
            start: first,
            length: last - first,
            ...(cutStart || cutEnd ? { edge: cutStart && cutEnd ? 'both' : cutStart ? 'start' : 'end' } : {}),
            window: h,
            filter: f,
            activation: max,
            contribution: max * weight,
          });
        }
      }
      featureBase += F;
    });
    found.sort((a, b) => b.contribution - a.contribution);
    // Several filters often win on the same words; show each span of words once, with its strongest filter.
    const seen = new Set<string>();
    const ngrams = found
      .filter((g) => {
        const key = `${g.start}:${g.length}`;
        return g.contribution > 0 && !seen.has(key) && seen.add(key);
      })
      .slice(0, top);
    return {
      tokens: [...tokens],
      label: this.classes[best] ?? String(best),
      classIndex: best,
      probabilities: Object.fromEntries(this.classes.map((c, i) => [c, probs[i] ?? 0])),
      ngrams,
    };
  }
}
