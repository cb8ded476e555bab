// Neural style transfer (Gatys et al. 2015): an image whose deep features match the content image and
// whose feature correlations (Gram matrices) match the style image, with a total-variation term for
// smoothness, found by Adam on the pixels starting from the content image.
import * as tf from '@tensorflow/tfjs';
import { fromBatch, toBatch } from './float-image.js';
import type { FloatImage } from './image.js';
import { layerOutputModel } from './layer-model.js';

export interface StyleTransferOptions {
  contentLayer: string;
  styleLayers: string[];
  contentWeight?: number;
  styleWeight?: number;
  tvWeight?: number;
  steps?: number;
  learningRate?: number;
  onStep?: (step: number, losses: StyleLosses) => void;
}

export interface StyleLosses {
  total: number;
  content: number;
  style: number;
  tv: number;
}

/** Channel correlations of a [1, h, w, c] feature map: F^T F / (h w), a c x c matrix blind to position. */
export function gramMatrix(features: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const [, h, w, c] = features.shape as number[];
    const f = features.reshape([h! * w!, c!]) as tf.Tensor2D;
    return tf.matMul(f, f, true, false).div(h! * w!) as tf.Tensor2D;
  });
}

/** Mean squared difference of neighbouring pixels: high for noise, low for smooth pictures. */
export function totalVariation(x: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const dy = x.slice([0, 1, 0, 0], [-1, h - 1, -1, -1]).sub(x.slice([0, 0, 0, 0], [-1, h - 1, -1, -1]));
    const dx = x.slice([0, 0, 1, 0], [-1, -1, w - 1, -1]).sub(x.slice([0, 0, 0, 0], [-1, -1, w - 1, -1]));
    return dy.square().mean().add(dx.square().mean()) as tf.Scalar;
  });
}

/**
 * Paints `content` in the style of `style` (both with pixels in [0, 1]; the style image is resized to
 * the content's size so both are seen at the same scale). The model must accept the content's size.
 */
export async function styleTransfer(
  model: tf.LayersModel,
  content: FloatImage,
  style: FloatImage,
  opts: StyleTransferOptions,
): Promise<{ image: FloatImage; losses: StyleLosses[] }> {
  const { contentLayer, styleLayers } = opts;
  if (styleLayers.length === 0) throw new RangeError('styleTransfer: no style layers given');
  const cw = opts.contentWeight ?? 1;
  const sw = opts.styleWeight ?? 100;
  const tw = opts.tvWeight ?? 10;
  // A layer may serve as both content and style layer: each is computed once.
  const names = [...new Set([contentLayer, ...styleLayers])];
  const features = layerOutputModel(model, names);
  const run = (x: tf.Tensor): tf.Tensor[] => {
    const out = features.apply(x);
    const byName = Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor];
    return [contentLayer, ...styleLayers].map((n) => byName[names.indexOf(n)]!);
  };

  const contentBatch = toBatch(content);
  const styleBatch = tf.tidy(() => tf.image.resizeBilinear(toBatch(style), [content.height, content.width]));
  const targetContent = tf.tidy(() => run(contentBatch)[0]!);
  const targetGrams = tf.tidy(() => run(styleBatch).slice(1).map(gramMatrix));

  const parts = (x: tf.Tensor4D) => {
    const out = run(x);
    const c = tf.mean(tf.squaredDifference(out[0]!, targetContent));
    const s = tf
      .addN(out.slice(1).map((f, i) => tf.mean(tf.squaredDifference(gramMatrix(f), targetGrams[i]!))))
      .div(styleLayers.length);
    const t = totalVariation(x);
    return { c, s, t, total: c.mul(cw).add(s.mul(sw)).add(t.mul(tw)) as tf.Scalar };
  };

  const image = tf.variable(contentBatch.clone(), true, undefined);
  const optimizer = tf.train.adam(opts.learningRate ?? 0.02);
  const losses: StyleLosses[] = [];
  const steps = opts.steps ?? 100;
  for (let step = 0; step < steps; step++) {
    let snapshot: tf.Tensor[] = [];
    optimizer.minimize(
      () => {
        const p = parts(image);
        snapshot = [tf.keep(p.c.clone()), tf.keep(p.s.clone()), tf.keep(p.t.clone())];
        return p.total;
      },
      false,
      [image],
    );
    tf.tidy(() => image.assign(tf.clipByValue(image, 0, 1)));
    const [c, s, t] = await Promise.all(snapshot.map(async (v) => (await v.data())[0]!));
    tf.dispose(snapshot);
    const entry = { content: c!, style: s!, tv: t!, total: cw * c! + sw * s! + tw * t! };
    losses.push(entry);
    opts.onStep?.(step, entry);
  }
  const result = await fromBatch(image);
  tf.dispose([contentBatch, styleBatch, targetContent, ...targetGrams, image]);
  optimizer.dispose();
  return { image: result, losses };
}
