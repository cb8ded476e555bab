// `start`: the web page on this machine: play the network, see its policy as a heat map, replay an SGF.
import { parseIntIn, runAction, withCommonOptions, type CommonOptions } from '@cnn-lab/core';
import type { Command } from 'commander';
import { loadPolicyModel } from '../model/load.js';
import { networkPolicy } from '../model/predict.js';
import { createWebServer } from '../web/server.js';

interface StartOptions extends CommonOptions {
  port: number;
  host: string;
}

export function registerStart(program: Command): void {
  const cmd = program
    .command('start')
    .description('a local web page: play the network, see its policy as a heat map, replay an SGF');
  withCommonOptions(cmd, ['modelDir', 'backend', 'json']);
  cmd
    .option('--port <n>', 'port on 127.0.0.1 (0: any free port)', parseIntIn(0, 65535), 8080)
    .option('--host <address>', 'address to bind (default 127.0.0.1: this machine only)', '127.0.0.1')
    .action(
      runAction<StartOptions>(async ({ opts, log }) => {
        const { model, meta, dir } = await loadPolicyModel(opts.modelDir);
        const modelName = `${meta.filters} filters x ${meta.layers} layers, ${meta.featureSet} features (${dir})`;
        const app = createWebServer({ policy: networkPolicy(model, meta.featureSet), modelName });
        const address = await app.listen({ port: opts.port, host: opts.host });
        log(`go-policy is at ${address.replace('0.0.0.0', '127.0.0.1')}/ (Ctrl-C to stop)`);
        await new Promise<void>((done) => {
          const stop = (): void => {
            void app.close().then(done);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        return { url: address };
      }),
    );
}
