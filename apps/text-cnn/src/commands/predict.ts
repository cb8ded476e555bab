import {
  UsageError,
  parseIntIn,
  resolveModelDir,
  resolveUserPath,
  runAction,
  withCommonOptions,
  writePng,
  type CommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { APP, APP_DIR } from '../app.js';
import { Explainer } from '../explain/explainer.js';
import { formatExplanation } from '../explain/format.js';
import { renderExplanation } from '../explain/picture.js';
import { loadTextModel } from '../model/load.js';
import { tokenize } from '../text/index.js';

interface PredictFlags extends CommonOptions {
  top?: number;
  out?: string;
}

export function registerPredict(program: Command): void {
  const cmd = program
    .command('predict')
    .description('label a sentence and show the n-grams that won the max-pooling for the most influential filters')
    .argument('<sentence...>', 'the sentence (quote it)')
    .option('--top <n>', 'how many n-grams to show', parseIntIn(1, 50), 5)
    .option('--out <png>', 'also draw the explanation: words shaded by their share of the decision, n-grams with bars');
  withCommonOptions(cmd, ['modelDir', 'json', 'backend']).action(
    runAction<PredictFlags>(({ opts, args, log }) => predict(args.join(' '), opts, log)),
  );
}

export async function predict(sentence: string, opts: PredictFlags, log: (message: string) => void) {
  if (sentence.trim() === '')
    throw new UsageError('predict: give a sentence, e.g. predict "a gripping, beautifully acted film"');
  const loading = performance.now();
  const { model, metadata, vocab } = await loadTextModel(
    resolveModelDir({ app: APP, appDir: APP_DIR, flag: opts.modelDir, mode: 'read' }),
  );
  const explainer = new Explainer(model, vocab, metadata.classes);
  // Loading includes one pass on a fixed sentence: tfjs sets up each kernel on its first call.
  explainer.explain(['warm', 'up']);
  const loadMs = performance.now() - loading;
  const tokens = tokenize(sentence, metadata.tokenizer);
  if (tokens.length === 0)
    throw new UsageError(`predict: nothing left of '${sentence}' after tokenising (${metadata.tokenizer})`);
  const started = performance.now();
  const e = explainer.explain(tokens, opts.top ?? 5);
  const ms = performance.now() - started;
  for (const line of formatExplanation(e, vocab)) log(line);
  log(`(answered in ${ms.toFixed(0)} ms after loading the model in ${loadMs.toFixed(0)} ms)`);
  const picture = opts.out !== undefined ? resolveUserPath(opts.out) : undefined;
  if (picture) {
    await writePng(picture, renderExplanation(e));
    log(`picture: ${picture}`);
  }
  model.dispose();
  return {
    label: e.label,
    probabilities: e.probabilities,
    ngrams: e.ngrams,
    tokens: e.tokens,
    unknown: tokens.filter((t) => !vocab.has(t)),
    ms: Number(ms.toFixed(1)),
    loadMs: Number(loadMs.toFixed(0)),
    ...(picture ? { picture } : {}),
  };
}
