import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataError, initBackend } from '@cnn-lab/core';
import { loadTextModel, parseTextMetadata } from '../src/model/load.js';

const shipped = join(import.meta.dirname, '..', 'models', 'default');
// The model shipped before: CNN-rand, saved before vocabularies were attached and class names stored.
const older = join(import.meta.dirname, '..', 'models', 'rand-4k');

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

describe('the model loader', () => {
  it('reads the fields it needs and ignores the rest (history, timings)', () => {
    const raw = {
      classes: ['0', '1'],
      tokenizer: 'kim',
      split: { set: 'MR', seed: 1 },
      testAccuracy: 0.75,
      variant: 'non-static',
      embeddings: 'glove-100d',
      vectorWords: 20000,
      vectorScale: 'word2vec',
      history: {},
      command: 'pnpm --filter text-cnn train',
    };
    expect(parseTextMetadata(raw, 'm.json')).toEqual({
      classes: ['0', '1'],
      tokenizer: 'kim',
      split: { set: 'MR', seed: 1 },
      testAccuracy: 0.75,
      variant: 'non-static',
      embeddings: 'glove-100d',
      vectorWords: 20000,
      vectorScale: 'word2vec',
    });
    expect(() => parseTextMetadata({ ...raw, variant: 'dynamic' }, 'm.json')).toThrow(/m\.json: field "variant"/);
    expect(() => parseTextMetadata({ ...raw, vectorScale: 'huge' }, 'm.json')).toThrow(
      /m\.json: field "vectorScale" is "huge"; expected one of word2vec, word2vec-length, matched, none/,
    );
  });

  it('reads whether the vectors had stand-ins (train --vector-aliases); models saved before have no such field', () => {
    const raw = { classes: ['0', '1'], tokenizer: 'kim', variant: 'non-static', embeddings: 'glove-100d' };
    expect(parseTextMetadata(raw, 'm.json').vectorAliases).toBeUndefined();
    expect(parseTextMetadata({ ...raw, vectorAliases: true }, 'm.json').vectorAliases).toBe(true);
    expect(parseTextMetadata({ ...raw, vectorAliases: false }, 'm.json').vectorAliases).toBe(false);
    expect(() => parseTextMetadata({ ...raw, vectorAliases: 'yes' }, 'm.json')).toThrow(
      /m\.json: field "vectorAliases" is "yes"; expected true or false/,
    );
  });

  it('names the file and the field that is wrong', () => {
    expect(() => parseTextMetadata({ classes: ['0'], tokenizer: 'kim' }, 'm.json')).toThrow(
      /m\.json: field "classes" is \["0"\]; expected a list of at least 2/,
    );
    expect(() => parseTextMetadata({ classes: ['0', '1'], tokenizer: 'spaces' }, 'm.json')).toThrow(
      /field "tokenizer" is "spaces"; expected one of kim/,
    );
    expect(() => parseTextMetadata({ classes: ['0', '1'], tokenizer: 'kim', split: { set: 'MR' } }, 'm.json')).toThrow(
      /field "split\.seed" is missing/,
    );
    expect(() => parseTextMetadata({ classes: ['0', '1'], tokenizer: 'kim', split: { seed: 1 } }, 'm.json')).toThrow(
      DataError,
    );
  });

  it('loads the shipped model: CNN-non-static on the 100-d vectors, its vocabulary and class names with it', async () => {
    const { model, metadata, vocab, classNames } = await loadTextModel(shipped);
    expect(metadata).toMatchObject({
      classes: ['0', '1'],
      classNames: ['negative', 'positive'],
      tokenizer: 'kim',
      split: { set: 'MR', seed: 1 },
      variant: 'non-static',
      embeddings: 'glove-100d',
    });
    expect(classNames).toEqual(['negative', 'positive']);
    // MR's 17,003 training words, then 11,205 of the vectors' frequent words that MR never showed it.
    expect(vocab.size).toBe(28210);
    expect(vocab.id('derided')).toBeGreaterThan(17004);
    expect(model.getLayer('embedding').getWeights()[0]?.shape).toEqual([28210, 100]);
    model.dispose();
  });

  it('loads the model shipped before (saved before vocabularies were attached) with its 4,000 words', async () => {
    const { model, metadata, vocab } = await loadTextModel(older);
    expect(metadata).toMatchObject({ classes: ['0', '1'], tokenizer: 'kim', split: { set: 'MR', seed: 1 } });
    expect(vocab.size).toBe(4000);
    model.dispose();
  });

  it('refuses a vocabulary that does not fit the word-vector table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'text-cnn-load-'));
    cpSync(older, dir, { recursive: true });
    const vocab = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as { words: string[] };
    writeFileSync(join(dir, 'vocab.json'), JSON.stringify({ ...vocab, words: vocab.words.slice(0, 10) }));
    await expect(loadTextModel(dir)).rejects.toThrow(
      /vocab\.json: holds 10 words; the model's word-vector table has 4000 rows/,
    );
  });
});
