import * as tf from '@tensorflow/tfjs';

/**
 * The two small-footprint keyword-spotting CNNs of Sainath & Parada (2015), "Convolutional Neural Networks for
 * Small-footprint Keyword Spotting". Input: a log-mel spectrogram [frames (time), bands (frequency), 1].
 */
export type ModelKind = 'freq' | '2d';
export const MODEL_KINDS: readonly ModelKind[] = ['freq', '2d'];

/** `cnn-one-fstride4`: one convolution whose filters cover every frame and slide along frequency only. */
export interface FreqOptions {
  /**
   * Frames averaged into one before the convolution. 3 turns our 98 frames (1 s at 10 ms) into 32, the paper's
   * input length, so each filter has the paper's 32 x 8 weights instead of learning 10 ms detail it does not need.
   */
  timePool: number;
  /** Feature maps (the paper's n = 186). */
  maps: number;
  /** Mel bands each filter spans (r = 8). */
  bandsPerFilter: number;
  /** Step between filters along frequency (v = 4); 1 gives the most overlap. */
  freqStride: number;
  /** Low-rank linear bottleneck (32), then a ReLU layer (128). */
  linear: number;
  hidden: number;
  dropout: number;
  /** L2 penalty on every kernel (weight decay); 0 for none. */
  l2: number;
  /**
   * 0: each filter spans every (pooled) frame, the paper's model. N: filters span N frames and also slide along
   * time, and each map keeps its largest response over time (the short-time-context variant), so a sound
   * counts wherever it falls in the word.
   */
  timeContext: number;
}

export const FREQ_DEFAULTS: FreqOptions = { timePool: 3, maps: 186, bandsPerFilter: 8, freqStride: 4, linear: 32, hidden: 128, dropout: 0.2, l2: 0, timeContext: 0 };

/** `cnn-trad-fpool3`: two time-frequency convolutions, max-pooling 3 in frequency after the first. */
export interface TwoDOptions {
  /** As in FreqOptions: 3 gives the paper's 32-frame input. */
  timePool: number;
  conv1: { maps: number; frames: number; bands: number };
  poolBands: number;
  conv2: { maps: number; frames: number; bands: number };
  linear: number;
  hidden: number;
  dropout: number;
  l2: number;
}

export const TWO_D_DEFAULTS: TwoDOptions = {
  timePool: 3,
  conv1: { maps: 64, frames: 20, bands: 8 },
  poolBands: 3,
  conv2: { maps: 64, frames: 10, bands: 4 },
  linear: 32,
  hidden: 128,
  dropout: 0.2,
  l2: 0,
};

/** The settings both networks share, which training may change to fight over-fitting to the training speakers. */
export type HeadOptions = Pick<FreqOptions, 'hidden' | 'dropout' | 'l2'>;
/** What training may change: the shared head settings, and for `freq` its time context. */
export type ModelOverrides = HeadOptions & Pick<FreqOptions, 'timeContext'>;

/** A kernel regulariser, or nothing (so models without weight decay serialise as before). */
function decay(l2: number): { kernelRegularizer?: ReturnType<typeof tf.regularizers.l2> } {
  return l2 > 0 ? { kernelRegularizer: tf.regularizers.l2({ l2 }) } : {};
}

/** Averages every `n` frames into one (n = 1: unchanged). */
function timePool(x: tf.SymbolicTensor, n: number): tf.SymbolicTensor {
  if (n <= 1) return x;
  return tf.layers.averagePooling2d({ poolSize: [n, 1], strides: [n, 1], name: 'time_pool' }).apply(x) as tf.SymbolicTensor;
}

