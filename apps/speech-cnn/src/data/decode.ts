import { DataError } from '@cnn-lab/core';
import { decodeWav } from '../audio/index.js';
import { prepareClip, type FeatureConfig, type PreparedClip } from '../features/index.js';
import type { Entry, Skipped } from './labels.js';

export interface DecodedSet {
  entries: Entry[];
  clips: PreparedClip[];
  /** Files that could not be used, each with the reason; a batch goes on without them. */
  bad: Skipped[];
}

/**
 * Decodes and prepares every entry, reading bytes through `read` (the caller owns file access). A file that is
 * not a usable recording is counted in `bad` and skipped; any other error stops the run.
 */
export function decodeEntries(
  entries: readonly Entry[],
  read: (path: string) => Uint8Array,
  cfg: FeatureConfig,
  onProgress?: (done: number) => void,
): DecodedSet {
  const out: DecodedSet = { entries: [], clips: [], bad: [] };
  entries.forEach((e, i) => {
    try {
      const audio = decodeWav(read(e.path), e.path, { sampleRate: cfg.mel.sampleRate });
      out.clips.push(prepareClip(audio.samples, cfg));
      out.entries.push(e);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      out.bad.push({ path: e.path, reason: err.problem });
    }
    onProgress?.(i + 1);
  });
  return out;
}

/** Example clips with their class indices. */
export interface LabelledClips {
  clips: PreparedClip[];
  labels: Int32Array;
}

/** The clips of `part` (entries of `set`) with their labels' indices in `labels`. */
export function clipsOf(part: readonly Entry[], set: DecodedSet, labels: readonly string[]): LabelledClips {
  const index = new Map(set.entries.map((e, i) => [e.path, i]));
  return {
    clips: part.map((e) => set.clips[index.get(e.path) as number] as PreparedClip),
    labels: Int32Array.from(part, (e) => labels.indexOf(e.label)),
  };
}
