// text-cnn's word-vector table: tfjs's Embedding with a training step that does not copy the table. Registered for
// model.json loading and for core's gradient workers when this module is imported (the bottom line).
import { collectingRowsGathered, noteRowsGathered, registerLayerClass, tableGradient } from '@cnn-lab/core';
import * as tf from '@tensorflow/tfjs';

type EmbeddingArgs = Parameters<typeof tf.layers.embedding>[0];
type EmbeddingLayer = ReturnType<typeof tf.layers.embedding>;
type Kwargs = Parameters<EmbeddingLayer['call']>[1];

// tfjs exports the Embedding layer's factory, not its class; the class is what a subclass needs.
const Embedding = (
  Object.getPrototypeOf(tf.layers.embedding({ inputDim: 1, outputDim: 1 })) as { constructor: unknown }
).constructor as Omit<typeof tf.layers.Layer, 'prototype'> & (new (args: EmbeddingArgs) => EmbeddingLayer);

/**
 * A table's rows for a list of ids, with a gradient that keeps only the ids. tfjs's own gather gradient saves its
 * inputs for the backward pass, and on wasm saving is a copy: the whole table (20 MB for 17,000 words x 300) is
 * copied at every training step only for its shape to be read, and the dense gradient is then transposed into a
 * second 20 MB array. Here the gradient is the same scatter-add (rows x width, zero where no id points) built
 * straight from the saved ids; during a training step the ids are also noted for core's trainer, which then reads
 * the gradient's rows at those ids instead of scanning all of it.
 */
export function gatherRows(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const rows = table.shape[0];
  const name = table instanceof tf.Variable ? table.name : null;
  // In a training step, tell core's trainer which rows the gradient can touch (it then reads only those).
  if (name !== null && collectingRowsGathered()) noteRowsGathered(name, ids.dataSync() as Int32Array);
  const gather = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [t, i, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    save([i]);
    return {
      value: tf.gather(t, i),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const savedIds = saved[0] as tf.Tensor1D;
        // Where core's trainer reads the gradient by rows, only the gathered rows are written (tableGradient).
        return [tableGradient(dy as tf.Tensor2D, savedIds, rows, name), tf.zerosLike(savedIds)];
      },
    };
  });
  return gather(table, ids);
}

/**
 * tfjs's Embedding layer (same arguments, weights and masks) whose training step does not copy its table:
 * see `gatherRows`. Its outputs and gradients are the stock layer's, value for value.
 */
export class LeanEmbedding extends Embedding {
  static readonly className = 'LeanEmbedding';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const input = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!input) throw new Error(`${this.name}: called without an input`);
      const ids = input.dtype === 'int32' ? input : tf.cast(input, 'int32');
      const table = this.weights[0]?.read() as tf.Tensor2D | undefined;
      if (!table) throw new Error(`${this.name}: called before it was built`);
      const rows = gatherRows(table, tf.reshape<tf.Rank.R1>(ids, [ids.size]));
      return tf.reshape(rows, this.computeOutputShape(ids.shape) as number[]);
    });
  }
}

/** `leanEmbedding({ inputDim, outputDim, ... })`: tf.layers.embedding's arguments, a lighter training step. */
export function leanEmbedding(args: EmbeddingArgs): LeanEmbedding {
  return new LeanEmbedding(args);
}

/** Whether a layer is a word-vector table: tfjs's Embedding (as older saved models hold) or a LeanEmbedding. */
export function isEmbedding(layer: tf.layers.Layer): boolean {
  return layer instanceof Embedding;
}

registerLayerClass(LeanEmbedding, import.meta.url);
