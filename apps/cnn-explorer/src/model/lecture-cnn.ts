// The lecture's Keras network for MNIST, layer for layer:
//   Conv2D(25, (3,3)) -> MaxPooling2D((2,2)) -> Conv2D(50, (3,3)) -> MaxPooling2D((2,2))
//   -> Flatten -> Dense(100, relu) -> Dense(10, softmax)
// The lecture's slides leave the conv activations unstated; ReLU is what makes filter pictures meaningful
// (a filter "fires" only for its pattern), so the convolutions use it too.
import * as tf from '@tensorflow/tfjs';

/** Layer names used throughout (visualize --layer, the report). */
export const LECTURE_LAYERS = {
  conv1: 'conv1',
  pool1: 'pool1',
  conv2: 'conv2',
  pool2: 'pool2',
  flatten: 'flatten',
  dense: 'dense100',
  output: 'output',
} as const;

export function buildLectureModel(seed = 1): tf.LayersModel {
  // Each layer's initialiser gets its own seed: the same --seed gives the same starting weights.
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 100 + k });
  const input = tf.input({ shape: [28, 28, 1], name: 'digit' });
  let x = tf.layers
    .conv2d({ name: LECTURE_LAYERS.conv1, filters: 25, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: LECTURE_LAYERS.pool1, poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ name: LECTURE_LAYERS.conv2, filters: 50, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: LECTURE_LAYERS.pool2, poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: LECTURE_LAYERS.flatten }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({ name: LECTURE_LAYERS.dense, units: 100, activation: 'relu', kernelInitializer: init(3) })
    .apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ name: LECTURE_LAYERS.output, units: 10, activation: 'softmax', kernelInitializer: init(4) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'lecture_mnist_cnn' });
}

export interface LayerRow {
  name: string;
  kind: string;
  /** Output shape without the batch dimension, e.g. [26, 26, 25]. */
  shape: number[];
  params: number;
  /** What a dense layer producing the same number of outputs from the same inputs would need. */
  denseParams: number;
}

const size = (shape: readonly (number | null)[]) => shape.reduce<number>((a, d) => a * (d ?? 1), 1);

/**
 * Shape and parameter count after each layer, beside a fully connected net of the same widths: every
 * conv layer replaced by a dense layer with as many inputs and outputs. The gap is the lecture's point:
 * a conv layer shares one small filter across all positions.
 */
export function describeLayers(model: tf.LayersModel): LayerRow[] {
  return model.layers
    .filter((l) => l.getClassName() !== 'InputLayer')
    .map((layer) => {
      const outShape = (layer.outputShape as (number | null)[]).slice(1) as number[];
      const inShape = (layer.inputSpec?.[0]?.shape ?? (layer.input as tf.SymbolicTensor).shape).slice(1);
      const params = layer.countParams();
      const trainable = params > 0;
      const nIn = size(inShape);
      const nOut = size(outShape);
      return {
        name: layer.name,
        kind: layer.getClassName(),
        shape: outShape,
        params,
        denseParams: trainable ? nIn * nOut + nOut : 0,
      };
    });
}

/** The table describeLayers returns, as text for the terminal and the report. */
export function formatLayerTable(rows: LayerRow[]): string {
  const head = ['layer', 'kind', 'output shape', 'params', 'fully connected'];
  const body = rows.map((r) => [
    r.name,
    r.kind,
    r.shape.join('x'),
    r.params.toLocaleString('en'),
    r.denseParams.toLocaleString('en'),
  ]);
  const total = [
    'total',
    '',
    '',
    sum(rows.map((r) => r.params)).toLocaleString('en'),
    sum(rows.map((r) => r.denseParams)).toLocaleString('en'),
  ];
  const all = [head, ...body, total];
  const widths = head.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  return all
    .map((row) => row.map((cell, c) => (c >= 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  '))
    .join('\n');
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
