import type * as tf from '@tensorflow/tfjs';
import { isEmbedding } from '../model/lean-embedding.js';
import { buildKimCnn, convName, KIM_DEFAULTS, type KimConfig, type Variant } from '../model/index.js';

// An experiment: a full-vocabulary model cut to its most frequent words afterwards. Training with --max-vocab
// gave the better small model (docs/experiments/text-cnn.md), so the shipped recipe does not use it.

/** Which of Kim's variants a network is, from its word-vector layers (rand and non-static have the same shape). */
export function variantOf(model: tf.LayersModel): Variant {
  if (model.layers.some((l) => l.name === 'embedding_static')) return 'multichannel';
  const table = model.layers.find((l) => isEmbedding(l));
  return table && !table.trainable ? 'static' : 'rand';
}

/** The shape of a trained Kim CNN, read off its layers (what buildKimCnn needs to make another like it). */
export function kimConfigOf(model: tf.LayersModel): KimConfig {
  const table = model.layers.find((l) => isEmbedding(l))?.getWeights()[0];
  if (!table || table.shape.length !== 2)
    throw new Error(`${model.name}: no word-vector table (an Embedding layer) found`);
  const windows = model.layers.flatMap((l) => {
    const m = /^conv_h(\d+)$/.exec(l.name);
    return m ? [Number(m[1])] : [];
  });
  if (windows.length === 0) throw new Error(`${model.name}: no conv_h<h> layers found`);
  const kernel = model.getLayer(convName(windows[0] as number)).getWeights()[0] as tf.Tensor;
  const classes = model.outputs[0]?.shape[1] ?? 0;
  return {
    ...KIM_DEFAULTS,
    vocabSize: table.shape[0],
    classes,
    variant: variantOf(model),
    embeddingDim: table.shape[1],
    windows,
    featureMaps: kernel.shape[2] as number,
  };
}

/**
 * The same trained network over the first `rows` words of its vocabulary: every word-vector table keeps its
 * first rows and the other words become <unk>. The vocabulary is most frequent first, so what goes is the
 * rare words, most of the table's bytes and little of the accuracy (measure it with eval).
 */
export function keepFirstRows(model: tf.LayersModel, rows: number): tf.LayersModel {
  const config = kimConfigOf(model);
  const { variant } = config;
  if (!(Number.isInteger(rows) && rows >= 2))
    throw new Error(`keepFirstRows: rows must be a whole number >= 2 (pad and unknown), got ${rows}`);
  if (rows >= config.vocabSize)
    throw new Error(`keepFirstRows: the model has ${config.vocabSize} words; asked to keep ${rows}`);
  // Pretrained tables are set below; buildKimCnn only wants some for variants other than rand.
  const placeholder = variant === 'rand' ? {} : { embeddings: new Float32Array(rows * config.embeddingDim) };
  const small = buildKimCnn({ ...config, ...placeholder, vocabSize: rows });
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const cut = isEmbedding(layer) ? weights.map((w) => w.slice([0, 0], [rows, config.embeddingDim])) : weights;
    small.getLayer(layer.name).setWeights(cut);
    if (cut !== weights) cut.forEach((w) => w.dispose());
  }
  return small;
}
