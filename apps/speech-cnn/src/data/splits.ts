import { Rng, UsageError } from '@cnn-lab/core';
import type { Entry } from './labels.js';

/**
 * How recordings divide into training and test:
 * - `fsdd`: FSDD's convention, takes 0-4 of every word and speaker are test;
 * - `random`: a seeded random fraction is test (the same speakers appear on both sides);
 * - `speaker:<name>`: every recording of one speaker is test, so the model never heard that voice;
 * - `speakers`: each speaker held out in turn (one model per speaker);
 * - `all`: everything is test (for scoring a folder with a trained model).
 */
export type Split =
  | { kind: 'fsdd' }
  | { kind: 'random'; testFraction: number }
  | { kind: 'speaker'; speaker: string }
  | { kind: 'speakers' }
  | { kind: 'all' };

export const SPLIT_HELP =
  'fsdd (takes 0-4 are test), random, speaker:<name> (hold one speaker out), speakers (each in turn), all';

export function parseSplit(text: string, testFraction = 0.2): Split {
  if (text === 'fsdd' || text === 'speakers' || text === 'all') return { kind: text };
  if (text === 'random') return { kind: 'random', testFraction };
  const m = /^speaker:(.+)$/.exec(text);
  if (m) return { kind: 'speaker', speaker: m[1] as string };
  throw new UsageError(`--split: expected one of ${SPLIT_HELP}; got '${text}'`);
}

export function speakersOf(entries: readonly Entry[]): string[] {
  return [...new Set(entries.flatMap((e) => (e.speaker === undefined ? [] : [e.speaker])))].sort();
}

export interface Partition {
  train: Entry[];
  test: Entry[];
}

/** Splits entries; throws a UsageError when the data cannot support the split (no takes, unknown speaker). */
export function splitEntries(entries: readonly Entry[], split: Split, seed: number): Partition {
  switch (split.kind) {
    case 'all':
      return { train: [], test: [...entries] };
    case 'fsdd': {
      const missing = entries.find((e) => e.take === undefined);
      if (missing)
        throw new UsageError(
          `--split fsdd needs FSDD names '{label}_{speaker}_{take}.wav'; '${missing.path}' has no take number`,
        );
      return {
        train: entries.filter((e) => (e.take as number) > 4),
        test: entries.filter((e) => (e.take as number) <= 4),
      };
    }
    case 'random': {
      const shuffled = new Rng(seed).shuffle([...entries]);
      const nTest = Math.round(shuffled.length * split.testFraction);
      return { train: shuffled.slice(nTest), test: shuffled.slice(0, nTest) };
    }
    case 'speaker': {
      const known = speakersOf(entries);
      if (!known.includes(split.speaker)) {
        throw new UsageError(
          `--split speaker:${split.speaker}: no such speaker (known: ${known.join(', ') || 'none: file names carry no speaker'})`,
        );
      }
      return {
        train: entries.filter((e) => e.speaker !== split.speaker),
        test: entries.filter((e) => e.speaker === split.speaker),
      };
    }
    case 'speakers':
      throw new UsageError('--split speakers makes one partition per speaker: use speakerFolds()');
  }
}

/** One partition per speaker, that speaker held out. */
export function speakerFolds(entries: readonly Entry[]): Array<Partition & { speaker: string }> {
  const speakers = speakersOf(entries);
  if (speakers.length < 2) throw new UsageError(`--split speakers needs at least 2 speakers, found ${speakers.length}`);
  return speakers.map((speaker) => ({ speaker, ...splitEntries(entries, { kind: 'speaker', speaker }, 0) }));
}
