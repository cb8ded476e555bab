import { describe, expect, it } from 'vitest';
import { UsageError } from '@cnn-lab/core';
import { encodeWav16 } from '../src/audio/index.js';
import { DEFAULT_AUGMENT, DEFAULT_FEATURES, LogMel, SPEECH_MEL, prepareClip } from '../src/features/index.js';
import { clipSource, decodeEntries, entryFor, labelEntries, parseSplit, sortLabels, speakerFolds, splitEntries, type Entry } from '../src/data/index.js';

const speakers = ['alice', 'bob', 'carol'];
const fsddNames = ['0', '1', '2'].flatMap((d) => speakers.flatMap((s) => Array.from({ length: 8 }, (_, t) => `${d}_${s}_${t}.wav`)));
const { entries } = labelEntries(fsddNames);

describe('labels', () => {
  it('reads label, speaker and take from FSDD names', () => {
    expect(entryFor('7_jackson_32.wav')).toEqual({ path: '7_jackson_32.wav', label: '7', speaker: 'jackson', take: 32 });
  });

  it('takes the label from the subfolder when there is one', () => {
    expect(entryFor('yes/clip01.wav')).toEqual({ path: 'yes/clip01.wav', label: 'yes' });
    expect(entryFor('yes/0_bob_3.wav')).toMatchObject({ label: 'yes', speaker: 'bob', take: 3 });
  });

  it('skips files it cannot label, saying why', () => {
    const { entries: ok, skipped } = labelEntries(['readme.txt', 'stray.wav', '3_bob_1.wav']);
    expect(ok.map((e) => e.path)).toEqual(['3_bob_1.wav']);
    expect(skipped.map((s) => s.path)).toEqual(['readme.txt', 'stray.wav']);
    expect(skipped[1]?.reason).toMatch(/no label/);
  });

  it('orders labels numerically', () => {
    expect(sortLabels(['10', '2', '1', 'yes', '2'])).toEqual(['1', '2', '10', 'yes']);
  });
});

describe('splits', () => {
  it('fsdd: takes 0-4 of every word and speaker are test, the rest train', () => {
    const { train, test } = splitEntries(entries, parseSplit('fsdd'), 1);
    expect(test).toHaveLength(3 * 3 * 5);
    expect(train).toHaveLength(3 * 3 * 3);
    expect(test.every((e) => (e.take as number) <= 4)).toBe(true);
    expect(train.every((e) => (e.take as number) >= 5)).toBe(true);
  });

  it('speaker:<name> holds out every recording of that speaker and no other', () => {
    const { train, test } = splitEntries(entries, parseSplit('speaker:bob'), 1);
    expect(test).toHaveLength(24);
    expect(new Set(test.map((e) => e.speaker))).toEqual(new Set(['bob']));
    expect(train.some((e) => e.speaker === 'bob')).toBe(false);
    expect(train.length + test.length).toBe(entries.length);
  });

  it('speakers: one fold per speaker, none leaking into its own training set', () => {
    const folds = speakerFolds(entries);
    expect(folds.map((f) => f.speaker)).toEqual(speakers);
    for (const f of folds) {
      expect(f.train.every((e) => e.speaker !== f.speaker)).toBe(true);
      expect(f.test.every((e) => e.speaker === f.speaker)).toBe(true);
    }
  });

  it('random: seeded, disjoint, covering everything', () => {
    const a = splitEntries(entries, parseSplit('random', 0.25), 7);
    const b = splitEntries(entries, parseSplit('random', 0.25), 7);
    expect(a.test.map((e) => e.path)).toEqual(b.test.map((e) => e.path));
    expect(a.test).toHaveLength(18);
    const all = new Set([...a.train, ...a.test].map((e) => e.path));
    expect(all.size).toBe(entries.length);
  });

  it('rejects an unknown speaker or split, naming the flag and what is known', () => {
    expect(() => splitEntries(entries, parseSplit('speaker:dave'), 1)).toThrow(/--split speaker:dave: no such speaker \(known: alice, bob, carol\)/);
    expect(() => parseSplit('halves')).toThrow(UsageError);
    const unnamed: Entry[] = [{ path: 'yes/a.wav', label: 'yes' }];
    expect(() => splitEntries(unnamed, parseSplit('fsdd'), 1)).toThrow(/'yes\/a\.wav' has no take number/);
  });
});

