// `eval`: accuracy, loss and confusion matrix of a saved model on the held-out digits of its own split.
// Writes nothing.
import {
  confusionMatrix,
  formatConfusionMatrix,
  proportionInterval,
  runAction,
  withCommonOptions,
  type CommonOptions,
  type ResolvedModelDir,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { mnistSplits } from '../mnist/mnist-package.js';
import { loadLectureModel, modelDirFor } from '../model/load.js';
import { scoreDigits } from '../model/train.js';

export interface EvalResult {
  testAccuracy: number;
  testLoss: number;
  count: number;
  /** Wilson's 95% interval for the accuracy on this many digits. */
  interval: { low: number; high: number };
  /** matrix[true][predicted] counts. */
  confusion: number[][];
}

/** Scores the model in `modelDir` on the test part of the split stored with it. */
export async function evalModel(modelDir: string | ResolvedModelDir, batchSize: number): Promise<EvalResult> {
  const { model, split } = await loadLectureModel(modelDir);
  const test = await scoreDigits(model, mnistSplits(split).test, batchSize);
  const confusion = confusionMatrix(test.probabilities!, test.labels!, 10);
  const right = confusion.reduce((sum, row, i) => sum + row[i]!, 0);
  const { low, high } = proportionInterval(right, test.count);
  return { testAccuracy: test.accuracy, testLoss: test.loss, count: test.count, interval: { low, high }, confusion };
}

export function registerEval(program: Command): void {
  withCommonOptions(
    program.command('eval').description('accuracy and confusion matrix of a saved model on the held-out digits'),
    ['dataDir', 'modelDir', 'batchSize', 'seed', 'json', 'backend'],
    { batchSize: 256 },
  ).action(
    runAction<CommonOptions>(async ({ opts, log }) => {
      const target = modelDirFor(opts.modelDir, 'read');
      const r = await evalModel(target, opts.batchSize ?? 256);
      log(formatConfusionMatrix(r.confusion));
      const pct = (x: number) => (x * 100).toFixed(2);
      const interval = `95% interval ${pct(r.interval.low)}-${pct(r.interval.high)}%`;
      log(
        `test accuracy ${pct(r.testAccuracy)}% on ${r.count} held-out digits (${interval}, loss ${r.testLoss.toFixed(4)})`,
      );
      return {
        testAccuracy: r.testAccuracy,
        testLoss: r.testLoss,
        count: r.count,
        interval: r.interval,
        modelDir: target.dir,
      };
    }),
  );
}
