// `style`: paint a content photo in the style of another image with InceptionV3 (Gram matrices, Adam).
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
import { readPhoto, writePhoto } from '../images/photo-files.js';
import { inceptionCacheRoot, loadInception } from '../inception/load.js';
import { runsDir } from '../model/load.js';
import { STYLE_DEFAULTS, stylePhoto, type StyleSettings } from '../style/style-photo.js';
import { progressLine, rateEta, secondsSince } from './progress.js';

export interface StyleRun extends StyleSettings {
  /** The content photo and the style image (absolute paths), and the PNG to write. */
  content: string;
  style: string;
  out: string;
  maxSize: number;
  cacheDir?: string;
}

/** Reads both images, paints with progress on stderr, writes the PNG; returns what the JSON line reports. */
export async function runStyle(run: StyleRun, ctx: { log: (line: string) => void; json: boolean }) {
  const content = await readPhoto(run.content, run.maxSize);
  const style = await readPhoto(run.style, run.maxSize);
  const model = await loadInception(inceptionCacheRoot(run.cacheDir), ctx.log);
  const show = progressLine(ctx.json);
  const started = Date.now();
  const result = await stylePhoto(model, content, style, run, (step, l) =>
    show(
      `style loss ${l.total.toFixed(4)} (content ${l.content.toFixed(4)}, style ${l.style.toExponential(2)}, tv ${l.tv.toExponential(2)})  ${rateEta(step + 1, run.steps, started)}`,
    ),
  );
  show(`style done in ${secondsSince(started).toFixed(0)} s`, true);
  await writePhoto(run.out, result.image);
  const seconds = secondsSince(started);
  ctx.log(`wrote ${run.out} (${result.image.width}x${result.image.height}, ${seconds.toFixed(0)} s)`);
  return {
    output: run.out,
    width: result.image.width,
    height: result.image.height,
    seconds,
    first: result.losses[0]!,
    last: result.losses.at(-1)!,
  };
}

interface StyleOpts extends CommonOptions {
  out?: string;
  steps: number;
  maxSize: number;
  learningRate: number;
  contentWeight: number;
  styleWeight: number;
  tvWeight: number;
  contentLayer: string;
  styleLayers: string;
  cacheDir?: string;
}

export function registerStyle(program: Command): void {
  withCommonOptions(
    program
      .command('style')
      .description('paint a content photo in the style of another image with InceptionV3 (Gram matrices, Adam)')
      .argument('<content>', 'content PNG or JPEG')
      .argument('<style>', 'style PNG or JPEG')
      .option('--out <png>', 'output PNG (default: runs/cnn-explorer/style/<content>-as-<style>.png)')
      .option('--steps <n>', 'Adam steps', parseIntIn(1, 10_000), STYLE_DEFAULTS.steps)
      .option('--max-size <px>', 'longer side of the result', parseIntIn(32, 1024), STYLE_DEFAULTS.maxSize)
      .option('--learning-rate <x>', 'Adam step on pixels in 0..1', parseNumberIn(0), STYLE_DEFAULTS.learningRate)
      .option('--content-weight <x>', 'weight of the content loss', parseNumberIn(0), STYLE_DEFAULTS.contentWeight)
      .option('--style-weight <x>', 'weight of the style (Gram) loss', parseNumberIn(0), STYLE_DEFAULTS.styleWeight)
      .option('--tv-weight <x>', 'weight of the total-variation loss', parseNumberIn(0), STYLE_DEFAULTS.tvWeight)
      .option('--content-layer <name>', 'content layer', STYLE_DEFAULTS.contentLayer)
      .option('--style-layers <list>', 'comma-separated style layers', STYLE_DEFAULTS.styleLayers.join(','))
      .option('--cache-dir <dir>', 'where the prepared InceptionV3 is cached (default ~/.cache/cnn-lab)'),
    ['json', 'backend'],
  ).action(
    runAction<StyleOpts>(async ({ opts, args, log, json }) => {
      const [content, style] = [args[0]!, args[1]!];
      const name = `${basename(content, extname(content))}-as-${basename(style, extname(style))}.png`;
      return runStyle(
        {
          content: resolveUserPath(content),
          style: resolveUserPath(style),
          out: opts.out !== undefined ? resolveUserPath(opts.out) : join(runsDir('style'), name),
          maxSize: opts.maxSize,
          steps: opts.steps,
          learningRate: opts.learningRate,
          contentWeight: opts.contentWeight,
          styleWeight: opts.styleWeight,
          tvWeight: opts.tvWeight,
          contentLayer: opts.contentLayer,
          styleLayers: opts.styleLayers
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
        },
        { log, json },
      );
    }),
  );
}
