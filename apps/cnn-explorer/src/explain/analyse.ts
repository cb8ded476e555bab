// Everything the page shows about one 28x28 digit: what the model says, what every layer computes, and
// which pixels and which places decided it (SmoothGrad saliency and Grad-CAM on the last conv layer).
import * as tf from '@tensorflow/tfjs';
import { gradCam, layerOutputModel, smoothGrad, type SmoothGradOptions } from '@cnn-lab/core';
import { MNIST_PIXELS, MNIST_SIDE } from '../mnist/digits.js';

/**
 * SmoothGrad as the page computes it: 32 noisy copies at 20% noise, squared (the paper's SmoothGrad-squared,
 * which quiets the background; squaring keeps the ranks, so the saliency sanity test holds for it as well).
 */
export const SALIENCY_SETTINGS: SmoothGradOptions = { samples: 32, noise: 0.2, magnitude: 'square', seed: 1 };

export type LayerKind = 'conv' | 'pool' | 'dense' | 'output';

export interface LayerActivation {
  name: string;
  kind: LayerKind;
  /** 1 x 1 for dense layers. */
  height: number;
  width: number;
  channels: number;
  /** height x width x channels values, channel last (as tf stores them). */
  values: Float32Array;
}

export interface DigitAnalysis {
  probabilities: number[];
  predicted: number;
  /** The class the saliency map and Grad-CAM explain. */
  target: number;
  layers: LayerActivation[];
  /** 28x28 SmoothGrad values scaled so that the 99th percentile is 1 (clipped). */
  saliency: Float32Array;
  /** Grad-CAM at the conv layer's resolution, scaled so that its largest value is 1 (all 0 when no place speaks for the class). */
  gradCam: { layer: string; height: number; width: number; map: Float32Array; onInput: Float32Array };
}

const KINDS: Record<string, LayerKind> = { Conv2D: 'conv', MaxPooling2D: 'pool', Dense: 'dense' };

/** The layers worth showing (everything but the input and flatten), with their kinds. */
export function shownLayers(model: tf.LayersModel): Array<{ name: string; kind: LayerKind }> {
  const out: Array<{ name: string; kind: LayerKind }> = [];
  model.layers.forEach((l, i) => {
    const kind = KINDS[l.getClassName()];
    if (kind) out.push({ name: l.name, kind: i === model.layers.length - 1 ? 'output' : kind });
  });
  return out;
}

/** The last convolution layer: the one Grad-CAM looks at. */
export function lastConvLayer(model: tf.LayersModel): string {
  const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D');
  if (convs.length === 0) throw new Error('the model has no Conv2D layer for Grad-CAM');
  return convs[convs.length - 1]!.name;
}

/**
 * Where each unit of a conv layer's map sits over the input: the input coordinate of unit 0's receptive
 * field centre and the distance between neighbouring units, from the kernels and strides of the layers up
 * to it (valid padding, as in the lecture's network).
 */
export function receptiveGeometry(model: tf.LayersModel, layer: string): { start: number; step: number } {
  let start = 0;
  let step = 1;
  for (const l of model.layers) {
    const cfg = l.getConfig() as {
      kernelSize?: number | number[];
      poolSize?: number | number[];
      strides?: number | number[];
      padding?: string;
    };
    const size = cfg.kernelSize ?? cfg.poolSize;
    if (size !== undefined) {
      const k = Array.isArray(size) ? size[0]! : size;
      const s =
        cfg.strides === undefined
          ? cfg.poolSize !== undefined
            ? k
            : 1
          : Array.isArray(cfg.strides)
            ? cfg.strides[0]!
            : cfg.strides;
      if (cfg.padding !== undefined && cfg.padding !== 'valid')
        throw new Error(`receptiveGeometry: layer '${l.name}' uses ${cfg.padding} padding; only valid is handled`);
      start += ((k - 1) / 2) * step;
      step *= s;
    }
    if (l.name === layer) return { start, step };
  }
  throw new RangeError(`no layer '${layer}' in the model`);
}

