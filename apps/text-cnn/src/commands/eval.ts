import { join } from 'node:path';
import {
  DataError,
  classReport,
  confusionMatrix,
  evaluate,
  formatClassReport,
  formatConfusionMatrix,
  plotConfusionMatrix,
  resolveModelDir,
  resolveOutDir,
  runAction,
  withCommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { APP, APP_DIR } from '../app.js';
import { sequenceSource } from '../data/index.js';
import { maxWindowOf } from '../model/index.js';
import { loadTextModel } from '../model/load.js';
import { tokenize } from '../text/index.js';
import { withDataFlags, type DataFlags } from './data-flags.js';
import { flagsOf, readSplit } from './read-split.js';

interface EvalFlags extends DataFlags {
  out?: string;
}

export function registerEval(program: Command): void {
  const cmd = program
    .command('eval')
    .description("accuracy, confusion matrix and per-class scores on a model's test examples (or --set / --data-file)");
  withCommonOptions(withDataFlags(cmd), ['dataDir', 'modelDir', 'seed', 'json', 'backend'])
    .option(
      '--out <dir>',
      'folder for confusion.png (default: beside the model; for the shipped model a new runs/text-cnn/eval-<timestamp>)',
    )
    .action(runAction<EvalFlags>(({ opts, log }) => evalModel(opts, log)));
}

export async function evalModel(opts: EvalFlags, log: (message: string) => void) {
  const source = resolveModelDir({ app: APP, appDir: APP_DIR, flag: opts.modelDir, mode: 'read' });
  const { model, metadata, classNames, vocab } = await loadTextModel(source);
  // Without a data flag, the test examples the model was trained beside (same set or file, fold and seed).
  const trainedOn = !opts.dataFile && opts.set === undefined ? metadata.split : undefined;
  const flags: DataFlags = trainedOn ? { ...opts, ...flagsOf(trainedOn) } : opts;
  const seed = trainedOn ? trainedOn.seed : (opts.seed ?? 1);
  const { split } = await readSplit({ ...flags, tokenizer: metadata.tokenizer }, seed, log);
  const index = new Map(metadata.classes.map((c, i) => [c, i]));
  const examples = split.test.filter((e) => index.has(e.label));
  const what = flags.dataFile ?? flags.set ?? 'MR';
  // Examples of classes the model does not have cannot be scored: counted and said, never dropped silently.
  const unknown = [...new Set(split.test.filter((e) => !index.has(e.label)).map((e) => e.label))];
  const skipped = split.test.length - examples.length;
  if (skipped > 0) {
    const shown = unknown.slice(0, 5).map((l) => `'${l.slice(0, 20)}'`);
    log(
      `skipped ${skipped} of ${split.test.length} test examples: their labels (${shown.join(', ')}${unknown.length > 5 ? ', ...' : ''}) are not among the model's classes (${metadata.classes.join(', ')})`,
    );
  }
  if (examples.length === 0)
    throw new DataError(what, `no test examples with the model's labels (${metadata.classes.join(', ')})`);
  const encoded = examples.map((e) => ({
    ids: vocab.encode(tokenize(e.text, metadata.tokenizer)),
    label: index.get(e.label) as number,
  }));
  const ev = await evaluate(model, sequenceSource(encoded, { maxWindow: maxWindowOf(model), shuffle: false }), 100, {
    probabilities: true,
  });
  model.dispose();
  const matrix = confusionMatrix(ev.probabilities as Float32Array, ev.labels as Int32Array);
  log(
    `${examples.length} test examples from ${what}${flags.fold !== undefined && !flags.dataFile ? ` (fold ${flags.fold})` : ''}`,
  );
  const report = classReport(matrix, classNames);
  log(formatConfusionMatrix(matrix, classNames));
  log(formatClassReport(report));
  const png = join(
    resolveOutDir({ app: APP, appDir: APP_DIR, verb: 'eval', out: opts.out, model: source }).dir,
    'confusion.png',
  );
  await plotConfusionMatrix(matrix, png, { labels: classNames, title: `${APP} on ${flags.set ?? 'data file'}` });
  log(`accuracy ${(100 * ev.accuracy).toFixed(2)}%, loss ${ev.loss.toFixed(4)}; confusion matrix picture: ${png}`);
  return {
    accuracy: ev.accuracy,
    loss: ev.loss,
    count: ev.count,
    skippedUnknownLabel: skipped,
    classes: classNames,
    confusion: matrix,
    perClass: report,
    picture: png,
  };
}
