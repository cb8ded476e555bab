import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  DataError,
  UsageError,
  parseIntIn,
  parseNumberIn,
  resolveUserPath,
  runAction,
  withCommonOptions,
  type ActionContext,
  type CommonOptions,
} from '@cnn-lab/core';
import { decodeWav } from '../audio/index.js';
import { DEFAULT_REJECT, decide, loadSpeechClassifier, type NoWordReason } from '../model/index.js';
import { modelToRead } from './folders.js';

export function addPredict(program: Command): void {
  const cmd = program
    .command('predict')
    .description('say which word each WAV file holds')
    .argument('<files...>', 'WAV files (any sample rate, mono or stereo)')
    .option('--top <k>', 'probabilities to show per file', parseIntIn(1, 100), 3)
    .option(
      '--unknown-threshold <p>',
      'a model with the unknown class answers "no digit" (not-a-digit) when that class is at least this probable',
      parseNumberIn(0, 1),
      DEFAULT_REJECT.unknownThreshold,
    )
    .option(
      '--min-probability <p>',
      'a word less probable than this is answered "no digit" (not-a-digit)',
      parseNumberIn(0, 1),
      DEFAULT_REJECT.minProbability,
    );
  withCommonOptions(cmd, ['modelDir', 'json', 'backend']).action(runAction(predict));
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(resolveUserPath(file));
  } catch (err) {
    throw new DataError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

async function predict(
  ctx: ActionContext<CommonOptions & { top: number; minProbability: number; unknownThreshold: number }>,
) {
  if (ctx.args.length === 0) throw new UsageError('predict: give one or more WAV files');
  const classifier = await loadSpeechClassifier(modelToRead(ctx.opts.modelDir));
  const predictions: Array<{
    file: string;
    /** null: no digit, and `reason` says why. */
    label: string | null;
    reason?: NoWordReason;
    probabilities: Record<string, number>;
    level: { peakDb: number; floorDb: number };
  }> = [];
  const errors: Array<{ file: string; error: string }> = [];
  for (const file of ctx.args) {
    try {
      const audio = decodeWav(readBytes(file), file, { sampleRate: classifier.sampleRate });
      const d = decide(classifier, audio, {
        gate: DEFAULT_REJECT.gate,
        unknownThreshold: ctx.opts.unknownThreshold,
        minProbability: ctx.opts.minProbability,
      });
      const ranked = d.classification?.ranked ?? [];
      predictions.push({
        file,
        label: d.label,
        ...(d.reason ? { reason: d.reason } : {}),
        probabilities: Object.fromEntries(ranked.map((p) => [p.label, Number(p.probability.toFixed(5))])),
        level: { peakDb: round1(d.gate.peakDb), floorDb: round1(d.gate.floorDb) },
      });
      const top = ranked.slice(0, ctx.opts.top).map((p) => `${p.label} ${(100 * p.probability).toFixed(2)}%`);
      const answer =
        d.label ??
        `no digit (${d.reason === 'silence' ? `silence: loudest ${d.gate.peakDb.toFixed(0)} dBFS` : d.reason})`;
      ctx.log(`${file}: ${answer}${top.length ? `  (${top.join(', ')})` : ''}`);
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
