// InceptionV3 as bundled by the nsfwjs package (Keras layer names, mixed0..mixed10), prepared for looking
// inside it: the package ships the weights as base64 strings in JS modules; cli.ts loads those modules
// and this module turns them into a model, folds the batch norms and frees the input size.
import * as tf from '@tensorflow/tfjs';
import { rebuildForInference } from '@cnn-lab/core';

/** The bundle's model.json: topology plus one weights group whose paths name the base64 shards. */
export interface BundledModelJson {
  modelTopology: object;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

/** The last layer Deep Dream and style transfer may use; the classifier head after it is cut off. */
export const INCEPTION_LAST_LAYER = 'mixed10';

/** Keras' Deep Dream layers and weights (keras.io deep_dream example). */
export const DREAM_LAYERS: Record<string, number> = { mixed4: 1.0, mixed5: 1.5, mixed6: 2.0, mixed7: 2.5 };

/**
 * Style from early and middle blocks (textures, strokes, colour), content from a middle block (layout
 * survives, exact pixels do not). Chosen by looking at the results; see the README.
 */
export const STYLE_LAYERS = ['activation_3', 'activation_5', 'mixed0', 'mixed2'];
export const CONTENT_LAYER = 'mixed3';

/** tfjs model artifacts from the bundle's JSON and its base64 shards (in the manifest's order). */
export function artifactsFromBundle(json: BundledModelJson, shards: Record<string, string>): tf.io.ModelArtifacts {
  const group = json.weightsManifest[0];
  if (!group || json.weightsManifest.length !== 1) throw new Error('nsfwjs InceptionV3 bundle: expected one weights group');
  const parts = group.paths.map((p) => {
    const b64 = shards[p];
    if (typeof b64 !== 'string') throw new Error(`nsfwjs InceptionV3 bundle: weight shard '${p}' is missing`);
    return Buffer.from(b64, 'base64');
  });
  const all = Buffer.concat(parts);
  return {
    modelTopology: json.modelTopology,
    weightSpecs: group.weights,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer,
  };
}

/** The network up to mixed10 with batch norms folded (tf.grad works on wasm) and any input size. */
export async function prepareInception(artifacts: tf.io.ModelArtifacts): Promise<tf.LayersModel> {
  const full = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  try {
    return await rebuildForInference(full, { inputShape: [null, null, 3], outputs: [INCEPTION_LAST_LAYER] });
  } finally {
    full.dispose();
  }
}

/** Parses `mixed4:1,mixed5:1.5` (a bare name weighs 1); errors name the flag and the bad part. */
export function parseLayerWeights(text: string, flag = '--layers'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, w] = part.split(':');
    const weight = w === undefined ? 1 : Number(w);
    if (!name || !/^[A-Za-z0-9_]+$/.test(name) || !Number.isFinite(weight)) {
      throw new Error(`${flag}: '${part}' is not layer or layer:weight (e.g. mixed4:1,mixed5:1.5)`);
    }
    out[name] = weight;
  }
  if (Object.keys(out).length === 0) throw new Error(`${flag}: no layers given`);
  return out;
}
