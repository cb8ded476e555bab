import * as tf from '@tensorflow/tfjs';

/** Class probabilities for many spectrograms, row-major [n, classes], run in batches to bound memory. */
export function predictProbs(
  model: tf.LayersModel,
  features: readonly Float32Array[],
  shape: [number, number],
  batchSize = 64,
): Float32Array {
  const classes = (model.outputShape as number[])[1] as number;
  const out = new Float32Array(features.length * classes);
  const per = shape[0] * shape[1];
  for (let s = 0; s < features.length; s += batchSize) {
    const chunk = features.slice(s, s + batchSize);
    const data = new Float32Array(chunk.length * per);
    chunk.forEach((f, k) => {
      if (f.length !== per)
        throw new RangeError(`spectrogram ${s + k} has ${f.length} values, the model expects ${shape[0]}x${shape[1]}`);
      data.set(f, k * per);
    });
    const probs = tf.tidy(() =>
      (model.predict(tf.tensor4d(data, [chunk.length, shape[0], shape[1], 1])) as tf.Tensor).dataSync(),
    );
    out.set(probs, s * classes);
  }
  return out;
}

/** Labels with their probabilities, most probable first. */
export function rankLabels(
  row: ArrayLike<number>,
  labels: readonly string[],
): Array<{ label: string; probability: number }> {
  return labels
    .map((label, i) => ({ label, probability: row[i] as number }))
    .sort((a, b) => b.probability - a.probability);
}
