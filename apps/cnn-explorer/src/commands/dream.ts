// `dream`: Deep Dream on a photo with InceptionV3 from the nsfwjs package (PNG/JPEG in, PNG out).
import { basename, extname, join } from 'node:path';
import {
  parseIntIn,
  parseNumberIn,
  resolveUserPath,
  runAction,
  withCommonOptions,
  type CommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { DREAM_DEFAULTS, dreamPhoto, parseLayerWeights, type DreamSettings } from '../dream/dream-photo.js';
import { readPhoto, writePhoto } from '../images/photo-files.js';
import { inceptionCacheRoot, loadInception } from '../inception/load.js';
import { runsDir } from '../model/load.js';
import { progressLine, rateEta, secondsSince } from './progress.js';

export interface DreamRun extends DreamSettings {
  /** The photo (absolute path) and the PNG to write. */
  image: string;
  out: string;
  maxSize: number;
  cacheDir?: string;
}

/** Reads the photo, dreams on it with progress on stderr, writes the PNG; returns what the JSON line reports. */
export async function runDream(run: DreamRun, ctx: { log: (line: string) => void; json: boolean }) {
  const photo = await readPhoto(run.image, run.maxSize);
  const model = await loadInception(inceptionCacheRoot(run.cacheDir), ctx.log);
  const total = run.octaves * run.steps;
  const show = progressLine(ctx.json);
  const started = Date.now();
  let done = 0;
  const result = await dreamPhoto(model, photo, run, ({ octave, loss, size }) => {
    done++;
    show(
      `dream octave ${octave + 1}/${run.octaves} ${size[1]}x${size[0]} loss ${loss.toFixed(3)}  ${rateEta(done, total, started)}`,
    );
  });
  show(`dream done in ${secondsSince(started).toFixed(0)} s`, true);
  await writePhoto(run.out, result.image);
  const seconds = secondsSince(started);
  ctx.log(`wrote ${run.out} (${result.image.width}x${result.image.height}, ${seconds.toFixed(0)} s)`);
  return {
    output: run.out,
    width: result.image.width,
    height: result.image.height,
    layers: run.layers,
    seconds,
    lossFirst: result.losses[0],
    lossLast: result.losses.at(-1),
  };
}

interface DreamOpts extends CommonOptions {
  out?: string;
  layers?: string;
  octaves: number;
  octaveScale: number;
  steps: number;
  stepSize: number;
  maxSize: number;
  cacheDir?: string;
}

export function registerDream(program: Command): void {
  withCommonOptions(
    program
      .command('dream')
      .description('Deep Dream on a photo with InceptionV3 from the nsfwjs package (PNG/JPEG in, PNG out)')
      .argument('<image>', 'PNG or JPEG file')
      .option('--out <png>', 'output PNG (default: runs/cnn-explorer/dream/<name>-dream.png)')
      .option(
        '--layers <list>',
        "layers and weights, e.g. mixed4:1,mixed5:1.5 (default: Keras' mixed4..mixed7 1/1.5/2/2.5)",
      )
      .option('--octaves <n>', 'scales', parseIntIn(1, 8), DREAM_DEFAULTS.octaves)
      .option('--octave-scale <x>', 'size ratio between octaves', parseNumberIn(1.01, 4), DREAM_DEFAULTS.octaveScale)
      .option('--steps <n>', 'ascent steps per octave', parseIntIn(1, 1000), DREAM_DEFAULTS.steps)
      .option('--step-size <x>', 'step length (pixels in 0..1)', parseNumberIn(0), DREAM_DEFAULTS.stepSize)
      .option(
        '--max-size <px>',
        'shrink the photo so its longer side is at most this',
        parseIntIn(32, 2048),
        DREAM_DEFAULTS.maxSize,
      )
      .option('--cache-dir <dir>', 'where the prepared InceptionV3 is cached (default ~/.cache/cnn-lab)'),
    ['json', 'backend'],
  ).action(
    runAction<DreamOpts>(async ({ opts, args, log, json }) => {
      const image = args[0]!;
      const layers = opts.layers !== undefined ? parseLayerWeights(opts.layers) : DREAM_DEFAULTS.layers;
      const out =
        opts.out !== undefined
          ? resolveUserPath(opts.out)
          : join(runsDir('dream'), `${basename(image, extname(image))}-dream.png`);
      return runDream(
        {
          image: resolveUserPath(image),
          out,
          layers,
          octaves: opts.octaves,
          octaveScale: opts.octaveScale,
          steps: opts.steps,
          stepSize: opts.stepSize,
          maxSize: opts.maxSize,
          ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
        },
        { log, json },
      );
    }),
  );
}
