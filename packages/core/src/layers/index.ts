// Custom layers live in core so that a worker thread or a loaded model.json can rebuild any app's model:
// tfjs resolves a layer's `className` through a registry, and registering is the one thing done at import.
import * as tf from '@tensorflow/tfjs';
import { PerPointBias, perPointBias } from './per-point-bias.js';

tf.serialization.registerClass(PerPointBias);

export { PerPointBias, perPointBias };
