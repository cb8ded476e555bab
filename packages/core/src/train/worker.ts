// A gradient worker: its own tfjs with a single-threaded backend, a replica of the model rebuilt from
// JSON (custom layers come from core's registry), and gradients for the shard of each batch it is sent.
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/index.js';
import '../layers/index.js';
import { classCount, ownedValues } from './batch.js';
import { computeGradients } from './gradients.js';
import type { FromWorker, InitMessage, StepMessage, ToWorker } from './protocol.js';

let model: tf.LayersModel | null = null;
let classes = 0;

async function init(msg: InitMessage): Promise<FromWorker> {
  // initBackend also registers core's wasm training kernels in this thread's tfjs.
  const backend = await initBackend({ backend: msg.backend, quiet: true });
  const topology = JSON.parse(msg.topology) as tf.io.ModelJSON['modelTopology'];
  model = await tf.models.modelFromJSON({ modelTopology: topology } as tf.io.ModelJSON);
  classes = classCount(model);
  return { type: 'ready', backend };
}

function step(msg: StepMessage): { reply: FromWorker; transfer: ArrayBuffer[] } {
  if (!model) throw new Error('worker got a step before init');
  const m = model;
  const weights = m.weights;
  if (msg.weights.length !== weights.length) throw new Error(`worker got ${msg.weights.length} weights, model has ${weights.length}`);
  tf.tidy(() => {
    weights.forEach((w, i) => {
      const values = msg.weights[i];
      if (values) (w.read() as tf.Variable).assign(tf.tensor(values, w.shape as number[]));
    });
  });
  const result = computeGradients(m, { xs: { data: msg.xs, shape: msg.xsShape }, ys: msg.ys }, classes, msg.seed);
  const grads = result.grads.map((g) => ownedValues(g));
  result.grads.forEach((g) => g.dispose());
  const state = m.nonTrainableWeights.map((w) => ownedValues(w.read()));
  const owned = [...grads, ...state];
  const reply: FromWorker = {
    type: 'result',
    id: msg.id,
    loss: result.loss,
    correct: result.correct,
    count: result.count,
    grads: owned.slice(0, grads.length),
    state: owned.slice(grads.length),
  };
  return { reply, transfer: owned.map((a) => a.buffer as ArrayBuffer) };
}

const port = parentPort;
if (port) {
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'close') {
      port.close();
      return;
    }
    if (msg.type === 'init') {
      init(msg).then(
        (reply) => port.postMessage(reply),
        (err: unknown) => port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
      );
      return;
    }
    try {
      const { reply, transfer } = step(msg);
      port.postMessage(reply, transfer);
    } catch (err) {
      port.postMessage({ type: 'error', id: msg.id, message: err instanceof Error ? err.message : String(err) });
    }
  });
}
