// How much a `--length-cue` model leans on its cue: it scores its held-out speaker's recordings (its training
// split is speaker:<name>) with the true cue, then with every recording's cue set to one value (the mean cue of
// that speaker's recordings), and prints the accuracy and how many of each word were right both ways.
// Run: pnpm --filter speech-cnn exec tsx bench/length-cue-probe.ts <model-dir> [<model-dir> ...]
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, loadModel, resolveDataDir } from '@cnn-lab/core';
import { LogMel, inputShape } from '../src/features/index.js';
import { decodeEntries, featuriseAll, labelEntries } from '../src/data/index.js';
import { predictProbs, speechModelInfo } from '../src/model/index.js';

const dirs = process.argv.slice(2);
if (dirs.length === 0) throw new Error('usage: length-cue-probe.ts <model-dir> [<model-dir> ...]');
await initBackend({ quiet: true });
const dataDir = resolveDataDir({}, 'speech/fsdd', 'FSDD');
const { entries } = labelEntries(readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('.wav')));

for (const mdir of dirs) {
  const { model, metadata } = await loadModel(mdir);
  const info = speechModelInfo(metadata, mdir);
  const cueBands = info.features.lengthCue;
  const split = (metadata as { training?: { split?: string } }).training?.split ?? '';
  const speaker = split.startsWith('speaker:') ? split.slice('speaker:'.length) : null;
  if (!cueBands || !speaker) throw new Error(`${mdir}: needs a --length-cue model trained with --split speaker:<name>`);
  const test = entries.filter((e) => e.speaker === speaker);
  const set = decodeEntries(test, (p) => readFileSync(join(dataDir, p)), info.features);
  const labels = set.entries.map((e) => info.labels.indexOf(e.label));
  const shape = inputShape(info.features);
  const [frames, bands] = shape;
  const feats = featuriseAll(set.clips, info.features, new LogMel(info.features.mel));
  const cues = feats.map((x) => x[bands - 1] as number);
  const mean = cues.reduce((s, v) => s + v, 0) / cues.length;
  const flat = feats.map((x) => {
    const y = x.slice();
    for (let t = 0; t < frames; t++) y.fill(mean, t * bands + bands - cueBands, (t + 1) * bands);
    return y;
  });
  const right = (probs: Float32Array): boolean[] =>
    labels.map((l, i) => {
      const row = Array.from(probs.subarray(i * info.labels.length, (i + 1) * info.labels.length));
      return row.indexOf(Math.max(...row)) === l;
    });
  const [a, b] = [feats, flat].map((f) => right(predictProbs(model, f, shape)));
  const pct = (r: boolean[]) => ((100 * r.filter(Boolean).length) / r.length).toFixed(1);
  const perWord = info.labels.map((w, k) => `${w}:${(a as boolean[]).filter((ok, i) => ok && labels[i] === k).length}/${(b as boolean[]).filter((ok, i) => ok && labels[i] === k).length}`);
  console.log(`${mdir} ${speaker}: true cue ${pct(a as boolean[])}%, cue fixed at ${mean.toFixed(3)} ${pct(b as boolean[])}%; right per word (true/fixed) ${perWord.join(' ')}`);
  model.dispose();
}
