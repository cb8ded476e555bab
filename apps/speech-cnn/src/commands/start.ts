import type { Command } from 'commander';
import { parseIntIn, runAction, withCommonOptions, type ActionContext, type CommonOptions } from '@cnn-lab/core';
import { loadSpeechClassifier } from '../model/index.js';
import { modelToRead } from './folders.js';

interface StartOpts extends CommonOptions {
  port: number;
  host: string;
}

export function addStart(program: Command): void {
  const cmd = program
    .command('start')
    .description('serve a page that records a word (or takes a WAV) and shows its spectrogram and probabilities')
    .option('--port <n>', 'port (0: any free port)', parseIntIn(0, 65535), 8080)
    .option('--host <addr>', 'address to listen on (keep 127.0.0.1 unless you mean to expose it)', '127.0.0.1');
  withCommonOptions(cmd, ['modelDir', 'json', 'backend']).action(runAction(start));
}

async function start(ctx: ActionContext<StartOpts>) {
  const { buildServer } = await import('../web/server.js');
  const classifier = await loadSpeechClassifier(modelToRead(ctx.opts.modelDir));
  const app = buildServer(classifier);
  const url = await app.listen({ host: ctx.opts.host, port: ctx.opts.port });
  const members = classifier.members.length;
  ctx.log(
    `speech-cnn: open ${url}/ (model ${members > 1 ? `ensemble of ${members} ` : ''}${classifier.info.kind}, words ${classifier.info.labels.join(' ')}); Ctrl-C to stop`,
  );
  await new Promise<void>((done) => {
    const stop = () => void app.close().then(() => done());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return { url };
}
