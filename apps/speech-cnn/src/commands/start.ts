import type { Command } from 'commander';
import {
  assertPortFree,
  parseIntIn,
  runAction,
  withCommonOptions,
  type ActionContext,
  type CommonOptions,
} from '@cnn-lab/core';
import { basename } from 'node:path';
import { UNKNOWN } from '../data/index.js';
import { loadSpeechClassifier } from '../model/index.js';
import { modelToRead } from './folders.js';

interface StartOpts extends CommonOptions {
  port: number;
  host: string;
}

export function addStart(program: Command): void {
  const cmd = program
    .command('start')
    .description(
      'serve a page that listens to the microphone (or takes a WAV) and says which digit it heard, or "no digit"',
    )
    .option('--port <n>', 'port (0: any free port)', parseIntIn(0, 65535), 8080)
    .option('--host <addr>', 'address to listen on (keep 127.0.0.1 unless you mean to expose it)', '127.0.0.1');
  withCommonOptions(cmd, ['modelDir', 'json', 'backend']).action(runAction(start));
}

async function start(ctx: ActionContext<StartOpts>) {
  // A busy port is said before the models load (listen says it again if the port is taken meanwhile).
  await assertPortFree(ctx.opts.host, ctx.opts.port);
  const { buildServer, listen } = await import('../web/server.js');
  const target = modelToRead(ctx.opts.modelDir);
  const classifier = await loadSpeechClassifier(target);
  const app = buildServer({ classifier, modelName: basename(target.dir) });
  const url = await listen(app, ctx.opts.host, ctx.opts.port);
  const members = classifier.members.length;
  const words = classifier.info.labels.filter((l) => l !== UNKNOWN);
  ctx.log(
    `speech-cnn: open ${url} (model ${basename(target.dir)}: ${members > 1 ? `ensemble of ${members} ` : ''}${classifier.info.kind}, words ${words.join(' ')}${words.length < classifier.info.labels.length ? ' and "none of these"' : ''}); Ctrl-C to stop`,
  );
  await new Promise<void>((done) => {
    const stop = () => void app.close().then(() => done());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return { url };
}
