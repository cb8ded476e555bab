// Speaker-held-out score of ensembles built from fold models that are already trained: for each speaker, the fold
// models <runs>/<tag>-<speaker> of every tag score that speaker's 500 recordings alone, then with their softmax
// averaged (what `ensemble` + `eval` would give, without writing folders). TRIMS=15,20,25 also averages each model
// over several trimming thresholds (test-time augmentation), each column then being one model at one threshold.
// Run: pnpm --filter speech-cnn exec tsx bench/ensemble-folds.ts <runs-dir> <tag> [<tag> ...]
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { accuracy, initBackend, loadModel, resolveDataDir } from '@cnn-lab/core';
import { LogMel, inputShape } from '../src/features/index.js';
import { decodeEntries, featuriseAll, labelEntries } from '../src/data/index.js';
import { predictProbs, speechModelInfo } from '../src/model/index.js';

const trims = (process.env['TRIMS'] ?? '').split(',').filter(Boolean).map(Number);
const [runs, ...tags] = process.argv.slice(2);
if (!runs || tags.length === 0) throw new Error('usage: ensemble-folds.ts <runs-dir> <tag> [<tag> ...]');
await initBackend({ quiet: true });
const dir = resolveDataDir({}, 'speech/fsdd', 'FSDD');
const { entries } = labelEntries(
  readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('.wav')),
);
const speakers = [...new Set(entries.map((e) => e.speaker as string))].sort();

const table: number[][] = [];
for (const speaker of speakers) {
  const test = entries.filter((e) => e.speaker === speaker);
  let sum: Float32Array | undefined;
  let labels = new Int32Array(0);
  const row: number[] = [];
  for (const tag of tags) {
    const mdir = join(runs, `${tag}-${speaker}`);
    const { model, metadata } = await loadModel(mdir);
    const info = speechModelInfo(metadata, mdir);
    for (const trimDb of trims.length ? trims : [info.features.trimDb]) {
      const features = { ...info.features, trimDb };
      const set = decodeEntries(test, (p) => readFileSync(join(dir, p)), features);
      labels = Int32Array.from(set.entries, (e) => info.labels.indexOf(e.label));
      const probs = predictProbs(
        model,
        featuriseAll(set.clips, features, new LogMel(features.mel)),
        inputShape(features),
      );
      row.push(accuracy(probs, labels));
      sum ??= new Float32Array(probs.length);
      for (let i = 0; i < probs.length; i++) sum[i] = (sum[i] as number) + (probs[i] as number);
    }
    model.dispose();
  }
  row.push(accuracy(sum as Float32Array, labels));
  table.push(row);
  console.log(speaker, row.map((a) => (100 * a).toFixed(1)).join(' '));
}
const means = (table[0] as number[]).map((_, c) => table.reduce((s, r) => s + (r[c] as number), 0) / table.length);
console.log(
  'mean',
  means.map((a) => (100 * a).toFixed(2)).join(' '),
  `(columns: ${tags.join(', ')}${trims.length ? ` x trims ${trims.join(',')}` : ''}, ensemble)`,
);
