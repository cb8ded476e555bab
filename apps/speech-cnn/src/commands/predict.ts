import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  DataError,
  UsageError,
  parseIntIn,
  resolveUserPath,
  runAction,
  withCommonOptions,
  type ActionContext,
  type CommonOptions,
} from '@cnn-lab/core';
import { decodeWav } from '../audio/index.js';
import { loadSpeechClassifier } from '../model/index.js';
import { modelToRead } from './folders.js';

export function addPredict(program: Command): void {
  const cmd = program
    .command('predict')
    .description('say which word each WAV file holds')
    .argument('<files...>', 'WAV files (any sample rate, mono or stereo)')
    .option('--top <k>', 'probabilities to show per file', parseIntIn(1, 100), 3);
  withCommonOptions(cmd, ['modelDir', 'json', 'backend']).action(runAction(predict));
}

function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(resolveUserPath(file));
  } catch (err) {
    throw new DataError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

async function predict(ctx: ActionContext<CommonOptions & { top: number }>) {
  if (ctx.args.length === 0) throw new UsageError('predict: give one or more WAV files');
  const classifier = await loadSpeechClassifier(modelToRead(ctx.opts.modelDir));
  const predictions: Array<{ file: string; label: string; probabilities: Record<string, number> }> = [];
  const errors: Array<{ file: string; error: string }> = [];
  for (const file of ctx.args) {
    try {
      const r = classifier.classify(decodeWav(readBytes(file), file, { sampleRate: classifier.sampleRate }));
      predictions.push({
        file,
        label: r.label,
        probabilities: Object.fromEntries(r.ranked.map((p) => [p.label, Number(p.probability.toFixed(5))])),
      });
      const top = r.ranked.slice(0, ctx.opts.top).map((p) => `${p.label} ${(100 * p.probability).toFixed(2)}%`);
      ctx.log(`${file}: ${r.label}  (${top.join(', ')})`);
    } catch (err) {
      // A file that is not a usable recording is reported and skipped; the others are still answered.
      if (!(err instanceof DataError)) throw err;
      errors.push({ file, error: err.message });
      process.stderr.write(`skipped ${err.message}\n`);
    }
  }
  if (predictions.length === 0) process.exitCode = 1;
  return { predictions, failed: errors.length, errors };
}
