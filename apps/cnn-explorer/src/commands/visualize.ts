// `visualize`: activation maximisation for every unit of one layer of the MNIST model, as a PNG grid.
import { join } from 'node:path';
import {
  UsageError,
  parseChoice,
  parseIntIn,
  parseNumberIn,
  resolveUserPath,
  runAction,
  withCommonOptions,
  writePng,
  type CommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { LECTURE_LAYERS } from '../model/lecture-cnn.js';
import { loadLectureModel, modelDirFor, runsDir } from '../model/load.js';
import { visualiseLayer, type VisualKind, type VisualOptions } from '../pictures/unit-pictures.js';
import { progressLine, rateEta, secondsSince } from './progress.js';

/** The layer each kind looks at unless --layer says otherwise. */
export const KIND_DEFAULT_LAYER: Record<VisualKind, string> = {
  filter: LECTURE_LAYERS.conv2,
  neuron: LECTURE_LAYERS.dense,
  class: LECTURE_LAYERS.output,
};

/** The gradient-ascent flags `visualize` and `report` share. */
export interface VisualFlags {
  seed?: number;
  l1: number;
  steps: number;
  stepSize: number;
  jitter: number;
  blur: number;
  blurEvery: number;
  clip: boolean;
}

export function addVisualFlags(cmd: Command, l1 = 0): Command {
  return cmd
    .option('--steps <n>', 'gradient-ascent steps', parseIntIn(1, 100_000), 150)
    .option('--step-size <x>', 'step length after normalising the gradient', parseNumberIn(0), 0.02)
    .option('--l1 <lambda>', 'L1 prior: maximise y - lambda * sum |x|', parseNumberIn(0), l1)
    .option('--jitter <px>', 'random shift of up to this many pixels each step', parseIntIn(0, 14), 1)
    .option('--blur <sigma>', 'Gaussian blur sigma applied every --blur-every steps (0: none)', parseNumberIn(0), 0.5)
    .option('--blur-every <n>', 'steps between blurs', parseIntIn(1), 10)
    .option('--no-clip', 'do not clip pixels to [0, 1]');
}

export function visualOptions(flags: VisualFlags, l1 = flags.l1): VisualOptions {
  return {
    steps: flags.steps,
    stepSize: flags.stepSize,
    seed: flags.seed ?? 1,
    l1,
    jitter: flags.jitter,
    blurSigma: flags.blur,
    blurEvery: flags.blurEvery,
    clip: flags.clip ? [0, 1] : null,
  };
}

interface VisualizeOpts extends CommonOptions, VisualFlags {
  layer?: string;
  kind: VisualKind;
  out?: string;
}

export function registerVisualize(program: Command): void {
  const cmd = program
    .command('visualize')
    .description('activation maximisation for every unit of one layer of the MNIST model, as a PNG grid')
    .option(
      '--layer <name>',
      `layer to visualise (default: ${KIND_DEFAULT_LAYER.filter} for filter, ${KIND_DEFAULT_LAYER.neuron} for neuron, ${KIND_DEFAULT_LAYER.class} for class)`,
    )
    .option('--kind <kind>', 'filter | neuron | class', parseChoice(['filter', 'neuron', 'class'] as const), 'filter')
    .option('--out <png>', 'output PNG (default: runs/cnn-explorer/visualize/<layer>-<kind>.png)');
  withCommonOptions(addVisualFlags(cmd), ['modelDir', 'seed', 'json', 'backend']).action(
    runAction<VisualizeOpts>(async ({ opts, log, json }) => {
      const { model } = await loadLectureModel(modelDirFor(opts.modelDir, 'read'));
      const layer = opts.layer ?? KIND_DEFAULT_LAYER[opts.kind];
      const names = model.layers.map((l) => l.name);
      if (!names.includes(layer))
        throw new UsageError(`--layer: no layer '${layer}'; the model's layers are ${names.join(', ')}`);
      const show = progressLine(json);
      const started = Date.now();
      const v = await visualiseLayer(model, layer, opts.kind, {
        ...visualOptions(opts),
        onStep: (step, score) =>
          show(`${opts.kind} ${layer}: mean activation ${score.toFixed(3)}  ${rateEta(step, opts.steps, started)}`),
      });
      show(`done in ${secondsSince(started).toFixed(1)} s`, true);
      const name = `${layer}-${opts.kind}${opts.l1 ? `-l1-${opts.l1}` : ''}.png`;
      const out = opts.out !== undefined ? resolveUserPath(opts.out) : join(runsDir('visualize'), name);
      await writePng(out, v.grid);
      log(`wrote ${out}`);
      if (opts.kind === 'class') {
        for (const p of v.pictures)
          log(`class ${p.unit}: model says ${p.predicted} (${(p.confidence * 100).toFixed(1)}%)`);
      }
      return {
        output: out,
        layer,
        kind: opts.kind,
        units: v.pictures.length,
        pictures: v.pictures.map((p) => ({
          unit: p.unit,
          activation: p.score,
          predicted: p.predicted,
          confidence: p.confidence,
        })),
      };
    }),
  );
}
