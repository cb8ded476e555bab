// Custom layers live in core so that a worker thread or a loaded model.json can rebuild any app's model:
// tfjs resolves a layer's `className` through a registry, and registering is the one thing done at import.
import * as tf from '@tensorflow/tfjs';
import { gatherRows, isEmbedding, LeanEmbedding, leanEmbedding } from './lean-embedding.js';
import { PerPointBias, perPointBias } from './per-point-bias.js';

tf.serialization.registerClass(PerPointBias);
tf.serialization.registerClass(LeanEmbedding);

export { gatherRows, isEmbedding, LeanEmbedding, leanEmbedding, PerPointBias, perPointBias };
