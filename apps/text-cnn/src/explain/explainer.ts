import * as tf from '@tensorflow/tfjs';
import { padBatch } from '../data/index.js';
import { convName, OUTPUT_NAME } from '../model/index.js';
import type { Vocabulary } from '../text/index.js';

/** One filter's winning window: the n-gram that max-over-time pooling kept, and how much it pushed the answer. */
export interface WinningNgram {
  ngram: string;
  /** Index of the n-gram's first word in the sentence's tokens. */
  start: number;
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
  label: string;
  probabilities: Record<string, number>;
  /** The most influential filters' n-grams, strongest first. */
  ngrams: WinningNgram[];
}

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
    const ids = this.vocab.encode(tokens);
    const { data, shape } = padBatch([ids], this.maxWindow);
    const outs = tf.tidy(() => {
      const x = tf.tensor2d(data, shape, 'int32');
      const ys = this.probe.predict(x) as tf.Tensor[];
      return ys.map((y) => ({ values: y.dataSync() as Float32Array, shape: y.shape as number[] }));
    });
    const probs = outs[outs.length - 1]?.values ?? new Float32Array(0);
    let best = 0;
    for (let c = 1; c < probs.length; c++) if ((probs[c] as number) > (probs[best] as number)) best = c;

    const offset = this.maxWindow - 1;
    const C = this.classesCount;
    const found: WinningNgram[] = [];
    let featureBase = 0;
    this.windows.forEach((h, w) => {
      const conv = outs[w] as { values: Float32Array; shape: number[] };
      const T = conv.shape[1] as number;
      const F = conv.shape[2] as number;
      for (let f = 0; f < F; f++) {
        let at = 0;
        let max = -Infinity;
        for (let t = 0; t < T; t++) {
          const v = conv.values[t * F + f] as number;
          if (v > max) {
            max = v;
            at = t;
          }
        }
        const first = Math.max(0, at - offset);
        const last = Math.min(tokens.length, at - offset + h);
        if (max > 0 && last > first) {
          const weight = this.outputKernel[(featureBase + f) * C + best] as number;
          found.push({
            ngram: tokens.slice(first, last).join(' '),
            start: first,
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
    // Several filters often win on the same words; show each n-gram once, with its strongest filter.
    const seen = new Set<string>();
    const ngrams = found.filter((g) => g.contribution > 0 && !seen.has(g.ngram) && seen.add(g.ngram)).slice(0, top);
    return {
      tokens: [...tokens],
      label: this.classes[best] ?? String(best),
      probabilities: Object.fromEntries(this.classes.map((c, i) => [c, probs[i] ?? 0])),
      ngrams,
    };
  }
}
