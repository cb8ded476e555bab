import { isEmbedding, leanEmbedding } from './lean-embedding.js';
import * as tf from '@tensorflow/tfjs';
import { PAD_ID } from '../text/index.js';

/**
 * Kim (2014), "Convolutional Neural Networks for Sentence Classification", section 2 and 3.1. A sentence of
 * n words is an n x k matrix of word vectors; a filter w in R^{h x k} spans the whole width k and slides over
 * the words only (a 1-D convolution over time with k input channels); max-over-time pooling keeps each
 * feature map's largest value, the strongest match of that filter anywhere in the sentence.
 */
export const VARIANTS = ['rand', 'static', 'non-static', 'multichannel'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface KimConfig {
  vocabSize: number;
  classes: number;
  variant: Variant;
  /** k, the word-vector width (300 in the paper). */
  embeddingDim: number;
  /** Filter windows h (3, 4, 5) ... */
  windows: readonly number[];
  /** ... with 100 feature maps each. */
  featureMaps: number;
  dropout: number;
  /** l2-norm cap s on the weight vectors of the softmax layer. */
  maxNorm: number;
  /** Initial word vectors (vocabSize x embeddingDim): pretrained for static, non-static and multichannel. */
  embeddings?: Float32Array;
  seed?: number;
}

export const KIM_DEFAULTS = {
  embeddingDim: 300,
  windows: [3, 4, 5],
  featureMaps: 100,
  dropout: 0.5,
  maxNorm: 3,
} as const;

/** Kim's code starts ReLU filters in U(-0.01, 0.01) (conv_net_classes.py), far smaller than Glorot's bound. */
export const KIM_CONV_INIT = 0.01;

/** Layer names that the explainer (src/explain) finds again in a loaded model. */
export const convName = (h: number): string => `conv_h${h}`;
export const poolName = (h: number): string => `maxpool_h${h}`;
export const OUTPUT_NAME = 'softmax';

export function buildKimCnn(config: KimConfig): tf.LayersModel {
  const { vocabSize, classes, variant, embeddingDim: k, windows, featureMaps, seed } = config;
  if (variant !== 'rand' && !config.embeddings) {
    throw new Error(`variant '${variant}' needs pretrained word vectors (--embeddings <file>)`);
  }
  if (config.embeddings && config.embeddings.length !== vocabSize * k) {
    throw new Error(
      `embeddings hold ${config.embeddings.length} values; expected vocabSize x dim = ${vocabSize} x ${k}`,
    );
  }
  // Word ids, any sentence length: each batch is padded only as far as its longest sentence needs.
  const words = tf.input({ shape: [null], dtype: 'int32', name: 'words' });

  const initial = config.embeddings ? [tf.tensor2d(config.embeddings, [vocabSize, k])] : undefined;
  const lookup = (name: string, trainable: boolean) =>
    // tf.layers.embedding's layer, minus a copy of the whole table at every training step (core's LeanEmbedding).
    leanEmbedding({
      name,
      inputDim: vocabSize,
      outputDim: k,
      trainable,
      // CNN-rand: every word vector drawn from U(-0.25, 0.25), as the paper does for unknown words.
      embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.25, maxval: 0.25, seed }),
      ...(initial ? { weights: initial } : {}),
    });

  // "static": pretrained vectors kept fixed; "non-static": fine-tuned; "multichannel": one channel of each. Kim:
  // "each filter is applied to both channels and the results are added". A filter is linear before its bias and
  // ReLU, so w . x_static + w . x_tuned = w . (x_static + x_tuned): the two channels' vectors are added and go
  // through the filters once, the same filter weights for both (not 2k input channels with weights of their own).
  let sentence: tf.SymbolicTensor;
  if (variant === 'multichannel') {
    const fixed = lookup('embedding_static', false).apply(words) as tf.SymbolicTensor;
    const tuned = lookup('embedding_tuned', true).apply(words) as tf.SymbolicTensor;
    sentence = tf.layers.add({ name: 'channels' }).apply([fixed, tuned]) as tf.SymbolicTensor;
  } else {
    sentence = lookup('embedding', variant !== 'static').apply(words) as tf.SymbolicTensor;
  }

  // c_i = f(w . x_{i:i+h-1} + b), then c_hat = max{c}: one feature per filter.
  const features = windows.map((h) => {
    const c = tf.layers
      .conv1d({
        name: convName(h),
        filters: featureMaps,
        kernelSize: h,
        activation: 'relu',
        padding: 'valid',
        kernelInitializer: tf.initializers.randomUniform({ minval: -KIM_CONV_INIT, maxval: KIM_CONV_INIT, seed }),
      })
      .apply(sentence) as tf.SymbolicTensor;
    return tf.layers.globalMaxPooling1d({ name: poolName(h) }).apply(c) as tf.SymbolicTensor;
  });
  const z =
    features.length > 1
      ? (tf.layers.concatenate({ name: 'features' }).apply(features) as tf.SymbolicTensor)
      : (features[0] as tf.SymbolicTensor);

  // Dropout on the penultimate layer, and an l2-norm cap s on each class's weight vector. Kim's code drops units
  // without scaling the kept ones and multiplies the weights by (1 - p) at test time, and its cap applies to those
  // unscaled weights. tfjs's dropout scales kept units by 1 / (1 - p) instead, so a fixed (1 - p) rescaling after it
  // gives Kim's network exactly, cap included. The dropout layer takes no seed: tfjs would repeat a seeded layer's
  // mask at every step; core's trainer seeds each step instead.
  let dropped = tf.layers.dropout({ name: 'dropout', rate: config.dropout }).apply(z) as tf.SymbolicTensor;
  if (config.dropout > 0)
    dropped = tf.layers
      .rescaling({ name: 'dropout_scale', scale: 1 - config.dropout })
      .apply(dropped) as tf.SymbolicTensor;
  const probs = tf.layers
    .dense({
      name: OUTPUT_NAME,
      units: classes,
      activation: 'softmax',
      kernelConstraint: tf.constraints.maxNorm({ maxValue: config.maxNorm, axis: 0 }),
      // Kim's logistic-regression layer starts at zero.
      kernelInitializer: 'zeros',
    })
    .apply(dropped) as tf.SymbolicTensor;

  const model = tf.model({ inputs: words, outputs: probs, name: `kim_cnn_${variant.replace('-', '_')}` });
  initial?.forEach((t) => t.dispose());
  zeroPaddingRow(model);
  return model;
}

