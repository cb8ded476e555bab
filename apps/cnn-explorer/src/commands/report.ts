// `report`: the long static walkthrough as an HTML page with its pictures: the network, its accuracy, what
// its filters, neurons and classes look like, saliency, and Deep Dream and style transfer on InceptionV3.
// It takes minutes and says so before it starts.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  parseIntIn,
  resolveDataDir,
  resolveUserPath,
  runAction,
  withCommonOptions,
  type ActionContext,
  type CommonOptions,
  type History,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import type * as tf from '@tensorflow/tfjs';
import { readPhoto, writePhoto } from '../images/photo-files.js';
import { mnistSplits } from '../mnist/mnist-package.js';
import { SHIPPED_MODEL_DIR, loadLectureModel, modelDirFor, runsDir } from '../model/load.js';
import { TRAIN_DEFAULTS } from '../model/train.js';
import type { SplitSpec } from '../mnist/digits.js';
import { dreamStyleSection, lectureSections, writeReportPage } from '../report/write-report.js';
import { DREAM_DEFAULTS } from '../dream/dream-photo.js';
import { STYLE_DEFAULTS } from '../style/style-photo.js';
import { runDream } from './dream.js';
import { runStyle } from './style.js';
import { trainModel } from './train.js';
import { addVisualFlags, visualOptions, type VisualFlags } from './visualize.js';

export interface ReportOpts extends CommonOptions, VisualFlags {
  out?: string;
  dream: boolean;
  cacheDir?: string;
  dreamSize: number;
  styleSteps: number;
}

/** What the report costs on a two-core machine, measured with the defaults; said before it starts. */
export function reportDuration(dream: boolean): string {
  return dream
    ? 'about 3-4 minutes on two cores (Deep Dream and style transfer take most of it; --no-dream: about 1 minute)'
    : 'about 1 minute on two cores';
}

/** The shipped model, or the one in --model-dir; a named empty folder gets a freshly trained model. */
async function modelForReport(
  opts: ReportOpts,
  log: (line: string) => void,
): Promise<{ model: tf.LayersModel; dir: string; split: SplitSpec; history?: History }> {
  const target = modelDirFor(opts.modelDir, 'read');
  if (!target.named || existsSync(join(target.dir, 'model.json'))) return loadLectureModel(target);
  log(`no model in ${target.dir}: training one there first`);
  return trainModel(
    {
      modelDir: modelDirFor(opts.modelDir, 'write'),
      epochs: opts.epochs ?? TRAIN_DEFAULTS.epochs,
      batchSize: opts.batchSize ?? TRAIN_DEFAULTS.batchSize,
      seed: opts.seed ?? 1,
      learningRate: TRAIN_DEFAULTS.learningRate,
      maxShift: TRAIN_DEFAULTS.maxShift,
      resume: false,
    },
    log,
  );
}

/** The photo and painting of section 7, or why they are left out. */
function dreamImages(opts: ReportOpts): { photo: string; painting: string } | string {
  let images: string;
  try {
    images = resolveDataDir(opts, 'images', 'a folder of photos and paintings (tubingen.jpg, starry_night.jpg)');
  } catch (err) {
    return (err as Error).message;
  }
  const photo = join(images, 'tubingen.jpg');
  const painting = join(images, 'starry_night.jpg');
  if (!existsSync(photo) || !existsSync(painting)) return `${images} lacks tubingen.jpg or starry_night.jpg`;
  return { photo, painting };
}

export async function writeReport(opts: ReportOpts, ctx: Pick<ActionContext<ReportOpts>, 'log' | 'json'>) {
  const { log } = ctx;
  log(`writing the report: ${reportDuration(opts.dream)}`);
  const out = opts.out !== undefined ? resolveUserPath(opts.out) : runsDir('report');
  const { model, dir, split, history } = await modelForReport(opts, log);
  const { sections, testAccuracy } = await lectureSections({
    model,
    test: mnistSplits(split).test,
    ...(history ? { history } : {}),
    out,
    visual: { ...visualOptions(opts), l1: opts.l1 },
    log,
  });

  let dream: Awaited<ReturnType<typeof runDream>> | undefined;
  let style: Awaited<ReturnType<typeof runStyle>> | undefined;
  const images = opts.dream ? dreamImages(opts) : undefined;
  if (typeof images === 'string') log(`skipping Deep Dream and style transfer: ${images}`);
  if (typeof images === 'object') {
    const cache = opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {};
    const size = opts.dreamSize;
    dream = await runDream(
      { ...DREAM_DEFAULTS, image: images.photo, out: join(out, 'dream.png'), maxSize: size, ...cache },
      ctx,
    );
    style = await runStyle(
      {
        ...STYLE_DEFAULTS,
        content: images.photo,
        style: images.painting,
        out: join(out, 'style.png'),
        maxSize: size,
        steps: opts.styleSteps,
        ...cache,
      },
      ctx,
    );
    await writePhoto(join(out, 'content.png'), await readPhoto(images.photo, size));
    await writePhoto(join(out, 'painting.png'), await readPhoto(images.painting, size));
    sections.push(dreamStyleSection(dream.seconds, style.seconds));
  }
  // No machine paths in the page: the shipped model by its name in the app, any other by its folder's name.
  const modelName = dir === SHIPPED_MODEL_DIR ? 'the shipped model (models/mnist)' : `model ${basename(dir)}`;
  const index = await writeReportPage(out, sections, `cnn-explorer, ${modelName}`);
  log(`report: ${index}`);
  return {
    report: index,
    testAccuracy,
    ...(dream ? { dream: dream.output } : {}),
    ...(style ? { style: style.output } : {}),
  };
}

/** The report's flags; `start` takes the same ones while it still writes the report. */
export function withReportFlags(cmd: Command): Command {
  cmd
    .option('--out <dir>', 'report folder (default: runs/cnn-explorer/report)')
    .option('--no-dream', 'leave out Deep Dream and style transfer (they need the images folder and a few minutes)')
    .option('--dream-size <px>', 'longer side of the Deep Dream and style pictures', parseIntIn(32, 1024), 256)
    .option('--style-steps <n>', 'Adam steps for style transfer in the report', parseIntIn(1, 10_000), 60)
    .option('--cache-dir <dir>', 'where the prepared InceptionV3 is cached (default ~/.cache/cnn-lab)');
  return withCommonOptions(
    addVisualFlags(cmd, 0.1),
    ['dataDir', 'modelDir', 'epochs', 'batchSize', 'seed', 'json', 'backend'],
    {
      epochs: TRAIN_DEFAULTS.epochs,
      batchSize: TRAIN_DEFAULTS.batchSize,
    },
  );
}

export function registerReport(program: Command): void {
  withReportFlags(
    program
      .command('report')
      .description(
        `write the long HTML report: accuracy, filters, neurons, classes, saliency, Deep Dream, style (${reportDuration(true).split(' (')[0]})`,
      ),
  ).action(runAction<ReportOpts>(async ({ opts, log, json }) => writeReport(opts, { log, json })));
}
