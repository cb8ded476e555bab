import { describe, expect, it } from 'vitest';
import { UsageError } from '@cnn-lab/core';
import { encodeWav16 } from '../src/audio/index.js';
import { DEFAULT_AUGMENT, DEFAULT_FEATURES, LogMel, SPEECH_MEL, prepareClip } from '../src/features/index.js';
import {
  clipSource,
  decodeEntries,
  featuriseAll,
  entryFor,
  labelEntries,
  parseSplit,
  sortLabels,
  speakerFolds,
  splitEntries,
  type Entry,
} from '../src/data/index.js';

const speakers = ['alice', 'bob', 'carol'];
const fsddNames = ['0', '1', '2'].flatMap((d) =>
  speakers.flatMap((s) => Array.from({ length: 8 }, (_, t) => `${d}_${s}_${t}.wav`)),
);
const { entries } = labelEntries(fsddNames);

describe('labels', () => {
  it('reads label, speaker and take from FSDD names', () => {
    expect(entryFor('7_jackson_32.wav')).toEqual({
      path: '7_jackson_32.wav',
      label: '7',
      speaker: 'jackson',
      take: 32,
    });
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
    expect(() => splitEntries(entries, parseSplit('speaker:dave'), 1)).toThrow(
      /--split speaker:dave: no such speaker \(known: alice, bob, carol\)/,
    );
    expect(() => parseSplit('halves')).toThrow(UsageError);
    const unnamed: Entry[] = [{ path: 'yes/a.wav', label: 'yes' }];
    expect(() => splitEntries(unnamed, parseSplit('fsdd'), 1)).toThrow(/'yes\/a\.wav' has no take number/);
  });
});

describe('decodeEntries', () => {
  it('skips and counts bad files and keeps going', () => {
    const good = encodeWav16(
      new Float32Array(800).map((_, i) => 0.3 * Math.sin(i / 3)),
      8000,
    );
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
  const still = {
    ...DEFAULT_AUGMENT,
    speed: [1, 1] as [number, number],
    snrDb: null,
    gainDb: [0, 0] as [number, number],
    maxShiftSeconds: 0,
  };

  it('speed perturbation moves the tone up and down in training batches; without it the tone stays in its band', async () => {
    const plain = await peakBands({ ...still, probability: 1 }, 3);
    expect(new Set(plain)).toEqual(new Set([plain[0]]));
    const sped = await peakBands({ ...still, probability: 1, speed: [0.85, 1.15] }, 3);
    const home = plain[0] as number;
    expect(Math.min(...sped)).toBeLessThan(home);
    expect(Math.max(...sped)).toBeGreaterThan(home);
  });

  it('--freq-mask and --time-mask zero whole runs of the tone in augmented clips, and never in clean ones', async () => {
    /** Per example: how many of the tone's frames (0..40, all loud when clean) hold a masked (zero) cell in its band. */
    async function masked(aug: typeof DEFAULT_AUGMENT): Promise<number[]> {
      const out: number[] = [];
      for await (const b of clipSource(set, DEFAULT_FEATURES, logMel, aug).batches(0, 16, 7)) {
        const per = b.xs.shape[1]! * bands;
        for (let k = 0; k < b.ys.length; k++) {
          let n = 0;
          for (let t = 0; t < 40; t++)
            if (
              Math.min(
                ...b.xs.data
                  .subarray(k * per + t * bands, k * per + (t + 1) * bands)
                  .filter((_, band) => Math.abs(band - home) <= 1),
              ) === 0
            )
              n++;
          out.push(n);
        }
      }
      return out;
    }
    const home = (await peakBands({ ...still, probability: 0 }, 1))[0] as number;
    expect(await masked({ ...still, probability: 1 })).toEqual(new Array(16).fill(0));
    const withMasks = await masked({ ...still, probability: 1, freqMaskBands: 6, timeMaskFrames: 10 });
    expect(Math.max(...withMasks)).toBeGreaterThan(0);
    // A time mask covers at most 10 frames; a frequency mask over the tone's band covers all 40.
    expect(withMasks.every((n) => n <= 10 || n === 40)).toBe(true);
  });

  it('the share of clips changed is the probability: 0 gives the clean features, 1 changes every one', async () => {
    const clean = featuriseAll(clips, DEFAULT_FEATURES, logMel);
    const batch = async (p: number) => {
      for await (const b of clipSource(set, DEFAULT_FEATURES, logMel, { ...DEFAULT_AUGMENT, probability: p }).batches(
        0,
        16,
        3,
      ))
        return b.xs.data;
      throw new Error('no batch');
    };
    const per = (clean[0] as Float32Array).length;
    const changed = (data: Float32Array) =>
      clean.filter((_, k) => data.subarray(k * per, (k + 1) * per).some((v, i) => v !== (clean[0] as Float32Array)[i]))
        .length;
    expect(changed(await batch(0))).toBe(0);
    expect(changed(await batch(1))).toBe(16);
  });
});
