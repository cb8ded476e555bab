import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, UsageError, loadModel } from '@cnn-lab/core';
import type * as tf from '@tensorflow/tfjs';
import { TOKENIZERS, Vocabulary, type TokenizerName } from '../text/index.js';

export const APP = 'text-cnn';
/** The vocabulary saved beside the model: word ids are rows of the model's word-vector table. */
export const VOCAB_FILE = 'vocab.json';

/** Where a model's examples came from, so that eval can score the test examples it was trained beside. */
export interface SplitRecord {
  set?: string;
  dataFile?: string;
  format?: 'label-first' | 'csv' | 'tsv';
  textColumn?: string;
  labelColumn?: string;
  fold?: number;
  seed: number;
}

/** What a text-cnn model needs to be used again, beside its weights (metadata.json). */
export interface TextModelMetadata {
  classes: string[];
  tokenizer: TokenizerName;
  split?: SplitRecord;
  testAccuracy?: number;
}

export interface TextModel {
  model: tf.LayersModel;
  metadata: TextModelMetadata;
  vocab: Vocabulary;
  dir: string;
}

const FORMATS = ['label-first', 'csv', 'tsv'] as const;

/** The metadata fields text-cnn reads, checked; a DataError names the file and the field. Other fields are ignored. */
export function parseTextMetadata(raw: unknown, file: string): TextModelMetadata {
  const fail = (field: string, expected: string): never => {
    throw new DataError(file, `field "${field}" is missing or wrong; expected ${expected}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('(top level)', 'a JSON object');
  const m = raw as Record<string, unknown>;
  const classes = m['classes'];
  if (!Array.isArray(classes) || classes.length < 2 || !classes.every((c) => typeof c === 'string')) fail('classes', 'a list of at least two labels');
  const tokenizer = m['tokenizer'];
  if (typeof tokenizer !== 'string' || !(TOKENIZERS as readonly string[]).includes(tokenizer)) fail('tokenizer', `one of ${TOKENIZERS.join(', ')}`);
  const out: TextModelMetadata = { classes: classes as string[], tokenizer: tokenizer as TokenizerName };
  if (m['testAccuracy'] !== undefined) {
    const a = m['testAccuracy'];
    if (typeof a !== 'number' || !(a >= 0 && a <= 1)) fail('testAccuracy', 'a number in 0..1');
    out.testAccuracy = a as number;
  }
  if (m['split'] !== undefined) out.split = parseSplitRecord(m['split'], fail);
  return out;
}

function parseSplitRecord(raw: unknown, fail: (field: string, expected: string) => never): SplitRecord {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('split', 'an object');
  const s = raw as Record<string, unknown>;
  const seed = s['seed'];
  if (!Number.isSafeInteger(seed)) fail('split.seed', 'an integer');
  const out: SplitRecord = { seed: seed as number };
  for (const key of ['set', 'dataFile', 'textColumn', 'labelColumn'] as const) {
    const v = s[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') fail(`split.${key}`, 'a string');
    out[key] = v as string;
  }
  if (out.set === undefined && out.dataFile === undefined) fail('split', 'a set or a dataFile');
  if (s['format'] !== undefined) {
    if (!(FORMATS as readonly unknown[]).includes(s['format'])) fail('split.format', FORMATS.join(', '));
    out.format = s['format'] as SplitRecord['format'];
  }
  if (s['fold'] !== undefined) {
    if (!Number.isSafeInteger(s['fold']) || (s['fold'] as number) < 0) fail('split.fold', 'an integer >= 0');
    out.fold = s['fold'] as number;
  }
  return out;
}

/** A saved text-cnn model: network, checked metadata and vocabulary. Errors name the file that is wrong. */
export async function loadTextModel(dir: string): Promise<TextModel> {
  if (!existsSync(join(dir, 'model.json'))) {
    throw new UsageError(`--model-dir: no model in ${dir} (expected model.json, written by \`${APP} train\`)`);
  }
  const { model, metadata } = await loadModel(dir);
  try {
    const parsed = parseTextMetadata(metadata, join(dir, 'metadata.json'));
    const vocab = await readVocabulary(join(dir, VOCAB_FILE));
    const table = model.layers.find((l) => l.name.startsWith('embedding'))?.getWeights()[0];
    if (table && table.shape[0] !== vocab.size) {
      throw new DataError(join(dir, VOCAB_FILE), `holds ${vocab.size} words; the model's word-vector table has ${table.shape[0]} rows`);
    }
    return { model, metadata: parsed, vocab, dir };
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
    throw new DataError(path, code === 'ENOENT' ? 'no such file (the vocabulary saved beside the model)' : `cannot read (${code ?? String(err)})`);
  }
  try {
    return Vocabulary.fromJSON(JSON.parse(text), path);
  } catch (err) {
    throw new DataError(path, err instanceof SyntaxError ? `not JSON (${err.message})` : (err as Error).message.replace(`${path}: `, ''));
  }
}
