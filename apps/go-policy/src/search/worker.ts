// A search worker thread: loads the network and the rollout policy once, keeps its own tree between
// searches (so a game's moves reuse it), and answers one search at a time (see searcher.ts).
import { parentPort } from 'node:worker_threads';
import { initBackend } from '@cnn-lab/core';
import type { FeatureSetName } from '../features/index.js';
import { loadPolicyModel } from '../model/load.js';
import { RolloutTables } from '../rollout/policy.js';
import { tfNetEvaluator } from './net.js';
import { boardFrom } from './position.js';
import { Search, type SharedRoot } from './search.js';
import type { FromWorker, ToWorker } from './searcher.js';

const port = parentPort;
if (!port) throw new Error('search/worker.ts must run in a worker thread');
let search: Search | null = null;
let stop: Int32Array | null = null;
let shared: SharedRoot | undefined;

const send = (m: FromWorker): void => {
  if (m.type === 'result') {
    port.postMessage(m, [m.result.ownership.buffer as ArrayBuffer]);
  } else port.postMessage(m);
};

port.on('message', (m: ToWorker) => {
  void handle(m).catch((err: unknown) =>
    send({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
});

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init': {
      stop = new Int32Array(m.stopFlag);
      const flag = stop;
      if (m.threads > 1) {
        shared = {
          visits: new Int32Array(m.rootShare),
          row: m.row,
          threads: m.threads,
          stopAll: () => Atomics.store(flag, 0, 1),
        };
      }
      let net = null;
      let featureSet: FeatureSetName = 'alphago';
      if (m.modelDir !== null) {
        await initBackend({ backend: m.backend, quiet: true });
        const { model, meta } = await loadPolicyModel(m.modelDir);
        net = tfNetEvaluator(model, meta.planes);
        featureSet = meta.featureSet;
        // Warm up: the first forward pass compiles the kernels; do it before the first move's clock starts.
        net(new Float32Array(361 * meta.planes), 1);
      }
      search = new Search(new RolloutTables(m.weights), net, featureSet, m.options);
      send({ type: 'ready' });
      return;
    }
    case 'search': {
      if (!search || !stop) throw new Error('search before init');
      const flag = stop;
      search.setPosition(boardFrom(m.position));
      const result = search.run({ ...m.budget, stop: () => Atomics.load(flag, 0) === 1, shared });
      send({ type: 'result', id: m.id, result });
      return;
    }
    case 'komi':
      search?.setKomi(m.komi);
      return;
    case 'clear':
      search?.reset();
      return;
  }
}