/** The shared back end of both networks: linear bottleneck, one hidden ReLU layer, softmax over the words. */
function classifierHead(x: tf.SymbolicTensor, o: { linear: number } & HeadOptions, classes: number, seed: number): tf.SymbolicTensor {
  let h = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: o.linear, name: 'linear', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), ...decay(o.l2) }).apply(h) as tf.SymbolicTensor;
  h = tf.layers
    .dense({ units: o.hidden, activation: 'relu', name: 'hidden', kernelInitializer: tf.initializers.heNormal({ seed: seed + 2 }), ...decay(o.l2) })
    .apply(h) as tf.SymbolicTensor;
  // Unseeded: a seeded tfjs dropout layer repeats its mask at every step; core's trainer seeds each step.
  if (o.dropout > 0) h = tf.layers.dropout({ rate: o.dropout }).apply(h) as tf.SymbolicTensor;
  return tf.layers
    .dense({ units: classes, activation: 'softmax', name: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 4 }), ...decay(o.l2) })
    .apply(h) as tf.SymbolicTensor;
}

export function buildFreqModel(input: [number, number], classes: number, o: FreqOptions = FREQ_DEFAULTS, seed = 1): tf.LayersModel {
  const [frames, bands] = input;
  if (o.bandsPerFilter > bands) throw new RangeError(`freq model: a filter of ${o.bandsPerFilter} bands does not fit ${bands} mel bands`);
  const x = tf.input({ shape: [frames, bands, 1], name: 'spectrogram' });
  const pooled = timePool(x, o.timePool);
  const span = pooled.shape[1] as number;
  if (o.timeContext > span) throw new RangeError(`freq model: a time context of ${o.timeContext} frames does not fit ${span} (pooled) frames`);
  const tall = o.timeContext > 0 ? o.timeContext : span;
  // A filter as tall as the whole input can only move along frequency: one output row.
  let conv = tf.layers
    .conv2d({
      filters: o.maps,
      kernelSize: [tall, o.bandsPerFilter],
      strides: [1, o.freqStride],
      activation: 'relu',
      name: 'freq_conv',
      kernelInitializer: tf.initializers.heNormal({ seed }),
      ...decay(o.l2),
    })
    .apply(pooled) as tf.SymbolicTensor;
  const rows = conv.shape[1] as number;
  if (rows > 1) conv = tf.layers.maxPooling2d({ poolSize: [rows, 1], strides: [rows, 1], name: 'time_max' }).apply(conv) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: classifierHead(conv, o, classes, seed), name: 'cnn_one_fstride' });
}

export function build2dModel(input: [number, number], classes: number, o: TwoDOptions = TWO_D_DEFAULTS, seed = 1): tf.LayersModel {
  const [frames, bands] = input;
  const x = tf.input({ shape: [frames, bands, 1], name: 'spectrogram' });
  let h = timePool(x, o.timePool);
  if ((h.shape[1] as number) < o.conv1.frames + o.conv2.frames - 1) throw new RangeError(`2d model: ${frames} frames pooled by ${o.timePool} are too few for its filters`);
  h = tf.layers
    .conv2d({ filters: o.conv1.maps, kernelSize: [o.conv1.frames, o.conv1.bands], activation: 'relu', name: 'conv1', kernelInitializer: tf.initializers.heNormal({ seed }), ...decay(o.l2) })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: [1, o.poolBands], strides: [1, o.poolBands], name: 'fpool' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers
    .conv2d({ filters: o.conv2.maps, kernelSize: [o.conv2.frames, o.conv2.bands], activation: 'relu', name: 'conv2', kernelInitializer: tf.initializers.heNormal({ seed: seed + 10 }), ...decay(o.l2) })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: classifierHead(h, o, classes, seed), name: 'cnn_trad_fpool3' });
}

export function buildModel(kind: ModelKind, input: [number, number], classes: number, seed = 1, changes: Partial<ModelOverrides> = {}): tf.LayersModel {
  if (kind === 'freq') return buildFreqModel(input, classes, { ...FREQ_DEFAULTS, ...changes }, seed);
  const { timeContext, ...head } = changes;
  if (timeContext) throw new RangeError('a time context applies to the freq model only (2d filters already slide along time)');
  return build2dModel(input, classes, { ...TWO_D_DEFAULTS, ...head }, seed);
}
