// Featurising speed: read, decode, trim/pad and log-mel every WAV in a folder (default: FSDD), printing files/s.
// Run: pnpm --filter speech-cnn exec tsx bench/features.ts [folder]   (target: all 2,500 FSDD files in < 10 s)
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDataDir } from '@cnn-lab/core';
import { DEFAULT_FEATURES, LogMel, featuresOf } from '../src/features/index.js';
import { decodeEntries, labelEntries } from '../src/data/index.js';

const dir = resolveDataDir({ dataDir: process.argv[2] }, 'speech/fsdd', 'a folder of WAV files (FSDD)');
const paths = readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .map((p) => p.split('\\').join('/'))
  .filter((p) => p.endsWith('.wav'));
const { entries } = labelEntries(paths);
const logMel = new LogMel(DEFAULT_FEATURES.mel);
const t0 = performance.now();
const set = decodeEntries(entries, (p) => readFileSync(join(dir, p)), DEFAULT_FEATURES);
const t1 = performance.now();
let cells = 0;
for (const clip of set.clips) cells += featuresOf(clip.signal, DEFAULT_FEATURES, logMel).length;
const t2 = performance.now();
const secs = (t2 - t0) / 1000;
console.log(`${set.clips.length} files (${set.bad.length} bad) from ${dir}`);
console.log(
  `read+decode+trim: ${((t1 - t0) / 1000).toFixed(2)} s; log-mel: ${((t2 - t1) / 1000).toFixed(2)} s; ${cells} cells`,
);
console.log(
  `total ${secs.toFixed(2)} s = ${(set.clips.length / secs).toFixed(0)} files/s (target: 2,500 files in < 10 s)`,
);
console.log(
  JSON.stringify({
    files: set.clips.length,
    bad: set.bad.length,
    seconds: Number(secs.toFixed(3)),
    filesPerSecond: Math.round(set.clips.length / secs),
  }),
);