describe('decodeEntries', () => {
  it('skips and counts bad files and keeps going', () => {
    const good = encodeWav16(new Float32Array(800).map((_, i) => 0.3 * Math.sin(i / 3)), 8000);
    const files: Record<string, Uint8Array> = {
      '0_a_0.wav': good,
      '0_a_1.wav': new TextEncoder().encode('not a wav'),
      '0_a_2.wav': new Uint8Array(0),
      '1_a_0.wav': good,
    };
    const { entries: es } = labelEntries(Object.keys(files));
    const set = decodeEntries(es, (p) => files[p] as Uint8Array, DEFAULT_FEATURES);
    expect(set.entries.map((e) => e.path)).toEqual(['0_a_0.wav', '1_a_0.wav']);
    expect(set.clips[0]?.signal.length).toBe(8000);
    expect(set.bad.map((b) => b.path)).toEqual(['0_a_1.wav', '0_a_2.wav']);
    expect(set.bad[1]?.reason).toMatch(/empty/);
  });
});

describe('training source augmentation', () => {
  const rate = SPEECH_MEL.sampleRate;
  const tone = Float32Array.from({ length: 4000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / rate));
  const clips = Array.from({ length: 16 }, () => prepareClip(tone, DEFAULT_FEATURES));
  const set = { clips, labels: new Int32Array(16) };
  const logMel = new LogMel(SPEECH_MEL);
  const bands = SPEECH_MEL.melBands;
  /** The band where each example's middle frame peaks (the tone's frequency after augmentation). */
  async function peakBands(aug: typeof DEFAULT_AUGMENT, epochs: number): Promise<number[]> {
    const src = clipSource(set, DEFAULT_FEATURES, logMel, aug);
    const peaks: number[] = [];
    for (let e = 0; e < epochs; e++) {
      for await (const b of src.batches(e, 16, 3)) {
        const per = b.xs.shape[1]! * bands;
        for (let k = 0; k < b.ys.length; k++) {
          const row = Array.from(b.xs.data.subarray(k * per + 20 * bands, k * per + 21 * bands));
          peaks.push(row.indexOf(Math.max(...row)));
        }
      }
    }
    return peaks;
  }
  const still = { ...DEFAULT_AUGMENT, speed: [1, 1] as [number, number], snrDb: null, gainDb: [0, 0] as [number, number], maxShiftSeconds: 0 };

  it('--vtlp moves the tone up and down by about alpha; without it the tone stays in its band', async () => {
    const plain = await peakBands({ ...still, probability: 1 }, 3);
    expect(new Set(plain)).toEqual(new Set([plain[0]]));
    const warped = await peakBands({ ...still, probability: 1, vtlp: 0.1 }, 3);
    const home = plain[0] as number;
    expect(Math.min(...warped)).toBeLessThan(home);
    expect(Math.max(...warped)).toBeGreaterThan(home);
    expect(Math.max(...warped.map((b) => Math.abs(b - home)))).toBeLessThanOrEqual(2);
  });

  it('--tempo changes how long the tone lasts in training batches, up and down, and not at all without it', async () => {
    async function lengths(aug: typeof DEFAULT_AUGMENT): Promise<number[]> {
      const src = clipSource(set, DEFAULT_FEATURES, logMel, aug);
      const out: number[] = [];
      for await (const b of src.batches(0, 16, 5)) {
        const per = b.xs.shape[1]! * bands;
        for (let k = 0; k < b.ys.length; k++) {
          let n = 0;
          for (let t = 0; t < b.xs.shape[1]!; t++) if (Math.max(...b.xs.data.subarray(k * per + t * bands, k * per + (t + 1) * bands)) > 0.5) n++;
          out.push(n);
        }
      }
      return out;
    }
    const plain = await lengths({ ...still, probability: 1 });
    expect(new Set(plain).size).toBe(1);
    const varied = await lengths({ ...still, probability: 1, tempo: [0.7, 1.4] });
    expect(Math.min(...varied)).toBeLessThan(plain[0] as number);
    expect(Math.max(...varied)).toBeGreaterThan(plain[0] as number);
  });

  /** How many frames of each training example have a cell above `level`. */
  async function lengths(src: ReturnType<typeof clipSource>, epochs = 1, level = 0.5): Promise<number[]> {
    const out: number[] = [];
    for (let e = 0; e < epochs; e++) {
      for await (const b of src.batches(e, 16, 5)) {
        const per = b.xs.shape[1]! * bands;
        for (let k = 0; k < b.ys.length; k++) {
          let n = 0;
          for (let t = 0; t < b.xs.shape[1]!; t++) if (Math.max(...b.xs.data.subarray(k * per + t * bands, k * per + (t + 1) * bands)) > level) n++;
          out.push(n);
        }
      }
    }
    return out;
  }

  it('--time-warp moves where the tone ends in training batches, earlier and later, and not at all without it', async () => {
    // A word of two parts: the tone, then a quieter one an octave up; the warp moves the boundary between them.
    const twoParts = Float32Array.from({ length: 6000 }, (_, i) => (i < 3000 ? 0.5 : 0.2) * Math.sin((2 * Math.PI * (i < 3000 ? 1000 : 2000) * i) / rate));
    const cfg = { ...DEFAULT_FEATURES, rangeDb: 40 };
    const two = { clips: Array.from({ length: 16 }, () => prepareClip(twoParts, cfg)), labels: new Int32Array(16) };
    const plain = await lengths(clipSource(two, cfg, logMel, { ...still, probability: 1 }), 2, 0.9);
    expect(new Set(plain).size).toBe(1);
    const warped = await lengths(clipSource(two, cfg, logMel, { ...still, probability: 1, timeWarpFrames: 8 }), 2, 0.9);
    expect(Math.min(...warped)).toBeLessThan(plain[0] as number);
    expect(Math.max(...warped)).toBeGreaterThan(plain[0] as number);
    expect(Math.max(...warped.map((n) => Math.abs(n - (plain[0] as number))))).toBeLessThanOrEqual(9);
  });

  it('--trim-jitter keeps a quiet tail in some training clips and cuts it in others; without it every clip is cut alike', async () => {
    // 0.25 s loud, then 0.25 s 25 dB quieter: trimmed away at 20 dB, kept at 30 dB.
    const tail = Float32Array.from({ length: 4000 }, (_, i) => (i < 2000 ? 0.5 : 0.5 * 10 ** (-25 / 20)) * Math.sin((2 * Math.PI * 1000 * i) / rate));
    const cfg = { ...DEFAULT_FEATURES, trimDb: 20 };
    const tailed = { clips: Array.from({ length: 16 }, () => prepareClip(tail, cfg)), labels: new Int32Array(16) };
    const plain = await lengths(clipSource(tailed, cfg, logMel, { ...still, probability: 1 }), 2, 0);
    expect(new Set(plain).size).toBe(1);
    const jittered = await lengths(clipSource(tailed, cfg, logMel, { ...still, probability: 1, trimJitterDb: 10 }), 2, 0);
    expect(Math.max(...jittered)).toBeGreaterThan((plain[0] as number) + 15);
    expect(jittered.filter((n) => n === plain[0]).length).toBeGreaterThan(0);
    const bare = { clips: tailed.clips.map(({ signal, voiced }) => ({ signal, voiced })), labels: tailed.labels };
    expect(() => clipSource(bare, cfg, logMel, { ...still, trimJitterDb: 10 })).toThrow(/source recording/);
  });

  it('--augment-prob sets the share of clips changed: 0 gives the clean features, 1 changes every one', async () => {
    const strong = { ...still, vtlp: 0.1 };
    const clean = new Set(await peakBands({ ...strong, probability: 0 }, 2));
    expect(clean.size).toBe(1);
    const home = [...clean][0];
    const all = await peakBands({ ...strong, probability: 1 }, 4);
    const half = await peakBands({ ...strong, probability: 0.5 }, 4);
    const moved = (p: number[]) => p.filter((b) => b !== home).length / p.length;
    expect(moved(all)).toBeGreaterThan(moved(half));
  });
});
