import { parseChoice, parseIntIn, type CommonOptions } from '@cnn-lab/core';
import type { Command } from 'commander';
import { BENCHMARK_NAMES, CV_FOLDS, type Encoding } from '../data/index.js';
import { TOKENIZERS, type TokenizerName } from '../text/index.js';

/** The flags that say which sentences a verb reads: a benchmark set in the data folder, or a user's file. */
export interface DataFlags extends CommonOptions {
  set?: string;
  dataFile?: string;
  format?: 'label-first' | 'csv' | 'tsv';
  textColumn?: string;
  labelColumn?: string;
  encoding?: Encoding;
  tokenizer?: TokenizerName;
  fold?: number;
  /** SST: train on every labelled phrase of the trees (undefined: when the trees are in the data folder). */
  phrases?: boolean;
}

export function withDataFlags(cmd: Command, defaultSet?: string): Command {
  return cmd
    .option(
      '--set <name>',
      `benchmark in the data folder: ${BENCHMARK_NAMES.join(', ')}${defaultSet ? '' : " (default: the model's own)"}`,
      defaultSet,
    )
    .option('--data-file <file>', 'read this file instead (label-first lines, or CSV/TSV with --format)')
    .option(
      '--format <kind>',
      'format of --data-file: label-first, csv or tsv',
      parseChoice(['label-first', 'csv', 'tsv'] as const),
      'label-first',
    )
    .option('--text-column <name|index>', 'CSV/TSV column with the sentence', 'text')
    .option('--label-column <name|index>', 'CSV/TSV column with the label', 'label')
    .option(
      '--encoding <enc>',
      'auto (UTF-8, else Latin-1), utf8 (skip other lines) or latin1',
      parseChoice(['auto', 'utf8', 'latin1'] as const),
      'auto',
    )
    .option(
      '--tokenizer <name>',
      `${TOKENIZERS.join(', ')} (default: the set's own; treebank for --data-file)`,
      parseChoice(TOKENIZERS),
    )
    .option('--phrases', 'SST: train on every labelled phrase of sst-trees/train.txt (the default when it is there)')
    .option('--no-phrases', 'SST: train on the whole training sentences only')
    .option(
      '--fold <n>',
      `which of the ${CV_FOLDS} cross-validation folds is the test set (MR, Subj)`,
      parseIntIn(0, CV_FOLDS - 1),
      0,
    );
}
