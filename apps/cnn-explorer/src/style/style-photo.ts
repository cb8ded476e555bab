// Style transfer with InceptionV3 (core's styleTransfer does the optimisation): which layers carry the
// content and the style, and the weights, checked against the network before any work starts.
import type * as tf from '@tensorflow/tfjs';
import { styleTransfer, type FloatImage, type StyleLosses } from '@cnn-lab/core';
import { requireLayer } from '../dream/dream-photo.js';

/**
 * Style from early and middle blocks (textures, strokes, colour), content from a middle block (layout
 * survives, exact pixels do not). Chosen by looking at the results (docs/experiments/cnn-explorer.md).
 */
export const STYLE_LAYERS: readonly string[] = ['activation_3', 'activation_5', 'mixed0', 'mixed2'];
export const CONTENT_LAYER = 'mixed3';

export const STYLE_DEFAULTS = {
  steps: 100,
  maxSize: 256,
  learningRate: 0.02,
  contentWeight: 1,
  styleWeight: 100,
  tvWeight: 10,
  contentLayer: CONTENT_LAYER,
  styleLayers: STYLE_LAYERS,
} as const;

export interface StyleSettings {
  contentLayer: string;
  styleLayers: readonly string[];
  contentWeight: number;
  styleWeight: number;
  tvWeight: number;
  steps: number;
  learningRate: number;
}

/** `content` painted in the style of `style`, and the losses after every Adam step. */
export async function stylePhoto(
  model: tf.LayersModel,
  content: FloatImage,
  style: FloatImage,
  settings: StyleSettings,
  onStep?: (step: number, losses: StyleLosses) => void,
): Promise<{ image: FloatImage; losses: StyleLosses[] }> {
  const hint = 'e.g. activation_3, mixed0..mixed10';
  requireLayer(model, settings.contentLayer, '--content-layer', hint);
  for (const name of settings.styleLayers) requireLayer(model, name, '--style-layers', hint);
  return styleTransfer(model, content, style, {
    contentLayer: settings.contentLayer,
    styleLayers: [...settings.styleLayers],
    contentWeight: settings.contentWeight,
    styleWeight: settings.styleWeight,
    tvWeight: settings.tvWeight,
    steps: settings.steps,
    learningRate: settings.learningRate,
    ...(onStep ? { onStep } : {}),
  });
}
