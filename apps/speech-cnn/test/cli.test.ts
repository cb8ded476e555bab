import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, saveModel } from '@cnn-lab/core';
import { encodeWav16 } from '../src/audio/index.js';
import { DEFAULT_FEATURES, inputShape } from '../src/features/index.js';
import { buildFreqModel } from '../src/model/index.js';

const run = promisify(execFile);
const appDir = join(import.meta.dirname, '..');
const tsx = join(appDir, '..', '..', 'node_modules', '.bin', 'tsx');
let dir: string;
/** Where commands write runs by default in these tests (CNN_LAB_RUNS), instead of the checkout's runs/. */
let runs: string;

async function cli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(tsx, [join(appDir, 'src', 'cli.ts'), ...args], {
      cwd: appDir,
      env: { ...process.env, CNN_LAB_BACKEND: 'cpu', CNN_LAB_RUNS: runs },
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'speech-cli-'));
  runs = join(dir, 'runs');
  await tf.setBackend('cpu');
  const model = buildFreqModel(inputShape(DEFAULT_FEATURES), 2);
  await saveModel(model, join(dir, 'model'), {
    app: 'speech-cnn',
    kind: 'freq',
    labels: ['yes', 'no'],
    features: DEFAULT_FEATURES,
  });
  // A tone that rises and falls, as a word does: the voice-activity gate lets it through (a steady one is silence).
  const tone = Float32Array.from({ length: 6000 }, (_, i) => 0.4 * Math.sin(i / 5) * Math.sin((Math.PI * i) / 6000));
  // A model trained with --mels 20: its metadata, not the defaults, fixes how predict featurises.
  const mels20 = { ...DEFAULT_FEATURES, mel: { ...DEFAULT_FEATURES.mel, melBands: 20 } };
  await saveModel(buildFreqModel(inputShape(mels20), 2), join(dir, 'model20'), {
    app: 'speech-cnn',
    kind: 'freq',
    labels: ['yes', 'no'],
    features: mels20,
  });
  writeFileSync(join(dir, 'word.wav'), encodeWav16(tone, 16000));
  writeFileSync(join(dir, 'bad.wav'), 'not audio');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('speech-cnn predict', () => {
  it("--json ends with one JSON line holding each file's label and probabilities, and skips a bad file", async () => {
    const r = await cli([
      'predict',
      join(dir, 'word.wav'),
      join(dir, 'bad.wav'),
      '--model-dir',
      join(dir, 'model'),
      '--json',
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0] as string) as {
      predictions: Array<{ file: string; label: string; probabilities: Record<string, number> }>;
      failed: number;
      errors: Array<{ error: string }>;
    };
    expect(out.predictions).toHaveLength(1);
    expect(['yes', 'no']).toContain(out.predictions[0]?.label);
    const p = out.predictions[0]?.probabilities ?? {};
    expect((p.yes ?? 0) + (p.no ?? 0)).toBeCloseTo(1, 3);
    expect(out.failed).toBe(1);
    expect(out.errors[0]?.error).toMatch(/bad\.wav: not a readable WAV file/);
  });

  it('answers label null with the reason "silence" for a silent and a steady-noise WAV, and "not-a-digit" below --min-probability', async () => {
    const silent = join(dir, 'silent.wav');
    const hiss = join(dir, 'hiss.wav');
    writeFileSync(silent, encodeWav16(new Float32Array(12000), 16000));
    const rng = new Rng(5);
    writeFileSync(
      hiss,
      encodeWav16(
        Float32Array.from({ length: 12000 }, () => 0.05 * rng.normal()),
        16000,
      ),
    );
    const r = await cli(['predict', silent, hiss, join(dir, 'word.wav'), '--model-dir', join(dir, 'model'), '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as {
      predictions: Array<{ label: string | null; reason?: string; probabilities: Record<string, number> }>;
    };
    expect(out.predictions.map((p) => [p.label, p.reason])).toEqual([
      [null, 'silence'],
      [null, 'silence'],
      [expect.stringMatching(/^(yes|no)$/), undefined],
    ]);
    // Nothing was asked of the model for silence.
    expect(out.predictions[0]?.probabilities).toEqual({});
    const text = await cli(['predict', silent, '--model-dir', join(dir, 'model')]);
    expect(text.stdout).toMatch(/silent\.wav: no digit \(silence: loudest -120 dBFS\)/);
    // An untrained two-word model is never 99.9% sure: every word it hears is "not a digit".
    const strict = await cli([
      'predict',
      join(dir, 'word.wav'),
      '--model-dir',
      join(dir, 'model'),
      '--min-probability',
      '0.999',
      '--json',
    ]);
    const s = JSON.parse(strict.stdout.trim().split('\n').at(-1) as string) as {
      predictions: Array<{ label: string | null; reason?: string }>;
    };
    expect(s.predictions[0]).toMatchObject({ label: null, reason: 'not-a-digit' });
    const bad = await cli(['predict', silent, '--min-probability', '2', '--model-dir', join(dir, 'model')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--min-probability');
  });

  it('eval --negatives scores the share of recordings without a word answered "no digit", per subfolder', async () => {
    const data = join(dir, 'yes-no');
    const negatives = join(dir, 'negatives');
    for (const d of [data, join(negatives, 'silence'), join(negatives, 'words')]) mkdirSync(d, { recursive: true });
    const burst = Float32Array.from({ length: 4000 }, (_, i) => 0.3 * Math.sin(i / 4) * Math.sin((Math.PI * i) / 4000));
    for (const w of ['yes', 'no']) writeFileSync(join(data, `${w}_ann_0.wav`), encodeWav16(burst, 8000));
    for (let k = 0; k < 3; k++)
      writeFileSync(join(negatives, 'silence', `s${k}.wav`), encodeWav16(new Float32Array(8000), 8000));
    writeFileSync(join(negatives, 'words', 'hello.wav'), encodeWav16(burst, 8000));
    const r = await cli([
      'eval',
      '--data-dir',
      data,
      '--split',
      'all',
      '--model-dir',
      join(dir, 'model'),
      '--negatives',
      negatives,
      '--out',
      join(dir, 'neg-out'),
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as {
      negatives: {
        files: number;
        noDigit: number;
        groups: Record<string, { files: number; silence: number; noDigit: number; heardAs: Record<string, number> }>;
      };
    };
    // Silence is all caught by the gate; a word-like burst is heard as a word by a model without the unknown class.
    expect(out.negatives.groups.silence).toMatchObject({ files: 3, silence: 3, noDigit: 3 });
    expect(out.negatives.groups.words).toMatchObject({ files: 1, noDigit: 0 });
    expect(Object.values(out.negatives.groups.words?.heardAs ?? {})).toEqual([1]);
    expect(out.negatives).toMatchObject({ files: 4, noDigit: 3 });
    const empty = await cli([
      'eval',
      '--data-dir',
      data,
      '--split',
      'all',
      '--model-dir',
      join(dir, 'model'),
      '--negatives',
      join(dir, 'neg-out'),
    ]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--negatives .*: no WAV files in it/);
  });

  it('names a missing model folder and the flag, and exits 2', async () => {
    const r = await cli(['predict', join(dir, 'word.wav'), '--model-dir', join(dir, 'nowhere')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: --model-dir: no model in .*nowhere.*model\.json/);
  });

  it('rejects an unknown --model for train with a usage error', async () => {
    const r = await cli(['train', '--model', 'rnn', '--data-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--model.*expected one of freq, 2d, got 'rnn'/);
  });

  it('rejects a --trim-db, --range-db, --eq, --freq-mask or --time-mask out of range, naming the flag', async () => {
    for (const [flag, value] of [
      ['--trim-db', '-1'],
      ['--range-db', '5'],
      ['--eq', '50'],
      ['--freq-mask', '41'],
      ['--time-mask', '-2'],
    ] as const) {
      const r = await cli(['train', flag, value, '--data-dir', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(flag);
    }
  });

  it('--resume without --model-dir continues the newest run, and says so when there is none', async () => {
    const r = await cli(['train', '--resume', '--data-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resume: no run of speech-cnn with checkpoints in .*runs.*speech-cnn/);
  });

  /** Two words (tones) said by two speakers, six takes each, in a new folder. */
  function tinyData(name: string): string {
    const data = join(dir, name);
    mkdirSync(data, { recursive: true });
    for (const [label, hz] of [
      ['0', 500],
      ['1', 1500],
    ] as const) {
      for (const speaker of ['ann', 'bob']) {
        for (let take = 0; take < 6; take++) {
          const x = Float32Array.from(
            { length: 3000 },
            (_, i) =>
              0.3 * Math.sin((2 * Math.PI * hz * (1 + 0.01 * take) * i) / 8000) * Math.sin((Math.PI * i) / 3000),
          );
          writeFileSync(join(data, `${label}_${speaker}_${take}.wav`), encodeWav16(x, 8000));
        }
      }
    }
    return data;
  }

  it('train stores --trim-db, --range-db and --stretch in the model and the augmentation in its training record; predict featurises as they say', async () => {
    const data = tinyData('tiny');
    const model = join(dir, 'tiny-model');
    const args = ['train', '--data-dir', data, '--model-dir', model, '--epochs', '1', '--workers', '1', '--json'];
    const r = await cli([
      ...args,
      '--range-db',
      '45',
      '--trim-db',
      '25',
      '--stretch',
      '--freq-mask',
      '4',
      '--time-mask',
      '6',
      '--eq',
      '3',
    ]);
    expect(r.code).toBe(0);
    const meta = JSON.parse(readFileSync(join(model, 'metadata.json'), 'utf8')) as {
      features: Record<string, unknown>;
      training: { augment: { freqMaskBands: number; timeMaskFrames: number; eqDb: number } };
    };
    // Only the settings this version reads: no retired switches.
    expect(Object.keys(meta.features).sort()).toEqual(['mel', 'rangeDb', 'seconds', 'stretch', 'trimDb']);
    expect(meta.features).toMatchObject({ rangeDb: 45, trimDb: 25, stretch: true });
    expect(meta.training.augment).toMatchObject({ freqMaskBands: 4, timeMaskFrames: 6, eqDb: 3 });
    expect(existsSync(join(model, 'history.png'))).toBe(true);
    const p = await cli(['predict', join(data, '1_ann_0.wav'), '--model-dir', model, '--json']);
    expect(p.code).toBe(0);
    expect(
      (JSON.parse(p.stdout.trim().split('\n').at(-1) as string) as { predictions: unknown[] }).predictions,
    ).toHaveLength(1);
  }, 60_000);

  it('--unknown adds one more class, last, trained on every recording in the folder; predict answers it as not-a-digit', async () => {
    const data = tinyData('tiny-unknown');
    const unknown = join(dir, 'unknown');
    mkdirSync(join(unknown, 'noise'), { recursive: true });
    // Any name, any subfolder: everything in it is "none of the words".
    const rng = new Rng(3);
    for (let k = 0; k < 6; k++) {
      const x = Float32Array.from({ length: 3000 }, (_, i) => 0.2 * rng.normal() * Math.sin((Math.PI * i) / 3000));
      writeFileSync(join(unknown, k % 2 ? `hello_${k}.wav` : join('noise', `n${k}.wav`)), encodeWav16(x, 8000));
    }
    const model = join(dir, 'unknown-model');
    const r = await cli([
      'train',
      '--data-dir',
      data,
      '--unknown',
      unknown,
      '--split',
      'speaker:ann',
      '--model-dir',
      model,
      '--epochs',
      '1',
      '--workers',
      '1',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
    // bob's 12 recordings and the 6 unknown ones train; ann's 12 alone are tested.
    expect(out).toMatchObject({ trainFiles: 18, testFiles: 12, unknownFiles: 6, labels: ['0', '1', '_unknown_'] });
    const meta = JSON.parse(readFileSync(join(model, 'metadata.json'), 'utf8')) as { labels: string[] };
    expect(meta.labels).toEqual(['0', '1', '_unknown_']);
    // Make the unknown class win whatever the input, and predict says "not a digit" for a word it hears.
    const forced = join(dir, 'unknown-forced');
    const { loadModelFolder } = await import('@cnn-lab/core');
    const loaded = await loadModelFolder(model, { app: 'speech-cnn', validate: (m) => m });
    const last = loaded.model.layers.at(-1) as tf.layers.Layer;
    const [kernel] = last.getWeights() as [tf.Tensor, tf.Tensor];
    last.setWeights([tf.zerosLike(kernel), tf.tensor1d([0, 0, 20])]);
    const { weightsSha256: _hash, createdAt: _date, app: _app, version: _version, ...fields } = loaded.raw;
    await saveModel(loaded.model, forced, { app: 'speech-cnn', ...fields });
    const p = await cli(['predict', join(data, '1_ann_0.wav'), '--model-dir', forced, '--json']);
    expect(p.code).toBe(0);
    const pred = JSON.parse(p.stdout.trim().split('\n').at(-1) as string) as {
      predictions: Array<{ label: string | null; reason?: string; probabilities: Record<string, number> }>;
    };
    expect(pred.predictions[0]).toMatchObject({ label: null, reason: 'not-a-digit' });
    expect(pred.predictions[0]?.probabilities._unknown_).toBeGreaterThan(0.99);
    const clash = await cli(['train', '--data-dir', data, '--unknown', data, '--epochs', '1']);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/--unknown: .* overlaps the data folder/);
  }, 120_000);

  it('--extra-train adds recordings to the training part only, skips labels the data lacks, names a missing folder and refuses the data folder', async () => {
    const data = tinyData('tiny-extra');
    const extra = join(dir, 'synth');
    mkdirSync(extra, { recursive: true });
    // Four takes of each word by a synthetic voice, one take named like the held-out speaker, and a word the data lacks.
    for (const [label, hz] of [
      ['0', 520],
      ['1', 1450],
      ['7', 900],
    ] as const) {
      for (let take = 0; take < 4; take++) {
        const x = Float32Array.from({ length: 2500 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * hz * i) / 8000));
        writeFileSync(join(extra, `${label}_${take === 3 ? 'ann' : 'syn'}_${take}.wav`), encodeWav16(x, 8000));
      }
    }
    const model = join(dir, 'extra-model');
    const r = await cli([
      'train',
      '--data-dir',
      data,
      '--extra-train',
      extra,
      '--split',
      'speaker:ann',
      '--model-dir',
      model,
      '--epochs',
      '1',
      '--workers',
      '1',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as {
      trainFiles: number;
      testFiles: number;
      extraTrainFiles: number;
    };
    // bob's 12 recordings + the 8 extra ones of words 0 and 1; ann's 12 alone are tested (not the extra file named 'ann').
    expect(out).toMatchObject({ trainFiles: 20, testFiles: 12, extraTrainFiles: 8 });
    expect(r.stderr + r.stdout).toMatch(/4 recordings skipped: their labels are not among the data's/);
    const meta = JSON.parse(readFileSync(join(model, 'metadata.json'), 'utf8')) as {
      labels: string[];
      training: { extraTrain: string; extraTrainFiles: number };
    };
    expect(meta.labels).toEqual(['0', '1']);
    expect(meta.training).toMatchObject({ extraTrain: extra, extraTrainFiles: 8 });

    const missing = await cli(['train', '--data-dir', data, '--extra-train', join(dir, 'nowhere'), '--epochs', '1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--extra-train: '.*nowhere' is not a folder/);
    // The data folder itself (or a folder inside it) as extra training data would train on the test recordings.
    const same = await cli(['train', '--data-dir', data, '--extra-train', data, '--epochs', '1']);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/--extra-train: '.*tiny-extra' overlaps the data folder/);
  }, 120_000);

  it('predicts with a model of 20 mel bands, featurising as its metadata says', async () => {
    const r = await cli(['predict', join(dir, 'word.wav'), '--model-dir', join(dir, 'model20'), '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as { predictions: Array<{ label: string }> };
    expect(out.predictions).toHaveLength(1);
  });

  it('eval of a trained model gives the accuracy training reported and draws confusion-<split>.png beside it or into --out; ensemble and predict use it; training into the ensemble folder replaces it', async () => {
    const data = tinyData('tiny-ens');
    const trainArgs = (model: string, seed: string) => [
      'train',
      '--data-dir',
      data,
      '--model-dir',
      model,
      '--epochs',
      '1',
      '--workers',
      '1',
      '--json',
      '--split',
      'speaker:bob',
      '--seed',
      seed,
    ];
    const m1 = join(dir, 'ens-1');
    const r = await cli(trainArgs(m1, '1'));
    expect(r.code).toBe(0);
    const trained = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as {
      testAccuracy: number;
      testFiles: number;
      historyPlot: string;
    };
    expect(trained.testFiles).toBe(12);
    expect(trained.historyPlot).toBe(join(m1, 'history.png'));
    // eval scores the same recordings with the same model: the same accuracy as training reported.
    const ev = await cli(['eval', '--data-dir', data, '--model-dir', m1, '--split', 'speaker:bob', '--json']);
    expect(ev.code).toBe(0);
    const scored = JSON.parse(ev.stdout.trim().split('\n').at(-1) as string) as { accuracy: number; plot: string };
    expect(scored.accuracy).toBeCloseTo(trained.testAccuracy, 6);
    expect(scored.plot).toBe(join(m1, 'confusion-speaker-bob.png'));
    expect(existsSync(scored.plot)).toBe(true);
    const out = join(dir, 'pictures');
    const ev2 = await cli(['eval', '--data-dir', data, '--model-dir', m1, '--split', 'all', '--out', out, '--json']);
    expect(ev2.code).toBe(0);
    expect(existsSync(join(out, 'confusion-all.png'))).toBe(true);

    const m2 = join(dir, 'ens-2');
    expect((await cli(trainArgs(m2, '2'))).code).toBe(0);
    const ens = join(dir, 'ens');
    expect((await cli(['ensemble', m1, m2, '--model-dir', ens])).code).toBe(0);
    const p = await cli(['predict', join(dir, 'word.wav'), '--model-dir', ens, '--json']);
    expect(p.code).toBe(0);
    const probs =
      (
        JSON.parse(p.stdout.trim().split('\n').at(-1) as string) as {
          predictions: Array<{ probabilities: Record<string, number> }>;
        }
      ).predictions[0]?.probabilities ?? {};
    expect((probs['0'] ?? 0) + (probs['1'] ?? 0)).toBeCloseTo(1, 3);
    // A broken member list is named.
    const list = readFileSync(join(ens, 'ensemble.json'), 'utf8');
    writeFileSync(join(ens, 'ensemble.json'), JSON.stringify({ members: ['../elsewhere'] }));
    const bad = await cli(['predict', join(dir, 'word.wav'), '--model-dir', ens]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/ensemble\.json.*"members"/);
    writeFileSync(join(ens, 'ensemble.json'), list);
    const single = await cli(trainArgs(ens, '3'));
    expect(single.code).toBe(0);
    expect(existsSync(join(ens, 'ensemble.json'))).toBe(false);
    expect(readdirSync(ens).some((n) => n.startsWith('member-'))).toBe(false);
    expect(existsSync(join(ens, 'model.json'))).toBe(true);
  }, 120_000);

  it('ensemble combines models with different features into one folder that predict uses, and refuses a member that knows other words', async () => {
    const out = join(dir, 'combined');
    const r = await cli(['ensemble', join(dir, 'model'), join(dir, 'model20'), '--model-dir', out, '--json']);
    expect(r.code).toBe(0);
    const members = (JSON.parse(readFileSync(join(out, 'ensemble.json'), 'utf8')) as { members: string[] }).members;
    expect(members).toHaveLength(2);
    expect(members[0]).toMatch(/^member-1-[0-9a-f]{8}$/);
    const bands = (m: string) =>
      (JSON.parse(readFileSync(join(out, m, 'metadata.json'), 'utf8')) as { features: { mel: { melBands: number } } })
        .features.mel.melBands;
    expect(members.map(bands)).toEqual([40, 20]);
    const p = await cli(['predict', join(dir, 'word.wav'), '--model-dir', out, '--json']);
    expect(p.code).toBe(0);
    expect(
      (JSON.parse(p.stdout.trim().split('\n').at(-1) as string) as { predictions: unknown[] }).predictions,
    ).toHaveLength(1);
    await saveModel(buildFreqModel(inputShape(DEFAULT_FEATURES), 3), join(dir, 'model3'), {
      app: 'speech-cnn',
      kind: 'freq',
      labels: ['yes', 'no', 'maybe'],
      features: DEFAULT_FEATURES,
    });
    const bad = await cli([
      'ensemble',
      join(dir, 'model'),
      join(dir, 'model3'),
      '--model-dir',
      join(dir, 'combined-bad'),
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/member 2 knows the words yes, no, maybe/);
    expect(existsSync(join(dir, 'combined-bad', 'ensemble.json'))).toBe(false);
    // A member inside the output folder would be removed with the old members: refused, and nothing is touched.
    const inside = await cli(['ensemble', join(out, members[0] as string), join(dir, 'model'), '--model-dir', out]);
    expect(inside.code).toBe(2);
    expect(inside.stderr).toMatch(/member-1-[0-9a-f]{8} lies inside the output folder/);
    expect(existsSync(join(out, members[1] as string, 'model.json'))).toBe(true);
  }, 60_000);

  it('train and eval with their defaults write only under the runs folder: the shipped model stays byte for byte', async () => {
    const shipped = join(appDir, 'models', 'default');
    const snapshot = () =>
      readdirSync(shipped, { recursive: true, encoding: 'utf8' })
        .sort()
        .map((f) => {
          const path = join(shipped, f);
          return statSync(path).isFile() ? `${f} ${createHash('sha256').update(readFileSync(path)).digest('hex')}` : f;
        });
    const before = snapshot();
    const data = tinyData('tiny-defaults');
    const t = await cli(['train', '--data-dir', data, '--epochs', '1', '--workers', '1', '--json']);
    expect(t.code).toBe(0);
    const trained = JSON.parse(t.stdout.trim().split('\n').at(-1) as string) as { modelDir: string };
    expect(trained.modelDir.startsWith(join(runs, 'speech-cnn') + sep)).toBe(true);
    expect(existsSync(join(trained.modelDir, 'model.json'))).toBe(true);
    // The shipped ensemble knows the digits 0 and 1: eval scores the tiny folder and draws into a new runs folder.
    const e = await cli(['eval', '--data-dir', data, '--split', 'all', '--json']);
    expect(e.code).toBe(0);
    const scored = JSON.parse(e.stdout.trim().split('\n').at(-1) as string) as { plot: string };
    expect(scored.plot.startsWith(join(runs, 'speech-cnn', 'eval-'))).toBe(true);
    expect(scored.plot.endsWith(`${sep}confusion-all.png`)).toBe(true);
    expect(existsSync(scored.plot)).toBe(true);
    expect(snapshot()).toEqual(before);
  }, 120_000);
});
