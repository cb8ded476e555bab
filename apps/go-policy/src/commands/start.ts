// `start`: the web page on this machine: play the search or the network, see the policy as a heat map,
// count the end with dead stones, replay an SGF.
import {
  assertPortFree,
  listenError,
  parseIntIn,
  resolveUserPath,
  runAction,
  withCommonOptions,
  type CommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { PLAYING_MODEL_NAME, loadPolicyModel } from '../model/load.js';
import { networkPolicy } from '../model/predict.js';
import { loadRollout } from '../rollout/policy.js';
import { WorkerSearcher } from '../search/searcher.js';
import { modelLabel } from '../web/routes.js';
import { createWebServer } from '../web/server.js';
import { rolloutDir } from './play-options.js';

interface StartOptions extends CommonOptions {
  port: number;
  host: string;
  search: boolean;
  threads: number;
  rollout?: string;
}

export function registerStart(program: Command): void {
  const cmd = program
    .command('start')
    .description(
      'a local web page: play the search or the network, see its policy as a heat map, count the end, replay an SGF',
    );
  withCommonOptions(cmd, ['modelDir', 'backend', 'json']);
  cmd
    .option('--port <n>', 'port on 127.0.0.1 (0: any free port)', parseIntIn(0, 65535), 8080)
    .option('--host <address>', 'address to bind (default 127.0.0.1: this machine only)', '127.0.0.1')
    .option('--threads <n>', 'search threads', parseIntIn(1, 64), 2)
    .option(
      '--rollout <dir>',
      "the folder with rollout.json (default: the model folder's, else the shipped one)",
      (v: string) => resolveUserPath(v),
    )
    .option('--no-search', "offer only the network's most probable move (no search threads, no dead-stone count)")
    .action(
      runAction<StartOptions>(async ({ opts, log }) => {
        // The net and the search threads take seconds to load: a busy port is said before, and again if
        // taken meanwhile.
        await assertPortFree(opts.host, opts.port);
        const loaded = await loadPolicyModel(opts.modelDir, PLAYING_MODEL_NAME);
        const { model, meta, dir } = loaded;
        const modelName = modelLabel(meta, dir);
        const searcher = opts.search
          ? await WorkerSearcher.start(opts.threads, {
              modelDir: dir,
              weights: (await loadRollout(rolloutDir(opts, dir))).weights,
              ...(opts.backend !== undefined ? { backend: opts.backend } : {}),
              options: { komi: 7.5, seed: opts.seed ?? 1 },
            })
          : undefined;
        const app = createWebServer({
          policy: networkPolicy(model, meta.featureSet),
          modelName,
          ...(searcher ? { searcher } : {}),
        });
        let address: string;
        try {
          address = await app.listen({ port: opts.port, host: opts.host });
        } catch (err) {
          await app.close();
          await searcher?.close();
          throw listenError(err, opts.host, opts.port);
        }
        log(`go-policy is at ${address.replace('0.0.0.0', '127.0.0.1')}/ (Ctrl-C to stop)`);
        await new Promise<void>((done) => {
          const stop = (): void => {
            void app
              .close()
              .then(() => searcher?.close())
              .then(done);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        return { url: address };
      }),
    );
}