/** A layer-resolution map laid over the 28x28 input by bilinear interpolation between unit centres. */
export function mapOntoInput(
  map: Float32Array,
  height: number,
  width: number,
  geometry: { start: number; step: number },
): Float32Array {
  const out = new Float32Array(MNIST_PIXELS);
  // Pixel index v lies (v - start) / step units along the map (unit i is centred on pixel start + i * step).
  const at = (v: number, n: number) => Math.min(n - 1, Math.max(0, (v - geometry.start) / geometry.step));
  for (let y = 0; y < MNIST_SIDE; y++) {
    const fy = at(y, height);
    const y0 = Math.floor(fy);
    const y1 = Math.min(height - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < MNIST_SIDE; x++) {
      const fx = at(x, width);
      const x0 = Math.floor(fx);
      const x1 = Math.min(width - 1, x0 + 1);
      const tx = fx - x0;
      const top = map[y0 * width + x0]! * (1 - tx) + map[y0 * width + x1]! * tx;
      const bottom = map[y1 * width + x0]! * (1 - tx) + map[y1 * width + x1]! * tx;
      out[y * MNIST_SIDE + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

function scaleTo(values: Float32Array, top: number): Float32Array {
  return top > 0 ? values.map((v) => Math.min(1, v / top)) : new Float32Array(values.length);
}

function percentile(values: Float32Array, q: number): number {
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

const probeModels = new WeakMap<tf.LayersModel, tf.LayersModel>();

/** Prediction, every shown layer's activations, SmoothGrad and Grad-CAM for one 28x28 input (light on black). */
export async function analyseDigit(
  model: tf.LayersModel,
  image: Float32Array,
  opts: { target?: number; saliency?: SmoothGradOptions } = {},
): Promise<DigitAnalysis> {
  if (image.length !== MNIST_PIXELS)
    throw new RangeError(`analyseDigit: ${image.length} values; a digit is ${MNIST_PIXELS}`);
  const layers = shownLayers(model);
  let probe = probeModels.get(model);
  if (!probe) {
    probe = layerOutputModel(
      model,
      layers.map((l) => l.name),
    );
    probeModels.set(model, probe);
  }
  const outputs = tf.tidy(() => {
    const ys = probe.predict(tf.tensor4d(image, [1, MNIST_SIDE, MNIST_SIDE, 1]));
    return (Array.isArray(ys) ? ys : [ys]).map((t) => ({
      shape: t.shape.slice(1),
      values: t.dataSync() as Float32Array,
    }));
  });
  const activations: LayerActivation[] = layers.map((l, i) => {
    const { shape, values } = outputs[i]!;
    const [height, width, channels] = shape.length === 3 ? (shape as [number, number, number]) : [1, 1, shape[0]!];
    return { name: l.name, kind: l.kind, height, width, channels, values };
  });
  const probabilities = Array.from(activations[activations.length - 1]!.values);
  const predicted = probabilities.indexOf(Math.max(...probabilities));
  const target = opts.target ?? predicted;
  if (!(Number.isInteger(target) && target >= 0 && target < probabilities.length)) {
    throw new RangeError(`target class ${target} is not one of 0..${probabilities.length - 1}`);
  }
  const shape = [1, MNIST_SIDE, MNIST_SIDE, 1];
  const sal = await smoothGrad(model, image, shape, [target], opts.saliency ?? SALIENCY_SETTINGS);
  const convLayer = lastConvLayer(model);
  const cam = await gradCam(model, image, shape, [target], { layer: convLayer });
  const [, ch, cw] = cam.shape;
  const camMap = scaleTo(cam.maps, Math.max(...cam.maps));
  return {
    probabilities,
    predicted,
    target,
    layers: activations,
    saliency: scaleTo(sal.maps, percentile(sal.maps, 0.99)),
    gradCam: {
      layer: convLayer,
      height: ch,
      width: cw,
      map: camMap,
      onInput: mapOntoInput(camMap, ch, cw, receptiveGeometry(model, convLayer)),
    },
  };
}
