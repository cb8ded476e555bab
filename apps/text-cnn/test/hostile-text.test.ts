// Hostile text inputs and mismatched model folders: a 10 MB line, a resume on other data, a truncated vocabulary.
// Each is skipped and counted, or refused with an error naming the file and what is wrong, within seconds.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, fit, initBackend } from '@cnn-lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { evalModel } from '../src/commands/eval.js';
import { sentencesFromBytes } from '../src/commands/predict.js';
import { assertTrainable, readSplit } from '../src/commands/read-split.js';
import { MAX_LINE_BYTES } from '../src/data/example.js';
import { splitFingerprint } from '../src/data/fingerprint.js';
import { MAX_SENTENCE_TOKENS } from '../src/data/sequences.js';
import {
  describeReport,
  padBatch,
  parseDelimited,
  parseLabelFirst,
  prepareSplit,
  type Example,
} from '../src/data/index.js';
import { Explainer } from '../src/explain/explainer.js';
import { KIM_DEFAULTS, buildForSplit, buildKimCnn, kimFitOptions } from '../src/model/index.js';
import { loadTextModel, VOCAB_FILE } from '../src/model/load.js';
import { saveTextModel } from '../src/model/save.js';
import { Vocabulary } from '../src/text/index.js';

const HUGE = 10 * 1024 * 1024;
let dir: string;

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  dir = mkdtempSync(join(tmpdir(), 'text-cnn-hostile-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function goodLines(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${i % 2} ${i % 2 ? 'a fine film' : 'a dull film'} number ${i}`);
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

describe('a 10 MB line', () => {
  it('in a label-first file is skipped and counted, not made a 10-million-word sentence', () => {
    const text = [...goodLines(30), `1 ${'word '.repeat(HUGE / 5)}`, ...goodLines(5)].join('\n');
    const { value, ms } = timed(() => parseLabelFirst(new TextEncoder().encode(text), 'big.txt'));
    expect(value.examples).toHaveLength(35);
    expect(value.report.tooLong).toBe(1);
    expect(describeReport(value.report)).toMatch(/skipped 1 \(.*too long 1\)/);
    expect(value.report.samples[0]).toMatch(
      new RegExp(`^big\\.txt:31: line of \\d+ bytes \\(at most ${MAX_LINE_BYTES}\\)`),
    );
    expect(ms).toBeLessThan(3000);
  });

  it('in a CSV field is skipped and counted', () => {
    const csv = [
      'text,label',
      ...Array.from({ length: 5 }, (_, i) => `fine film ${i},1`),
      `"${'x'.repeat(HUGE)}",0`,
    ].join('\n');
    const { examples, report } = parseDelimited(new TextEncoder().encode(csv), 'big.csv', {
      textColumn: 'text',
      labelColumn: 'label',
    });
    expect(examples).toHaveLength(5);
    expect(report.tooLong).toBe(1);
  });

  it('train reads the rest of the file (the whole path from --data-file to the split)', async () => {
    const file = join(dir, 'with-huge-line.txt');
    writeFileSync(file, [...goodLines(40), `0 ${'w'.repeat(HUGE)}`].join('\n'));
    const logs: string[] = [];
    const { split } = await readSplit({ dataFile: file }, 1, (m) => logs.push(m));
    expect(split.train.length + split.dev.length + split.test.length).toBe(40);
    expect(logs.join('\n')).toMatch(/too long 1/);
  });

  it('given to a model (predict, the page) is cut at MAX_SENTENCE_TOKENS words, so a batch stays small', () => {
    const long = new Int32Array(2_000_000).fill(3);
    const { shape } = padBatch([long, Int32Array.of(2, 3)], 5);
    expect(shape).toEqual([2, MAX_SENTENCE_TOKENS + 4 + 5]);
    const vocab = Vocabulary.build([['a', 'b']]);
    const model = buildKimCnn({
      ...KIM_DEFAULTS,
      embeddingDim: 8,
      featureMaps: 4,
      vocabSize: vocab.size,
      classes: 2,
      variant: 'rand',
      seed: 1,
    });
    const explainer = new Explainer(model, vocab, ['0', '1']);
    const words = new Array<string>(HUGE / 5).fill('a');
    // Work grows with the words given (encoding 2 million of them takes a few seconds on a busy machine), but the
    // batch does not: no 29 GB allocation, no wasm out-of-bounds.
    const { value, ms } = timed(() => explainer.explain(words));
    expect(Object.keys(value.probabilities)).toEqual(['0', '1']);
    expect(ms).toBeLessThan(20_000);
    model.dispose();
  });

  it('in predict --file or stdin is refused naming file:line, before any tokenising (it took 1.3 GB)', () => {
    const text = ['a fine film', `${'word '.repeat(HUGE / 5)}`, 'a dull film'].join('\n');
    const bytes = new TextEncoder().encode(text);
    const { value: err, ms } = timed(() => {
      try {
        sentencesFromBytes(bytes, 'big.txt');
        return null;
      } catch (e) {
        return e;
      }
    });
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe(`big.txt:2: line of ${HUGE} bytes (at most ${MAX_LINE_BYTES}): not a sentence`);
    expect(ms).toBeLessThan(1000);
    // A line at the limit is still a sentence.
    const edge = new TextEncoder().encode(`a ${'b'.repeat(MAX_LINE_BYTES - 2)}`);
    expect(sentencesFromBytes(edge, 'edge.txt')).toHaveLength(1);
  });
});

describe('--resume on other data', () => {
  function examples(words: string[], n: number): Example[] {
    return Array.from({ length: n }, (_, i) => ({
      label: String(i % 2),
      text: `${words[i % words.length]} ${words[(i + 1) % words.length]} ${i % 2 ? 'good' : 'bad'}`,
      source: `s:${i}`,
    }));
  }
  const splitOf = (words: string[]) =>
    prepareSplit(
      { train: examples(words, 40), dev: examples(words, 10), test: examples(words, 10) },
      { tokenizer: 'kim' },
    );
  const net = { embeddingDim: 8, windows: [2, 3], featureMaps: 4, seed: 1 };

  it('is refused, naming what differs (here the vocabulary: same ids, other words)', async () => {
    const a = splitOf(['alpha', 'beta', 'gamma']);
    // The same data gives the same fingerprint (so a resume on it goes ahead; the CLI test resumes one).
    expect(splitFingerprint(splitOf(['alpha', 'beta', 'gamma']))).toEqual(splitFingerprint(a));
    const ckpt = join(dir, 'ckpt');
    const first = buildForSplit(a, net);
    await fit(first, { ...kimFitOptions(first, a, { epochs: 1, seed: 1, quiet: true }), checkpointDir: ckpt });
    // Other words with the same vocabulary size: the word ids would mean other words now.
    const b = splitOf(['delta', 'epsilon', 'zeta']);
    expect(b.vocab.size).toBe(a.vocab.size);
    const other = buildForSplit(b, net);
    const err = await fit(other, {
      ...kimFitOptions(other, b, { epochs: 3, seed: 1, quiet: true }),
      checkpointDir: ckpt,
      resume: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(
      /checkpoint\.ckpt: was made on other data: vocabulary "\d+ words, sha256 [0-9a-f]{16}" there, "\d+ words, sha256 [0-9a-f]{16}" now\. Resume with the same data/,
    );
  });
});

describe('a damaged vocabulary beside a model', () => {
  async function savedModel(name: string): Promise<string> {
    const target = join(dir, name);
    const vocab = Vocabulary.build([['where', 'is', 'peru', 'lima']]);
    const model = buildKimCnn({
      ...KIM_DEFAULTS,
      embeddingDim: 4,
      featureMaps: 2,
      vocabSize: vocab.size,
      classes: 2,
      variant: 'rand',
      seed: 1,
    });
    await saveTextModel(model, target, vocab, { classes: ['0', '1'], tokenizer: 'kim' });
    model.dispose();
    return target;
  }

  it('an attached vocabulary cut short is refused by its hash', async () => {
    const target = await savedModel('attached');
    const loaded = await loadTextModel(target);
    loaded.model.dispose();
    const modelJson = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8')) as {
      cnnLab: { files: Record<string, { path: string }> };
    };
    const path = Object.values(modelJson.cnnLab.files)[0]?.path as string;
    const json = JSON.parse(readFileSync(join(target, path), 'utf8')) as { words: string[] };
    writeFileSync(join(target, path), JSON.stringify({ ...json, words: json.words.slice(0, -1) }));
    await expect(loadTextModel(target)).rejects.toThrow(
      /does not match model\.json \(sha256 differs\): it is not this model's vocab\.json/,
    );
  });

  it('a vocab.json beside an older folder is refused when cut to fewer words or mid-file', async () => {
    const target = await savedModel('older');
    // An older folder: vocab.json as a plain file beside the model, not listed in model.json.
    const modelJson = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8')) as {
      cnnLab: { files?: Record<string, { path: string }> };
    };
    const stored = modelJson.cnnLab.files?.[VOCAB_FILE]?.path as string;
    const words = (JSON.parse(readFileSync(join(target, stored), 'utf8')) as { words: string[] }).words;
    delete modelJson.cnnLab.files;
    writeFileSync(join(target, 'model.json'), JSON.stringify(modelJson));
    writeFileSync(join(target, VOCAB_FILE), JSON.stringify({ words, minCount: 1 }));
    (await loadTextModel(target)).model.dispose();

    writeFileSync(join(target, VOCAB_FILE), JSON.stringify({ words: words.slice(0, -2), minCount: 1 }));
    await expect(loadTextModel(target)).rejects.toThrow(
      `${join(target, VOCAB_FILE)}: holds ${words.length - 2} words; the model's word-vector table has ${words.length} rows`,
    );
    const full = JSON.stringify({ words, minCount: 1 });
    writeFileSync(join(target, VOCAB_FILE), full.slice(0, full.length - 7));
    await expect(loadTextModel(target)).rejects.toThrow(/vocab\.json: not JSON/);
  });
});

describe("labels in a user's file", () => {
  const read = (file: string, logs: string[] = []) => readSplit({ dataFile: file }, 1, (m) => logs.push(m));

  it('a one-class file is a data error naming the file, not an internal error', async () => {
    const file = join(dir, 'one-class.txt');
    writeFileSync(file, Array.from({ length: 40 }, (_, i) => `1 sentence number ${i} is fine`).join('\n'));
    const { split, record } = await read(file);
    expect(() => assertTrainable(split, record)).toThrow(
      `${file}: every training example has the label '1': a classifier needs examples of at least two classes`,
    );
  });

  it('bare sentences (first words taken as labels) are refused, and the labels found are always said', async () => {
    const file = join(dir, 'no-labels.txt');
    const first = [
      'the',
      'a',
      'this',
      'that',
      'my',
      'an',
      'one',
      'some',
      'his',
      'her',
      'our',
      'their',
      'every',
      'each',
    ];
    const words = Array.from({ length: 60 }, (_, i) => `${first[i % first.length]}${i >= 14 ? i : ''} movie was fine`);
    writeFileSync(file, words.join('\n'));
    await expect(read(file)).rejects.toThrow(
      /different labels from each line's first word, \d+ of them on one example only: these are not classes/,
    );
    const logs: string[] = [];
    const two = join(dir, 'two-labels.txt');
    writeFileSync(two, goodLines(40).join('\n'));
    await read(two, logs);
    expect(logs.join('\n')).toMatch(/2 labels \(each line's first word\): '0' 20, '1' 20/);
  });

  it('eval counts and names test examples whose labels the model lacks, and leaves the shipped folder alone', async () => {
    const file = join(dir, 'three-labels.txt');
    const lines = Array.from({ length: 200 }, (_, i) => `${['0', '1', 'neutral'][i % 3]} a film number ${i}`);
    writeFileSync(file, lines.join('\n'));
    const shipped = join(import.meta.dirname, '..', 'models', 'default', 'confusion.png');
    const digest = () => createHash('sha256').update(readFileSync(shipped)).digest('hex');
    const before = digest();
    const { split } = await read(file);
    const neutral = split.test.filter((e) => e.label === 'neutral').length;
    expect(neutral).toBeGreaterThan(0);
    const logs: string[] = [];
    const runs = join(dir, 'runs');
    const saved = process.env.CNN_LAB_RUNS;
    process.env.CNN_LAB_RUNS = runs;
    try {
      const result = await evalModel({ dataFile: file }, (m) => logs.push(m));
      expect(result.skippedUnknownLabel).toBe(neutral);
      expect(result.count).toBe(split.test.length - neutral);
      expect(logs.join('\n')).toContain(
        `skipped ${neutral} of ${split.test.length} test examples: their labels ('neutral') are not among the model's classes (0, 1)`,
      );
      expect(result.picture.startsWith(runs)).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.CNN_LAB_RUNS;
      else process.env.CNN_LAB_RUNS = saved;
    }
    expect(digest()).toBe(before);
  });
});
