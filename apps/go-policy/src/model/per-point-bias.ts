// AlphaGo's per-point bias, the last layer of the policy network before the softmax. Registered for model.json
// loading and for core's gradient workers when this module is imported (the bottom line).
import { registerLayerClass } from '@cnn-lab/core';
import * as tf from '@tensorflow/tfjs';

/**
 * A trainable bias with one entry per position of its input (Maddison et al. 2015; Silver et al. 2016's
 * policy head: "a final 1x1 convolution layer with a different bias for each location"). A Dense layer
 * would add 361x361 weights; a conv bias is shared by every point. The input may be flat ([batch, n])
 * or spatial ([batch, h, w, c]); the bias has the input's per-example shape.
 */
export class PerPointBias extends tf.layers.Layer {
  static readonly className = 'PerPointBias';
  private bias: tf.LayerVariable | null = null;

  // `call` only adds a tensor of the input's shape, so masks pass through unchanged.
  override readonly supportsMasking = true;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const perExample = shape.slice(1);
    if (perExample.length === 0 || perExample.some((d) => d === null)) {
      throw new Error(
        `PerPointBias needs a fully known per-example input shape, got [${shape.map((d) => d ?? 'null').join(',')}]`,
      );
    }
    this.bias = this.addWeight('bias', perExample as number[], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!x || !this.bias) throw new Error('PerPointBias called before it was built');
      return tf.add(x, this.bias.read());
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getClassName(): string {
    return PerPointBias.className;
  }
}

/** `perPointBias()` adds a separate trainable bias at every position of its input. */
export function perPointBias(args: { name?: string; trainable?: boolean; inputShape?: tf.Shape } = {}): PerPointBias {
  return new PerPointBias(args);
}

registerLayerClass(PerPointBias, import.meta.url);
