import { join } from 'node:path';
import type { Command } from 'commander';
import {
  UsageError,
  classReport,
  confusionMatrix,
  formatClassReport,
  formatConfusionMatrix,
  parseNumberIn,
  plotConfusionMatrix,
  resolveDataDir,
  resolveUserPath,
  runAction,
  withCommonOptions,
  type ActionContext,
  type CommonOptions,
} from '@cnn-lab/core';
import { SPLIT_HELP, UNKNOWN, clipsOf, parseSplit, splitEntries } from '../data/index.js';
import {
  DEFAULT_REJECT,
  loadSpeechClassifier,
  wordOf,
  rankLabels,
  type RejectOptions,
  type SpeechClassifier,
} from '../model/index.js';
import { gateReading } from '../features/index.js';
import { decodeWav } from '../audio/index.js';
import { modelToRead, picturesDir, shown } from './folders.js';
import { readFileSync, readdirSync } from 'node:fs';
import { readRecordings } from './recordings.js';
import { DATA_SUB, DATA_WHAT } from '../app.js';

interface EvalOpts extends CommonOptions {
  split: string;
  negatives?: string;
  minProbability: number;
  unknownThreshold: number;
  testFraction: number;
  out?: string;
}

export function addEval(program: Command): void {
  const cmd = program
    .command('eval')
    .description('score a model on a folder: accuracy, per-word report, confusion matrix (confusion-<split>.png)')
    .option('--split <split>', `${SPLIT_HELP}; 'all' scores every file`, 'fsdd')
    .option('--test-fraction <f>', 'test share for --split random', parseNumberIn(0.01, 0.99), 0.2)
    .option(
      '--negatives <dir>',
      'also score recordings that hold no word (silence, noise, other words): the share answered "no digit", per subfolder',
    )
    .option(
      '--unknown-threshold <p>',
      'a model with the unknown class answers "no digit" (not-a-digit) when that class is at least this probable',
      parseNumberIn(0, 1),
      DEFAULT_REJECT.unknownThreshold,
    )
    .option(
      '--min-probability <p>',
      'a word less probable than this is answered "no digit" (not-a-digit)',
      parseNumberIn(0, 1),
      DEFAULT_REJECT.minProbability,
    )
    .option(
      '--out <dir>',
      'folder for the confusion matrix picture (default: beside --model-dir, else runs/speech-cnn/eval-<time>)',
      (v: string) => resolveUserPath(v),
    );
  withCommonOptions(cmd, ['dataDir', 'modelDir', 'seed', 'json', 'backend']).action(runAction(evaluate));
}

/** `speaker:nicolas` -> `confusion-speaker-nicolas.png`. */
export function confusionFile(split: string): string {
  return `confusion-${split.replace(/[^A-Za-z0-9_-]+/g, '-')}.png`;
}

async function evaluate(ctx: ActionContext<EvalOpts>) {
  const o = ctx.opts;
  const split = parseSplit(o.split, o.testFraction);
  if (split.kind === 'speakers')
    throw new UsageError('--split speakers trains one model per speaker: use it with train');
  const target = modelToRead(o.modelDir);
  const classifier = await loadSpeechClassifier(target);
  const { labels, features } = classifier.info;
  const dir = resolveDataDir(o, DATA_SUB, DATA_WHAT);
  const set = readRecordings(dir, features, ctx.log);
  const known = set.entries.filter((e) => labels.includes(e.label));
  const unknown = set.entries.length - known.length;
  if (unknown)
    ctx.log(`skipped ${unknown} recordings whose label the model does not know (it knows ${labels.join(', ')})`);
  const part = splitEntries(known, split, o.seed ?? 1);
  if (part.test.length === 0) throw new UsageError(`--split ${o.split}: no test recordings in ${dir}`);
  const test = clipsOf(part.test, set, labels);
  // Each member trims and featurises the whole recording as its own metadata says.
  const recordings = test.clips.map((c) => c.source as Float32Array);
  const probs = classifier.probabilities(recordings);
  const answers = decisions(classifier, recordings, probs, o);
  // With the unknown class, the matrix holds the answers as given ("no digit" in the unknown column); without it,
  // the most probable word (the gate's rare silences are counted below).
  const u = labels.indexOf(UNKNOWN);
  const given =
    u < 0
      ? probs
      : Float32Array.from({ length: probs.length }, (_, k) => {
          const a = answers[Math.floor(k / labels.length)] as { label: string | null };
          return k % labels.length === (a.label === null ? u : labels.indexOf(a.label)) ? 1 : 0;
        });
  const matrix = confusionMatrix(given, test.labels);
  const report = classReport(matrix, labels);
  ctx.log(formatClassReport(report));
  ctx.log(`\nconfusion matrix (rows: true word, columns: predicted)\n${formatConfusionMatrix(matrix, labels)}`);
  const plot = join(picturesDir(o.out, target), confusionFile(o.split));
  const members = classifier.members.length;
  await plotConfusionMatrix(matrix, plot, {
    labels,
    title: `speech-cnn ${members > 1 ? `${members} x ` : ''}${classifier.info.kind}: ${o.split}`,
  });
  const right = answers.filter((a, i) => a.label === labels[test.labels[i] as number]).length;
  const silence = answers.filter((a) => a.reason === 'silence').length;
  const notWord = answers.filter((a) => a.reason === 'not-a-digit').length;
  ctx.log(
    `\naccuracy ${(100 * report.accuracy).toFixed(2)}% on ${test.clips.length} recordings (split ${o.split}); confusion matrix drawn in ${shown(plot)}`,
  );
  ctx.log(
    `with the "no digit" answer: ${(100 * (right / test.clips.length)).toFixed(2)}% right (${right}/${test.clips.length}); ${silence} answered silence, ${notWord} not-a-digit`,
  );
  const negatives = o.negatives === undefined ? undefined : scoreNegatives(classifier, o.negatives, o, ctx.log);
  return {
    answered: { accuracy: right / test.clips.length, right, silence, notADigit: notWord },
    ...(negatives ? { negatives } : {}),
    plot,
    accuracy: report.accuracy,
    files: test.clips.length,
    skipped: set.bad.length + set.skipped.length + unknown,
    split: o.split,
    perClass: Object.fromEntries(
      report.classes.map((c) => [c.label, { precision: c.precision, recall: c.recall, f1: c.f1, support: c.support }]),
    ),
    confusion: matrix,
  };
}

