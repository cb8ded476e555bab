// Grad-CAM (Selvaraju et al. 2017): where in the picture a conv layer saw the evidence for a class. The
// class score's gradient with respect to the layer's feature maps, averaged over positions, weighs each
// map; the weighted sum, through a ReLU, is a coarse heat map at the layer's resolution.
import * as tf from '@tensorflow/tfjs';
import { unitScores } from './maximise.js';
import { withoutActivation } from './layer-model.js';

export interface GradCamResult {
  /** n maps of h x w (the layer's resolution), back to back, >= 0. */
  maps: Float32Array;
  shape: [number, number, number];
  /** Each map's channel weights (n x channels): the mean gradient of the class score per feature map. */
  weights: Float32Array;
}

interface NodeLike {
  inboundLayers: tf.layers.Layer[];
}

/**
 * A chain model (each layer fed by the one before it only, as a Sequential or the lecture's functional
 * net) cut after `layer`: `head` maps the input to that layer's output, `tail` the rest of the way.
 * Throws a RangeError naming the layer for unknown layers and for models that branch.
 */
export function splitChain(
  model: tf.LayersModel,
  layer: string,
): { head: (x: tf.Tensor) => tf.Tensor; tail: (a: tf.Tensor) => tf.Tensor } {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const at = layers.findIndex((l) => l.name === layer);
  if (at < 0) {
    throw new RangeError(`no layer '${layer}' in the model; its layers are: ${layers.map((l) => l.name).join(', ')}`);
  }
  for (let i = 1; i < layers.length; i++) {
    const nodes = (layers[i] as unknown as { inboundNodes: NodeLike[] }).inboundNodes;
    const from = nodes.length === 1 ? nodes[0]!.inboundLayers : [];
    if (from.length !== 1 || from[0] !== layers[i - 1]) {
      throw new RangeError(
        `splitChain: layer '${layers[i]!.name}' is not fed by '${layers[i - 1]!.name}' alone; the model is not a chain`,
      );
    }
  }
  const run = (from: number, to: number) => (x: tf.Tensor) => {
    let y = x;
    for (let i = from; i < to; i++) y = layers[i]!.apply(y) as tf.Tensor;
    return y;
  };
  return { head: run(0, at + 1), tail: run(at + 1, layers.length) };
}

/**
 * One Grad-CAM map per image (`images` [n, h, w, c] back to back) for the class beside it, on the conv
 * layer `layer` (usually the last one). The class score is taken before the output's softmax by default.
 */
export async function gradCam(
  model: tf.LayersModel,
  images: Float32Array,
  shape: readonly number[],
  classes: readonly number[],
  opts: { layer: string; preActivation?: boolean },
): Promise<GradCamResult> {
  const [n, h, w, c] = shape;
  if (shape.length !== 4 || n === undefined || h === undefined || w === undefined || c === undefined) {
    throw new RangeError(`gradCam: shape must be [n, h, w, c], got [${shape.join(', ')}]`);
  }
  if (images.length !== n * h * w * c)
    throw new RangeError(`gradCam: ${images.length} values do not fill [${shape.join(', ')}]`);
  if (classes.length !== n) throw new RangeError(`gradCam: ${classes.length} classes for ${n} images`);
  const { head, tail } = splitChain(model, opts.layer);
  const last = model.layers[model.layers.length - 1]!;
  const grad = tf.grad((a: tf.Tensor) =>
    withoutActivation(last, opts.preActivation ?? true, () => unitScores(tail(a), classes).sum()),
  );
  const [cam, weights] = tf.tidy((): [tf.Tensor, tf.Tensor] => {
    const a = head(tf.tensor4d(images, [n, h, w, c]));
    if (a.rank !== 4)
      throw new RangeError(
        `gradCam: layer '${opts.layer}' gives rank-${a.rank} output; a conv layer's is [n, h, w, channels]`,
      );
    const alpha = tf.mean(grad(a), [1, 2], true); // [n, 1, 1, k]
    return [tf.relu(tf.sum(tf.mul(a, alpha), 3)), alpha.reshape([n, -1])];
  });
  const [mh, mw] = cam.shape.slice(1) as [number, number];
  const maps = (await cam.data()) as Float32Array;
  const weightData = (await weights.data()) as Float32Array;
  cam.dispose();
  weights.dispose();
  return { maps, shape: [n, mh, mw], weights: weightData };
}
