// The model-randomisation sanity check for explanation maps (Adebayo et al. 2018, "Sanity Checks for
// Saliency Maps"): a map that explains the model must change when the model's learned weights are
// replaced by random ones; a map that stays the same explains the input (an edge detector would pass it
// off as an explanation). Tools for it: a copy of a model with some layers' weights randomised, and the
// Spearman rank correlation between two maps.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/random.js';

/**
 * A copy of `model` (same architecture, its own weights) in which the weights of the named layers are
 * redrawn at random: Gaussian with the mean and standard deviation of each original weight tensor, so the
 * scale stays and the learned structure goes. The other layers keep copies of their trained weights.
 */
export async function randomisedCopy(
  model: tf.LayersModel,
  layers: readonly string[],
  seed = 1,
): Promise<tf.LayersModel> {
  const names = new Set(model.layers.map((l) => l.name));
  for (const name of layers) {
    if (!names.has(name))
      throw new RangeError(`no layer '${name}' in the model; its layers are: ${[...names].join(', ')}`);
  }
  const copy = await tf.models.modelFromJSON({
    modelTopology: model.toJSON(undefined, false),
  });
  const rng = new Rng(seed);
  const randomise = new Set(layers);
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const target = copy.getLayer(layer.name);
    if (!randomise.has(layer.name)) {
      target.setWeights(weights.map((w) => w.clone()));
      continue;
    }
    const fresh = weights.map((w) => {
      const values = w.dataSync();
      let mean = 0;
      for (const v of values) mean += v;
      mean /= values.length || 1;
      let variance = 0;
      for (const v of values) variance += (v - mean) ** 2;
      const sd = Math.sqrt(variance / (values.length || 1));
      const drawn = new Float32Array(values.length);
      for (let i = 0; i < drawn.length; i++) drawn[i] = mean + sd * rng.normal();
      return tf.tensor(drawn, w.shape);
    });
    target.setWeights(fresh);
    fresh.forEach((t) => t.dispose());
  }
  return copy;
}

/** Ranks of `xs` (0-based), ties given their mean rank. */
export function ranks(xs: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: xs.length }, (_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const out = new Float64Array(xs.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]!] === xs[order[i]!]) j++;
    const mean = (i + j) / 2;
    for (let k = i; k <= j; k++) out[order[k]!] = mean;
    i = j + 1;
  }
  return out;
}

/** Spearman's rank correlation of two equally long series (NaN when either is constant). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`spearman: series of ${a.length} and ${b.length} values`);
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const ma = ra.reduce((s, v) => s + v, 0) / n;
  const mb = rb.reduce((s, v) => s + v, 0) / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (ra[i]! - ma) * (rb[i]! - mb);
    da += (ra[i]! - ma) ** 2;
    db += (rb[i]! - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}
