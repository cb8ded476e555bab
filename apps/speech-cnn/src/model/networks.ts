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
}

export const FREQ_DEFAULTS: FreqOptions = {
  timePool: 3,
  maps: 186,
  bandsPerFilter: 8,
  freqStride: 4,
  linear: 32,
  hidden: 128,
  dropout: 0.2,
};

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
}

export const TWO_D_DEFAULTS: TwoDOptions = {
  timePool: 3,
  conv1: { maps: 64, frames: 20, bands: 8 },
  poolBands: 3,
  conv2: { maps: 64, frames: 10, bands: 4 },
  linear: 32,
  hidden: 128,
  dropout: 0.2,
};

/** The settings both networks' heads share. */
type HeadOptions = Pick<FreqOptions, 'linear' | 'hidden' | 'dropout'>;

/** Averages every `n` frames into one (n = 1: unchanged). */
function timePool(x: tf.SymbolicTensor, n: number): tf.SymbolicTensor {
  if (n <= 1) return x;
  return tf.layers
    .averagePooling2d({ poolSize: [n, 1], strides: [n, 1], name: 'time_pool' })
    .apply(x) as tf.SymbolicTensor;
}

/** The shared back end of both networks: linear bottleneck, one hidden ReLU layer, softmax over the words. */
function classifierHead(x: tf.SymbolicTensor, o: HeadOptions, classes: number, seed: number): tf.SymbolicTensor {
  let h = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  h = tf.layers
    .dense({ units: o.linear, name: 'linear', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers
    .dense({
      units: o.hidden,
      activation: 'relu',
      name: 'hidden',
      kernelInitializer: tf.initializers.heNormal({ seed: seed + 2 }),
    })
    .apply(h) as tf.SymbolicTensor;
  // Unseeded: a seeded tfjs dropout layer repeats its mask at every step; core's trainer seeds each step.
  if (o.dropout > 0) h = tf.layers.dropout({ rate: o.dropout }).apply(h) as tf.SymbolicTensor;
  return tf.layers
    .dense({
      units: classes,
      activation: 'softmax',
      name: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 4 }),
    })
    .apply(h) as tf.SymbolicTensor;
}

export function buildFreqModel(
  input: [number, number],
  classes: number,
  o: FreqOptions = FREQ_DEFAULTS,
  seed = 1,
): tf.LayersModel {
  const [frames, bands] = input;
  if (o.bandsPerFilter > bands)
    throw new RangeError(`freq model: a filter of ${o.bandsPerFilter} bands does not fit ${bands} mel bands`);
  const x = tf.input({ shape: [frames, bands, 1], name: 'spectrogram' });
  const pooled = timePool(x, o.timePool);
  // A filter as tall as the whole input can only move along frequency: one output row.
  const conv = tf.layers
    .conv2d({
      filters: o.maps,
      kernelSize: [pooled.shape[1] as number, o.bandsPerFilter],
      strides: [1, o.freqStride],
      activation: 'relu',
      name: 'freq_conv',
      kernelInitializer: tf.initializers.heNormal({ seed }),
    })
    .apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: classifierHead(conv, o, classes, seed), name: 'cnn_one_fstride' });
}

export function build2dModel(
  input: [number, number],
  classes: number,
  o: TwoDOptions = TWO_D_DEFAULTS,
  seed = 1,
): tf.LayersModel {
  const [frames, bands] = input;
  const x = tf.input({ shape: [frames, bands, 1], name: 'spectrogram' });
  let h = timePool(x, o.timePool);
  if ((h.shape[1] as number) < o.conv1.frames + o.conv2.frames - 1)
    throw new RangeError(`2d model: ${frames} frames pooled by ${o.timePool} are too few for its filters`);
  h = tf.layers
    .conv2d({
      filters: o.conv1.maps,
      kernelSize: [o.conv1.frames, o.conv1.bands],
      activation: 'relu',
      name: 'conv1',
      kernelInitializer: tf.initializers.heNormal({ seed }),
    })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers
    .maxPooling2d({ poolSize: [1, o.poolBands], strides: [1, o.poolBands], name: 'fpool' })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers
    .conv2d({
      filters: o.conv2.maps,
      kernelSize: [o.conv2.frames, o.conv2.bands],
      activation: 'relu',
      name: 'conv2',
      kernelInitializer: tf.initializers.heNormal({ seed: seed + 10 }),
    })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: classifierHead(h, o, classes, seed), name: 'cnn_trad_fpool3' });
}

export function buildModel(kind: ModelKind, input: [number, number], classes: number, seed = 1): tf.LayersModel {
  return kind === 'freq'
    ? buildFreqModel(input, classes, FREQ_DEFAULTS, seed)
    : build2dModel(input, classes, TWO_D_DEFAULTS, seed);
}
