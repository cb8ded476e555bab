// How sure a model with the unknown class is that a recording is "not a digit": p(_unknown_) over the recordings
// of each folder given (after the voice-activity gate; silence is left out), as quantiles, and the share of each
// folder above each threshold: what a threshold on p(_unknown_) would trade between digits wrongly rejected
// and other words let through.
//   pnpm --filter speech-cnn exec tsx bench/unknown-scores.ts <model-dir> <folder>[:<name-regex>] ...
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initBackend } from '@cnn-lab/core';
import { decodeWav } from '../src/audio/index.js';
import { UNKNOWN } from '../src/data/index.js';
import { gateReading } from '../src/features/index.js';
import { loadSpeechClassifier } from '../src/model/index.js';

const [modelArg, ...folders] = process.argv.slice(2);
if (!modelArg || folders.length === 0) {
  process.stderr.write('usage: tsx bench/unknown-scores.ts <model-dir> <folder>[:<name-regex>] ...\n');
  process.exit(2);
}
const here = process.env.INIT_CWD ?? process.cwd();
await initBackend({ quiet: true });
const classifier = await loadSpeechClassifier(resolve(here, modelArg));
const u = classifier.info.labels.indexOf(UNKNOWN);
if (u < 0) throw new Error(`${modelArg}: the model has no ${UNKNOWN} class`);
const classes = classifier.info.labels.length;
const thresholds = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
for (const arg of folders) {
  const [dir, pattern] = arg.split(':') as [string, string | undefined];
  const re = new RegExp(pattern ?? '');
  const root = resolve(here, dir);
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.wav') && re.test(f))
    .sort();
  const recordings = files
    .map((f) => decodeWav(readFileSync(join(root, f)), f, { sampleRate: classifier.sampleRate }).samples)
    .filter((s) => gateReading(s, classifier.sampleRate).active);
  const probs = classifier.probabilities(recordings);
  const pu = recordings.map((_, i) => probs[i * classes + u] as number).sort((a, b) => a - b);
  const q = (p: number) => (pu[Math.min(pu.length - 1, Math.floor(p * pu.length))] as number).toFixed(3);
  console.log(`${arg}: ${recordings.length} of ${files.length} past the gate`);
  console.log(`  p(unknown) 1/5/25/50/75/95/99%: ${[0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99].map(q).join(' ')}`);
  console.log(
    `  share with p(unknown) >= ${thresholds.join(' / ')}: ${thresholds.map((t) => ((100 * pu.filter((p) => p >= t).length) / pu.length).toFixed(1)).join(' / ')} %`,
  );
}
