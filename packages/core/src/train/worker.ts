// A gradient worker: its own tfjs with a single-threaded backend, a replica of the model rebuilt from
// JSON (custom layers come from the modules the app registered, see worker-modules.ts), and gradients for the
// shard of each batch it is sent.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/index.js';
import { classCount } from './batch.js';
import { computeGradients } from './gradients.js';
import type { FromWorker, InitMessage, StepMessage, ToWorker } from './protocol.js';
import { writeRows } from './rows.js';
import { resultBuffers, shardResult } from './shard-result.js';

let model: tf.LayersModel | null = null;
let classes = 0;
/** Which of `model.trainableWeights` are row tables: their gradients go back as non-zero rows only. */
let rowTrainable: boolean[] = [];
let rowNames: ReadonlySet<string> = new Set();

let tsxRegistered = false;

/**
 * Imports a layer module. Apps run from TypeScript under tsx, whose loader a worker may not inherit (Node 20 does
 * not apply --import to a worker's entry): a .ts module that Node cannot load makes the worker register tsx's
 * loader, found from the module's own folder, and try again.
 */
async function importModule(url: string): Promise<void> {
  try {
    await import(url);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (tsxRegistered || code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    const tsxDir = dirname(createRequire(url).resolve('tsx/package.json'));
    const api = (await import(pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href)) as {
      register: () => unknown;
    };
    api.register();
    tsxRegistered = true;
    // Node keeps a failed import of a URL failed; the same file under another URL is loaded afresh.
    const again = new URL(url);
    again.searchParams.set('cnn-lab-worker', '1');
    await import(again.href);
  }
}

async function init(msg: InitMessage): Promise<FromWorker> {
  // initBackend also registers core's wasm training kernels in this thread's tfjs.
  const backend = await initBackend({ backend: msg.backend, quiet: true });
  for (const url of msg.modules) {
    try {
      await importModule(url);
    } catch (err) {
      throw new Error(`cannot import the layer module ${url}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const topology = JSON.parse(msg.topology) as tf.io.ModelJSON['modelTopology'];
  try {
    model = await tf.models.modelFromJSON({ modelTopology: topology });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      /Unknown layer/.test(why)
        ? `${why} (register the layer's module for workers: registerLayerClass(Layer, import.meta.url) in the module that defines it)`
        : why,
    );
  }
  classes = classCount(model);
  const m = model;
  const tables = new Set(msg.rowTables.map((i) => m.weights[i]));
  rowTrainable = m.trainableWeights.map((w) => tables.has(w));
  // shardResult reads these tables' gradients at the gathered rows only.
  rowNames = new Set(m.trainableWeights.filter((w) => tables.has(w)).map((w) => (w.read() as tf.Variable).name));
  return { type: 'ready', backend };
}

function step(msg: StepMessage): { reply: FromWorker; transfer: ArrayBuffer[] } {
  if (!model) throw new Error('worker got a step before init');
  const m = model;
  const weights = m.weights;
  if (msg.weights.length !== weights.length)
    throw new Error(`worker got ${msg.weights.length} weights, model has ${weights.length}`);
  weights.forEach((w, i) => {
    const values = msg.weights[i];
    const variable = w.read() as tf.Variable;
    if (values instanceof Float32Array) tf.tidy(() => variable.assign(tf.tensor(values, w.shape as number[])));
    else if (values) writeRows(variable, values);
  });
  const result = computeGradients(
    m,
    { xs: { data: msg.xs, shape: msg.xsShape }, ys: msg.ys },
    classes,
    msg.seed,
    rowNames,
  );
  const reply = shardResult(m, result, rowTrainable, msg.id);
  return { reply, transfer: resultBuffers(reply) };
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
        (err: unknown) =>
          port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
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
