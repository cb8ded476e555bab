import { join } from 'node:path';
import type { Command } from 'commander';
import {
  UsageError,
  classReport,
  confusionMatrix,
  formatClassReport,
  formatConfusionMatrix,
  parseNumberIn,
  plotConfusionMatrix,
  resolveDataDir,
  resolveUserPath,
  runAction,
  withCommonOptions,
  type ActionContext,
  type CommonOptions,
} from '@cnn-lab/core';
import { SPLIT_HELP, clipsOf, parseSplit, splitEntries } from '../data/index.js';
import { loadSpeechClassifier } from '../model/index.js';
import { modelToRead, picturesDir, shown } from './folders.js';
import { readRecordings } from './recordings.js';
import { DATA_SUB, DATA_WHAT } from '../app.js';

interface EvalOpts extends CommonOptions {
  split: string;
  testFraction: number;
  out?: string;
}

export function addEval(program: Command): void {
  const cmd = program
    .command('eval')
    .description('score a model on a folder: accuracy, per-word report, confusion matrix (confusion-<split>.png)')
    .option('--split <split>', `${SPLIT_HELP}; 'all' scores every file`, 'fsdd')
    .option('--test-fraction <f>', 'test share for --split random', parseNumberIn(0.01, 0.99), 0.2)
    .option(
      '--out <dir>',
      'folder for the confusion matrix picture (default: beside --model-dir, else runs/speech-cnn/eval-<time>)',
      (v: string) => resolveUserPath(v),
    );
  withCommonOptions(cmd, ['dataDir', 'modelDir', 'seed', 'json', 'backend']).action(runAction(evaluate));
}

/** `speaker:nicolas` -> `confusion-speaker-nicolas.png`. */
export function confusionFile(split: string): string {
  return `confusion-${split.replace(/[^A-Za-z0-9_-]+/g, '-')}.png`;
}

async function evaluate(ctx: ActionContext<EvalOpts>) {
  const o = ctx.opts;
  const split = parseSplit(o.split, o.testFraction);
  if (split.kind === 'speakers')
    throw new UsageError('--split speakers trains one model per speaker: use it with train');
  const target = modelToRead(o.modelDir);
  const classifier = await loadSpeechClassifier(target);
  const { labels, features } = classifier.info;
  const dir = resolveDataDir(o, DATA_SUB, DATA_WHAT);
  const set = readRecordings(dir, features, ctx.log);
  const known = set.entries.filter((e) => labels.includes(e.label));
  const unknown = set.entries.length - known.length;
  if (unknown)
    ctx.log(`skipped ${unknown} recordings whose label the model does not know (it knows ${labels.join(', ')})`);
  const part = splitEntries(known, split, o.seed ?? 1);
  if (part.test.length === 0) throw new UsageError(`--split ${o.split}: no test recordings in ${dir}`);
  const test = clipsOf(part.test, set, labels);
  // Each member trims and featurises the whole recording as its own metadata says.
  const probs = classifier.probabilities(test.clips.map((c) => c.source as Float32Array));
  const matrix = confusionMatrix(probs, test.labels);
  const report = classReport(matrix, labels);
  ctx.log(formatClassReport(report));
  ctx.log(`\nconfusion matrix (rows: true word, columns: predicted)\n${formatConfusionMatrix(matrix, labels)}`);
  const plot = join(picturesDir(o.out, target), confusionFile(o.split));
  const members = classifier.members.length;
  await plotConfusionMatrix(matrix, plot, {
    labels,
    title: `speech-cnn ${members > 1 ? `${members} x ` : ''}${classifier.info.kind}: ${o.split}`,
  });
  ctx.log(
    `\naccuracy ${(100 * report.accuracy).toFixed(2)}% on ${test.clips.length} recordings (split ${o.split}); confusion matrix drawn in ${shown(plot)}`,
  );
  return {
    plot,
    accuracy: report.accuracy,
    files: test.clips.length,
    skipped: set.bad.length + set.skipped.length + unknown,
    split: o.split,
    perClass: Object.fromEntries(
      report.classes.map((c) => [c.label, { precision: c.precision, recall: c.recall, f1: c.f1, support: c.support }]),
    ),
    confusion: matrix,
  };
}
