import { resolve } from 'node:path';
import { createTrainer, initBackend, loadModel, withSeed, type ArrayBatch } from '@cnn-lab/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PerPointBias, perPointBias } from '../src/model/per-point-bias.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
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
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    if (!artifacts) throw new Error('model.save produced nothing');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(expected));
  });

  it('rejects an input whose per-example shape is unknown', () => {
    const input = tf.input({ shape: [null, 4] as unknown as number[] });
    expect(() => perPointBias().apply(input)).toThrow(/fully known per-example input shape/);
  });
});

describe('perPointBias in use', () => {
  it('loads the shipped model, whose model.json names PerPointBias', async () => {
    const { model } = await loadModel(resolve(import.meta.dirname, '..', 'models', 'default'));
    expect(model.layers.some((l) => l instanceof PerPointBias)).toBe(true);
    model.dispose();
  });

  it('trains in 2 gradient workers (they import this layer module) as in one thread', async () => {
    const net = () =>
      withSeed(5, () => {
        const input = tf.input({ shape: [4, 4, 2] });
        let x = tf.layers
          .conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' })
          .apply(input) as tf.SymbolicTensor;
        x = tf.layers.conv2d({ filters: 1, kernelSize: 1, useBias: false }).apply(x) as tf.SymbolicTensor;
        x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
        x = perPointBias().apply(x) as tf.SymbolicTensor;
        return tf.model({
          inputs: input,
          outputs: tf.layers.activation({ activation: 'softmax' }).apply(x) as tf.SymbolicTensor,
        });
      });
    const batches: ArrayBatch[] = [1, 2, 3, 4].map((k) => {
      const data = Float32Array.from({ length: 9 * 32 }, (_, i) => Math.sin(i * k));
      return { xs: { data, shape: [9, 4, 4, 2] }, ys: Int32Array.from({ length: 9 }, (_, i) => (i * k) % 16) };
    });
    const run = async (workers: number) => {
      const model = net();
      const trainer = await createTrainer(model, {
        optimizer: { name: 'adam', learningRate: 0.01 },
        workers,
        onFallback: (why) => {
          throw new Error(why);
        },
      });
      try {
        expect(trainer.workers).toBe(workers);
        const losses: number[] = [];
        for (const b of batches) losses.push((await trainer.step(b)).loss);
        const bias = model.layers
          .find((l) => l instanceof PerPointBias)
          ?.getWeights()[0]
          ?.dataSync();
        return { losses, bias: Array.from(bias ?? []) };
      } finally {
        await trainer.dispose();
      }
    };
    const one = await run(1);
    const two = await run(2);
    two.losses.forEach((l, i) => expect(l).toBeCloseTo(one.losses[i] as number, 4));
    expect(two.bias.some((b) => b !== 0)).toBe(true);
    two.bias.forEach((b, i) => expect(b).toBeCloseTo(one.bias[i] as number, 4));
  });
});
