// Looking inside a trained model: a model that stops at chosen layers, and a unit before its activation.
import * as tf from '@tensorflow/tfjs';

/** A model from the same inputs to the outputs of the named layers (weights shared, not copied). */
export function layerOutputModel(model: tf.LayersModel, layers: readonly string[]): tf.LayersModel {
  const outputs = layers.map((name) => {
    let layer: tf.layers.Layer;
    try {
      layer = model.getLayer(name);
    } catch {
      const names = model.layers.map((l) => l.name);
      throw new RangeError(`no layer '${name}' in the model; its layers are: ${names.join(', ')}`);
    }
    return layer.output as tf.SymbolicTensor;
  });
  return tf.model({ inputs: model.inputs, outputs: outputs.length === 1 ? outputs[0]! : outputs });
}

interface WithActivation {
  activation?: { apply: (x: tf.Tensor) => tf.Tensor };
}

/** Identity in place of a layer's activation (the layer classes read `this.activation` at call time). */
const LINEAR = { apply: (x: tf.Tensor) => x, getClassName: () => 'linear', getConfig: () => ({}) };

/**
 * Runs `fn` with the layer's activation function switched off, so `fn` sees pre-activation values (a
 * class's logit instead of its softmax probability). Layers without an activation run unchanged.
 */
export function withoutActivation<T>(layer: tf.layers.Layer, enabled: boolean, fn: () => T): T {
  const l = layer as unknown as WithActivation;
  if (!enabled || l.activation === undefined) return fn();
  const saved = l.activation;
  l.activation = LINEAR;
  try {
    return fn();
  } finally {
    l.activation = saved;
  }
}