/**
 * The padding word's vector is zero, as in Kim's code, which also puts it back to zero after every update (the
 * row-wise optimizer leaves it alone: LazyRowsAdadelta's frozen rows). Padding then adds nothing to a window.
 */
function zeroPaddingRow(model: tf.LayersModel): void {
  for (const layer of model.layers.filter((l) => isEmbedding(l))) {
    const [table] = layer.getWeights();
    if (!table) continue;
    const values = Float32Array.from(table.dataSync() as Float32Array);
    const width = table.shape[1] as number;
    values.fill(0, PAD_ID * width, (PAD_ID + 1) * width);
    const zeroed = tf.tensor2d(values, table.shape as [number, number]);
    layer.setWeights([zeroed]);
    zeroed.dispose();
  }
}

/**
 * Registered names of the word-vector tables that training changes (none for static): the optimizer updates
 * them row by row (lazy-rows.ts).
 */
export function trainableTables(model: tf.LayersModel): string[] {
  return model.layers
    .filter((l) => isEmbedding(l) && l.trainable)
    .flatMap((l) => l.trainableWeights.map((w) => (w.read() as tf.Variable).name));
}

/** Kim's training setup (section 3.1): Adadelta (rho 0.95, eps 1e-6: see adadelta.ts), mini-batches of 50, 25 epochs. */
export const KIM_TRAINING = {
  batchSize: 50,
  epochs: 25,
} as const;