/** Each recording's answer from its probabilities, after the voice-activity gate. */
function decisions(
  classifier: SpeechClassifier,
  recordings: readonly Float32Array[],
  probs: Float32Array,
  rule: Pick<RejectOptions, 'unknownThreshold' | 'minProbability'>,
) {
  const labels = classifier.info.labels;
  return recordings.map((r, i) => {
    if (!gateReading(r, classifier.sampleRate).active) return { label: null, reason: 'silence' as const };
    return wordOf(rankLabels(probs.subarray(i * labels.length, (i + 1) * labels.length), labels), rule);
  });
}

/**
 * The share of `dir`'s recordings (none of which holds a word) answered "no digit", per first-level subfolder
 * (e.g. silence, noise, words) and in all; the words it was wrongly heard as.
 */
function scoreNegatives(
  classifier: SpeechClassifier,
  dir: string,
  rule: Pick<RejectOptions, 'unknownThreshold' | 'minProbability'>,
  log: (m: string) => void,
) {
  const root = resolveUserPath(dir);
  let paths: string[];
  try {
    paths = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .map((p) => p.split('\\').join('/'))
      .filter((p) => /\.wav$/i.test(p))
      .sort();
  } catch (err) {
    throw new UsageError(
      `--negatives ${dir}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  if (paths.length === 0) throw new UsageError(`--negatives ${dir}: no WAV files in it`);
  const groups = new Map<
    string,
    { files: number; silence: number; notADigit: number; heardAs: Record<string, number> }
  >();
  const recordings: Float32Array[] = [];
  const groupOf: string[] = [];
  for (const p of paths) {
    const audio = decodeWav(readFileSync(`${root}/${p}`), p, { sampleRate: classifier.sampleRate });
    recordings.push(audio.samples);
    groupOf.push(p.includes('/') ? (p.split('/')[0] as string) : '.');
  }
  const probs = classifier.probabilities(recordings);
  decisions(classifier, recordings, probs, rule).forEach((a, i) => {
    const g = groupOf[i] as string;
    const entry = groups.get(g) ?? { files: 0, silence: 0, notADigit: 0, heardAs: {} };
    entry.files++;
    if (a.reason === 'silence') entry.silence++;
    else if (a.reason === 'not-a-digit') entry.notADigit++;
    else entry.heardAs[a.label as string] = (entry.heardAs[a.label as string] ?? 0) + 1;
    groups.set(g, entry);
  });
  const all = { files: 0, noDigit: 0 };
  const out: Record<
    string,
    {
      files: number;
      noDigit: number;
      rate: number;
      silence: number;
      notADigit: number;
      heardAs: Record<string, number>;
    }
  > = {};
  log(`\nno word in --negatives ${shown(root)}: the share answered "no digit"`);
  for (const [g, e] of [...groups.entries()].sort()) {
    const noDigit = e.silence + e.notADigit;
    out[g] = { ...e, noDigit, rate: noDigit / e.files };
    all.files += e.files;
    all.noDigit += noDigit;
    const wrong = Object.entries(e.heardAs)
      .sort((a, b) => b[1] - a[1])
      .map(([w, n]) => `${w} ${n}`)
      .join(', ');
    log(
      `  ${g}: ${((100 * noDigit) / e.files).toFixed(1)}% (${noDigit}/${e.files}; silence ${e.silence}, not-a-digit ${e.notADigit})${wrong ? `; heard as ${wrong}` : ''}`,
    );
  }
  log(`  all: ${((100 * all.noDigit) / all.files).toFixed(1)}% (${all.noDigit}/${all.files})`);
  return { groups: out, ...all, rate: all.noDigit / all.files };
}
