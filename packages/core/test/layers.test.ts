import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { PerPointBias, perPointBias } from '../src/layers/index.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

function policyHead(): tf.LayersModel {
  const input = tf.input({ shape: [5, 5, 3] });
  const conv = tf.layers.conv2d({ filters: 1, kernelSize: 1, useBias: false }).apply(input) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(conv) as tf.SymbolicTensor;
  const biased = perPointBias({ name: 'point_bias' }).apply(flat) as tf.SymbolicTensor;
  const probs = tf.layers.activation({ activation: 'softmax' }).apply(biased) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probs });
}

describe('perPointBias', () => {
  it('adds one trainable bias per position, not one shared bias', () => {
    const model = policyHead();
    const layer = model.getLayer('point_bias');
    expect(layer).toBeInstanceOf(PerPointBias);
    expect(layer.trainableWeights.map((w) => w.shape)).toEqual([[25]]);
    const bias = tf.range(0, 25).div(10);
    layer.setWeights([bias]);
    const x = tf.zeros([2, 25]);
    const y = layer.apply(x) as tf.Tensor;
    expect(Array.from(y.dataSync().slice(25, 50))).toEqual(Array.from(bias.dataSync()));
  });

  it('survives model.toJSON -> modelFromJSON and a tfjs save/load round trip', async () => {
    const model = policyHead();
    const weights = model.getWeights().map((w) => tf.randomNormal(w.shape, 0, 1, 'float32', 7));
    model.setWeights(weights);
    const x = tf.randomNormal([3, 5, 5, 3], 0, 1, 'float32', 3);
    const expected = (model.predict(x) as tf.Tensor).dataSync();

    const topology = model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'];
    const fromJson = await tf.models.modelFromJSON({ modelTopology: topology } as tf.io.ModelJSON);
    fromJson.setWeights(model.getWeights());
    expect(fromJson.getLayer('point_bias')).toBeInstanceOf(PerPointBias);
    expect(Array.from((fromJson.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(expected));

    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    if (!artifacts) throw new Error('model.save produced nothing');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(expected));
  });

  it('rejects an input whose per-example shape is unknown', () => {
    const input = tf.input({ shape: [null, 4] as unknown as number[] });
    expect(() => perPointBias().apply(input)).toThrow(/fully known per-example input shape/);
  });
});
