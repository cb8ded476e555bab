// Not a verb: reading folders of recordings, the file access train and eval share (src/data decodes what it is given).
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, isWithin, resolveFolderOption } from '@cnn-lab/core';
import { UNKNOWN, decodeEntries, labelEntries, type DecodedSet, type Entry, type Skipped } from '../data/index.js';
import type { FeatureConfig } from '../features/index.js';
import { DATA_WHAT } from '../app.js';

/** Every WAV under `dir`, labelled and decoded; files that cannot be used are counted and listed, not fatal. */
export function readRecordings(
  dir: string,
  cfg: FeatureConfig,
  log: (m: string) => void,
): DecodedSet & { skipped: Skipped[] } {
  const paths = readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((p) => p.split('\\').join('/'));
  const { entries, skipped } = labelEntries(paths.filter((p) => /\.wav$/i.test(p)));
  if (entries.length === 0) throw new UsageError(`--data-dir ${dir}: no usable WAV files (expected ${DATA_WHAT})`);
  const started = performance.now();
  const set = decodeEntries(entries, (p) => readFileSync(join(dir, p)), cfg);
  const secs = (performance.now() - started) / 1000;
  const bad = [...skipped, ...set.bad];
  log(
    `${dir}: ${set.clips.length} recordings read in ${secs.toFixed(1)} s${bad.length ? `, ${bad.length} skipped` : ''}`,
  );
  for (const b of bad.slice(0, 10)) log(`  skipped ${b.path}: ${b.reason}`);
  if (bad.length > 10) log(`  ... and ${bad.length - 10} more`);
  return { ...set, skipped };
}

/** Paths of `--extra-train` recordings carry this prefix, so they can never collide with the data folder's. */
const EXTRA_PREFIX = 'extra-train:';

/**
 * The data folder's recordings followed by the `--extra-train` folder's (labels outside the data's are skipped and
 * counted): splits are drawn from the first set only, and `extra` is added to each training part.
 */
export function withExtraTrain(
  set: DecodedSet,
  dataDir: string,
  extraDir: string | undefined,
  cfg: FeatureConfig,
  log: (m: string) => void,
): { set: DecodedSet; extra: Entry[] } {
  if (extraDir === undefined) return { set, extra: [] };
  const dir = resolveFolderOption('--extra-train', extraDir, DATA_WHAT);
  // The data folder's test recordings would be trained on: every score would be a leak.
  const real = realpathSync(dir);
  const data = realpathSync(dataDir);
  if (isWithin(real, data) || isWithin(data, real)) {
    throw new UsageError(
      `--extra-train: '${extraDir}' overlaps the data folder ${dataDir}; its recordings would be trained on and tested`,
    );
  }
  const more = readRecordings(dir, cfg, log);
  const known = new Set(set.entries.map((e) => e.label));
  const keep = more.entries.flatMap((e, i) => (known.has(e.label) ? [i] : []));
  if (keep.length < more.entries.length)
    log(
      `--extra-train: ${more.entries.length - keep.length} recordings skipped: their labels are not among the data's (${[...known].join(', ')})`,
    );
  if (keep.length === 0)
    throw new UsageError(`--extra-train ${extraDir}: no recordings with the data's labels (${[...known].join(', ')})`);
  const extra = keep.map((i) => ({
    ...(more.entries[i] as Entry),
    path: EXTRA_PREFIX + (more.entries[i] as Entry).path,
  }));
  return {
    set: {
      entries: [...set.entries, ...extra],
      clips: [...set.clips, ...keep.map((i) => more.clips[i] as DecodedSet['clips'][number])],
      bad: set.bad,
    },
    extra,
  };
}

/** Paths of `--unknown` recordings carry this prefix. */
const UNKNOWN_PREFIX = 'unknown:';

/**
 * Every WAV under the `--unknown` folder (any name, any subfolder) as a training recording of the UNKNOWN class
 * (other words, noise): added to every training part, never tested on.
 */
export function withUnknown(
  set: DecodedSet,
  dataDir: string,
  unknownDir: string | undefined,
  cfg: FeatureConfig,
  log: (m: string) => void,
): { set: DecodedSet; unknown: Entry[] } {
  if (unknownDir === undefined) return { set, unknown: [] };
  const dir = resolveFolderOption('--unknown', unknownDir, 'a folder of WAV files that hold none of the words');
  const real = realpathSync(dir);
  const data = realpathSync(dataDir);
  if (isWithin(real, data) || isWithin(data, real)) {
    throw new UsageError(
      `--unknown: '${unknownDir}' overlaps the data folder ${dataDir}; its words would be "unknown"`,
    );
  }
  const paths = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((p) => p.split('\\').join('/'))
    .filter((p) => /\.wav$/i.test(p))
    .sort();
  if (paths.length === 0) throw new UsageError(`--unknown ${unknownDir}: no WAV files in it`);
  const decoded = decodeEntries(
    paths.map((path) => ({ path, label: UNKNOWN })),
    (p) => readFileSync(join(dir, p)),
    cfg,
  );
  log(
    `--unknown ${dir}: ${decoded.clips.length} recordings${decoded.bad.length ? `, ${decoded.bad.length} skipped` : ''}`,
  );
  for (const b of decoded.bad.slice(0, 10)) log(`  skipped ${b.path}: ${b.reason}`);
  const unknown = decoded.entries.map((e) => ({ ...e, path: UNKNOWN_PREFIX + e.path }));
  return {
    set: { entries: [...set.entries, ...unknown], clips: [...set.clips, ...decoded.clips], bad: set.bad },
    unknown,
  };
}
