// Deep Dream on a photo with InceptionV3, following Keras' example (core's deepDream does the ascent):
// the layers to excite and their weights, checked against the network before any work starts.
import type * as tf from '@tensorflow/tfjs';
import { KERAS_DREAM_LAYERS, UsageError, deepDream, type FloatImage } from '@cnn-lab/core';

/** Keras' defaults: mixed4..mixed7 weighted 1/1.5/2/2.5, 3 octaves of 1.4, 20 steps of 0.01, at most 400 px. */
export const DREAM_DEFAULTS = {
  layers: KERAS_DREAM_LAYERS,
  octaves: 3,
  octaveScale: 1.4,
  steps: 20,
  stepSize: 0.01,
  maxSize: 400,
} as const;

export interface DreamSettings {
  layers: Readonly<Record<string, number>>;
  octaves: number;
  octaveScale: number;
  steps: number;
  stepSize: number;
}

export interface DreamStep {
  octave: number;
  step: number;
  loss: number;
  /** [height, width] of this octave. */
  size: [number, number];
}

/** Parses `mixed4:1,mixed5:1.5` (a bare name weighs 1); errors name the flag and the bad part. */
export function parseLayerWeights(text: string, flag = '--layers'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, w] = part.split(':');
    const weight = w === undefined ? 1 : Number(w);
    if (!name || !/^[A-Za-z0-9_]+$/.test(name) || !Number.isFinite(weight)) {
      throw new UsageError(`${flag}: '${part}' is not layer or layer:weight (e.g. mixed4:1,mixed5:1.5)`);
    }
    out[name] = weight;
  }
  if (Object.keys(out).length === 0) throw new UsageError(`${flag}: no layers given`);
  return out;
}

/** A UsageError naming `flag` when the network has no layer called `name`. */
export function requireLayer(model: tf.LayersModel, name: string, flag: string, hint = 'try mixed0..mixed10'): void {
  try {
    model.getLayer(name);
  } catch {
    throw new UsageError(`${flag}: InceptionV3 has no layer '${name}' (${hint})`);
  }
}

/** The dreamed photo and the loss after every step (it should grow: the layers fire harder). */
export async function dreamPhoto(
  model: tf.LayersModel,
  photo: FloatImage,
  settings: DreamSettings,
  onStep?: (step: DreamStep) => void,
): Promise<{ image: FloatImage; losses: number[] }> {
  for (const name of Object.keys(settings.layers)) requireLayer(model, name, '--layers');
  return deepDream(model, photo, {
    layers: { ...settings.layers },
    octaves: settings.octaves,
    octaveScale: settings.octaveScale,
    steps: settings.steps,
    stepSize: settings.stepSize,
    ...(onStep ? { onStep } : {}),
  });
}
