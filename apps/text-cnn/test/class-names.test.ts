// Class names: stored in new models' metadata; for older models (the one shipped before), those of the set they learnt.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@cnn-lab/core';
import { BENCHMARKS, BENCHMARK_NAMES } from '../src/data/index.js';
import { classNamesFor, classNamesOf } from '../src/model/class-names.js';
import { KIM_DEFAULTS, buildKimCnn } from '../src/model/index.js';
import { loadTextModel, parseTextMetadata } from '../src/model/load.js';
import { saveTextModel } from '../src/model/save.js';
import { Vocabulary } from '../src/text/index.js';

const older = join(import.meta.dirname, '..', 'models', 'rand-4k');

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

describe('class names', () => {
  it("name every label of Kim's sets", () => {
    expect(classNamesFor('MR', ['0', '1'])).toEqual(['negative', 'positive']);
    expect(classNamesFor('SST-2', ['0', '1'])).toEqual(['negative', 'positive']);
    expect(classNamesFor('SST-1', ['0', '1', '2', '3', '4'])).toEqual([
      'very negative',
      'negative',
      'neutral',
      'positive',
      'very positive',
    ]);
    expect(classNamesFor('Subj', ['0', '1'])).toEqual(['subjective', 'objective']);
    expect(classNamesFor('TREC', ['0', '1', '2', '3', '4', '5'])).toEqual([
      'description (DESC)',
      'entity (ENTY)',
      'abbreviation (ABBR)',
      'human (HUM)',
      'location (LOC)',
      'number (NUM)',
    ]);
    for (const name of BENCHMARK_NAMES) {
      const names = classNamesFor(name, BENCHMARKS[name].labels);
      expect(new Set(names).size).toBe(names.length);
      expect(names.some((n, i) => n === BENCHMARKS[name].labels[i])).toBe(false);
    }
  });

  it("are a user's own labels for a model trained on a file", () => {
    expect(classNamesFor(undefined, ['neg', 'pos'])).toEqual(['neg', 'pos']);
    expect(classNamesOf({ classes: ['1', '2', '3'], split: { dataFile: 'stars.csv', seed: 1 } })).toEqual([
      '1',
      '2',
      '3',
    ]);
  });

  it('stored in the metadata win over the known ones, and are checked', () => {
    const raw = { classes: ['0', '1'], classNames: ['bad', 'good'], tokenizer: 'kim', split: { set: 'MR', seed: 1 } };
    const m = parseTextMetadata(raw, 'm.json');
    expect(m.classNames).toEqual(['bad', 'good']);
    expect(classNamesOf(m)).toEqual(['bad', 'good']);
    expect(() => parseTextMetadata({ ...raw, classNames: ['bad'] }, 'm.json')).toThrow(
      /m\.json: field "classNames" is \["bad"\]; expected a list of at least 2 strings/,
    );
    expect(() => parseTextMetadata({ ...raw, classNames: ['bad', 'good', 'ugly'] }, 'm.json')).toThrow(
      /field "classNames" .*expected 2 different non-empty names, one per class/,
    );
    expect(() => parseTextMetadata({ ...raw, classNames: ['same', 'same'] }, 'm.json')).toThrow(/2 different/);
    expect(() => parseTextMetadata({ ...raw, classNames: ['', 'good'] }, 'm.json')).toThrow(/non-empty/);
  });

  it('of the model shipped before (saved without them) are negative and positive, and loading leaves its files as they are', async () => {
    const digest = () =>
      readdirSync(older).map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(join(older, f)))
          .digest('hex'),
      ]);
    const before = digest();
    const { model, metadata, classNames } = await loadTextModel(older);
    model.dispose();
    expect(metadata.classNames).toBeUndefined();
    expect(classNamesOf(metadata)).toEqual(['negative', 'positive']);
    expect(classNames).toEqual(['negative', 'positive']);
    expect(digest()).toEqual(before);
  });

  it('are saved with a model and read back', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'text-cnn-names-')), 'm');
    const vocab = Vocabulary.build([['where', 'is', 'peru']]);
    const model = buildKimCnn({
      ...KIM_DEFAULTS,
      embeddingDim: 4,
      featureMaps: 2,
      vocabSize: vocab.size,
      classes: 2,
      variant: 'rand',
      seed: 1,
    });
    await saveTextModel(model, dir, vocab, {
      classes: ['0', '1'],
      classNames: ['place', 'person'],
      tokenizer: 'kim-case',
    });
    model.dispose();
    const loaded = await loadTextModel(dir);
    loaded.model.dispose();
    expect(loaded.classNames).toEqual(['place', 'person']);
  });
});
