// Activation maximisation: the picture x* = argmax_x a(x) that a unit of a trained network responds to
// most, found by gradient ascent on the input (Erhan et al. 2009; Keras' "visualizing what convnets learn").
// Works for any tf.LayersModel and any layer: a conv layer's unit is a filter (a = the sum of its output
// map), a dense layer's unit is a neuron, the output layer's unit is a class score y_i.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/random.js';
import { regularise, type Regularisers } from './regularise.js';
import { layerOutputModel, withoutActivation } from './layer-model.js';

export interface MaximiseOptions extends Regularisers {
  /** Layer whose units are maximised. */
  layer: string;
  /** Which units (filter, neuron or class indices): one picture each. */
  units: readonly number[];
  /** Gradient-ascent steps (default 100). */
  steps?: number;
  /** Step length after l2 (RMS) normalising each gradient, in input units (default 0.02). */
  stepSize?: number;
  /** Start from a grey image (default) or grey plus uniform noise. */
  start?: 'grey' | 'noise';
  /** The grey value and the noise amplitude around it (defaults 0.5 and 0.1, for inputs in [0, 1]). */
  grey?: number;
  noise?: number;
  /**
   * Maximise the unit before its activation function (default true). A ReLU unit that is off at the
   * start image has zero gradient and would never move; a softmax output can grow only by pushing the
   * other classes down, which is not the picture of this class that the lecture asks for.
   */
  preActivation?: boolean;
  /** L1 prior: maximise a(x) - l1 * sum |x| (default 0), so that only pixels that matter light up. */
  l1?: number;
  seed?: number;
  /** Called after each step with the mean objective over the pictures. */
  onStep?: (step: number, meanScore: number) => void;
}

export interface MaximiseResult {
  /** units.length pictures, each of the model's input shape, back to back. */
  images: Float32Array;
  /** [units.length, ...input shape]. */
  shape: number[];
  /** Each unit's activation a(x) (no prior) at the start picture and at the result. */
  initialScores: Float32Array;
  finalScores: Float32Array;
}

/**
 * a(x) per example: example i's score is unit units[i] of the layer output, summed over positions for a
 * conv map ([b, h, w, c] -> sum over h, w of channel units[i]).
 */
export function unitScores(output: tf.Tensor, units: readonly number[]): tf.Tensor1D {
  return tf.tidy(() => {
    const channels = output.shape[output.shape.length - 1]!;
    for (const u of units) {
      if (!Number.isInteger(u) || u < 0 || u >= channels)
        throw new RangeError(`unit ${u} out of range 0..${channels - 1}`);
    }
    const mask = tf.oneHot(tf.tensor1d(units as number[], 'int32'), channels).toFloat();
    const shaped = mask.reshape([units.length, ...output.shape.slice(1, -1).map(() => 1), channels]);
    const axes = output.shape.slice(1).map((_, i) => i + 1);
    return tf.sum(tf.mul(output, shaped), axes) as tf.Tensor1D;
  });
}

function startImages(shape: number[], opts: MaximiseOptions): tf.Tensor {
  const grey = opts.grey ?? 0.5;
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(grey);
  if ((opts.start ?? 'grey') === 'noise') {
    const amp = opts.noise ?? 0.1;
    const rng = new Rng(opts.seed ?? 1);
    for (let i = 0; i < data.length; i++) data[i] = grey + rng.uniform(-amp, amp);
  }
  return tf.tensor(data, shape);
}

/** Finds one picture per unit that maximises it; all units of a call are optimised together as one batch. */
export async function maximiseActivation(model: tf.LayersModel, opts: MaximiseOptions): Promise<MaximiseResult> {
  const steps = opts.steps ?? 100;
  const stepSize = opts.stepSize ?? 0.02;
  const l1 = opts.l1 ?? 0;
  if (opts.units.length === 0) throw new RangeError('maximiseActivation: no units given');
  const inputShape = model.inputs[0]!.shape.slice(1);
  if (inputShape.some((d) => d == null)) throw new Error('maximiseActivation: the model input needs a fixed size');
  const shape = [opts.units.length, ...(inputShape as number[])];
  const sub = layerOutputModel(model, [opts.layer]);
  const layer = model.getLayer(opts.layer);
  const units = opts.units;

  const scoresOf = (x: tf.Tensor): tf.Tensor1D =>
    withoutActivation(layer, opts.preActivation ?? true, () => unitScores(sub.apply(x) as tf.Tensor, units));
  const objective = (x: tf.Tensor): tf.Scalar =>
    tf.tidy(() => {
      const a = scoresOf(x).sum();
      return (l1 > 0 ? a.sub(tf.abs(x).sum().mul(l1)) : a) as tf.Scalar;
    });
  const grad = tf.grad((x: tf.Tensor) => objective(x));
  const rng = new Rng((opts.seed ?? 1) + 7919);

  let x = startImages(shape, opts);
  const initialScores = (await tf.tidy(() => scoresOf(x)).data()) as Float32Array;
  for (let step = 0; step < steps; step++) {
    const next = tf.tidy(() => {
      const g = grad(x);
      // Per-picture RMS normalisation: every unit moves at the same pace, whatever its scale.
      const axes = g.shape.slice(1).map((_, i) => i + 1);
      const rms = tf.sqrt(tf.mean(tf.square(g), axes, true)).add(1e-5);
      return tf.add(x, g.div(rms).mul(stepSize));
    });
    x.dispose();
    x = regularise(next, step, opts, rng);
    if (opts.onStep) {
      const s = tf.tidy(() => scoresOf(x).mean());
      opts.onStep(step + 1, (await s.data())[0]!);
      s.dispose();
    }
  }
  const finalScores = (await tf.tidy(() => scoresOf(x)).data()) as Float32Array;
  const images = (await x.data()) as Float32Array;
  x.dispose();
  return { images, shape, initialScores, finalScores };
}
