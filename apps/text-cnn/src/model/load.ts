import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { DataError, loadModelFolder, metadataFields, type ModelMetadata, type ResolvedModelDir } from '@cnn-lab/core';
import type * as tf from '@tensorflow/tfjs';
import { APP } from '../app.js';
import { classNamesOf } from './class-names.js';
import { VARIANTS, type Variant } from './kim.js';
import { TOKENIZERS, Vocabulary, type TokenizerName } from '../text/index.js';
import { VECTOR_SCALES, type VectorScale } from '../vectors/scale.js';
// Registers the word-vector layer class, which model.json names.
import './lean-embedding.js';

/** The vocabulary saved with the model: word ids are rows of the model's word-vector table. */
export const VOCAB_FILE = 'vocab.json';

const FORMATS = ['label-first', 'csv', 'tsv'] as const;

/** Where a model's examples came from, so that eval can score the test examples it was trained beside. */
export interface SplitRecord {
  set?: string;
  dataFile?: string;
  format?: (typeof FORMATS)[number];
  textColumn?: string;
  labelColumn?: string;
  fold?: number;
  /** SST: trained on every labelled phrase of the trees (tested on sentences all the same). */
  phrases?: boolean;
  seed: number;
}

/** What a text-cnn model needs to be used again, beside its weights. */
export interface TextModelMetadata {
  /** The labels as the data writes them ("0", "1"); eval matches test examples by these. */
  classes: string[];
  /** What each class means, for people ("negative", "positive"), in the order of `classes`. */
  classNames?: string[];
  tokenizer: TokenizerName;
  split?: SplitRecord;
  testAccuracy?: number;
  /** Kim's variant (rand when absent: models saved before the others were trained). */
  variant?: Variant;
  /** The pretrained word vectors it started from (a name such as glove-100d, or the file). */
  embeddings?: string;
  /** How many of the vectors' most frequent words were offered to its vocabulary. */
  vectorWords?: number;
  /** How the pretrained rows were scaled against the random ones (none when absent: models saved before). */
  vectorScale?: VectorScale;
  /**
   * Whether words without a vector of their own took a stand-in's row (`train --vector-aliases`, see
   * src/vectors/aliases.ts); false when absent: models saved before the flag.
   */
  vectorAliases?: boolean;
}

export interface TextModel {
  model: tf.LayersModel;
  metadata: TextModelMetadata;
  /** The names to show for the classes: stored in the metadata, else those of a known set (see classNamesOf). */
  classNames: string[];
  vocab: Vocabulary;
  dir: string;
}

/** The metadata fields text-cnn reads, checked; a DataError names the file and the field. Other fields are ignored. */
export function parseTextMetadata(raw: ModelMetadata | Record<string, unknown>, file: string): TextModelMetadata {
  const f = metadataFields(raw, file);
  const out: TextModelMetadata = { classes: f.strings('classes', 2), tokenizer: f.choice('tokenizer', TOKENIZERS) };
  if (f.has('classNames')) {
    const names = f.strings('classNames', out.classes.length);
    if (
      names.length !== out.classes.length ||
      names.some((n) => n.trim() === '') ||
      new Set(names).size !== names.length
    )
      throw new DataError(
        file,
        `field "classNames" is ${JSON.stringify(names).slice(0, 80)}; expected ${out.classes.length} different non-empty names, one per class`,
      );
    out.classNames = names;
  }
  if (f.has('testAccuracy')) out.testAccuracy = f.number('testAccuracy', 0, 1);
  if (f.has('variant')) out.variant = f.choice('variant', VARIANTS);
  if (f.has('embeddings')) out.embeddings = f.string('embeddings');
  if (f.has('vectorWords')) out.vectorWords = f.int('vectorWords', 0);
  if (f.has('vectorScale')) out.vectorScale = f.choice('vectorScale', VECTOR_SCALES);
  if (f.has('vectorAliases')) out.vectorAliases = f.boolean('vectorAliases');
  if (f.has('split')) {
    const s = f.object('split');
    const split: SplitRecord = { seed: s.int('seed') };
    for (const key of ['set', 'dataFile', 'textColumn', 'labelColumn'] as const)
      if (s.has(key)) split[key] = s.string(key);
    if (s.has('format')) split.format = s.choice('format', FORMATS);
    if (s.has('fold')) split.fold = s.int('fold', 0);
    if (s.has('phrases')) split.phrases = s.boolean('phrases');
    if (split.set === undefined && split.dataFile === undefined)
      throw new DataError(file, 'field "split" names neither a set nor a dataFile');
    out.split = split;
  }
  return out;
}

/** A saved text-cnn model: network, checked metadata and vocabulary. Errors name the file that is wrong. */
export async function loadTextModel(target: string | ResolvedModelDir): Promise<TextModel> {
  const { model, metadata, files, dir } = await loadModelFolder(target, { app: APP, validate: parseTextMetadata });
  try {
    // Folders saved before vocabularies were attached to the model (the shipped one) keep vocab.json beside it.
    const vocab = await readVocabulary(files[VOCAB_FILE] ?? join(dir, VOCAB_FILE));
    const table = model.layers.find((l) => l.name.startsWith('embedding'))?.getWeights()[0];
    if (table && table.shape[0] !== vocab.size) {
      throw new DataError(
        files[VOCAB_FILE] ?? join(dir, VOCAB_FILE),
        `holds ${vocab.size} words; the model's word-vector table has ${table.shape[0]} rows`,
      );
    }
    return { model, metadata, classNames: classNamesOf(metadata), vocab, dir };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

async function readVocabulary(path: string): Promise<Vocabulary> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(
      path,
      code === 'ENOENT' ? 'no such file (the vocabulary saved with the model)' : `cannot read (${code ?? String(err)})`,
    );
  }
  try {
    return Vocabulary.fromJSON(JSON.parse(text), path);
  } catch (err) {
    throw new DataError(
      path,
      err instanceof SyntaxError ? `not JSON (${err.message})` : (err as Error).message.replace(`${path}: `, ''),
    );
  }
}
