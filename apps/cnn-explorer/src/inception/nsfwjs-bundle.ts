// InceptionV3 as bundled by the nsfwjs package (Keras layer names, mixed0..mixed10), prepared for looking
// inside it: the package ships the weights as base64 strings in JS modules; load.ts reads those modules
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

/** tfjs model artifacts from the bundle's JSON and its base64 shards (in the manifest's order). */
export function artifactsFromBundle(json: BundledModelJson, shards: Record<string, string>): tf.io.ModelArtifacts {
  const group = json.weightsManifest[0];
  if (!group || json.weightsManifest.length !== 1)
    throw new Error('nsfwjs InceptionV3 bundle: expected one weights group');
  const parts = group.paths.map((p) => {
    const b64 = shards[p];
    if (typeof b64 !== 'string') throw new Error(`nsfwjs InceptionV3 bundle: weight shard '${p}' is missing`);
    return Buffer.from(b64, 'base64');
  });
  const all = Buffer.concat(parts);
  return {
    modelTopology: json.modelTopology,
    weightSpecs: group.weights,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
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
