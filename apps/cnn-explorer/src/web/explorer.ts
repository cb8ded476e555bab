// What the page serves, held once per server: the model, the out-of-distribution calibration and the
// maximisation pictures. The model loads in a moment; the calibration and the pictures are computed in a
// worker thread after the server is up (see background.ts) and cached under runs/cnn-explorer/cache by a
// hash of the model's weights, so the next start has them at once.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import { currentBackend, initBackend, writeFileAtomic } from '@cnn-lab/core';
import { MNIST_PIXELS, type DigitSet, type SplitSpec } from '../mnist/digits.js';
import { mnistSplits } from '../mnist/mnist-package.js';
import { APP_DIR, SHIPPED_MODEL_DIR, loadLectureModel, modelDirFor, runsDir } from '../model/load.js';
import { OOD_VERSION, type OodCalibration } from '../ood/detector.js';
import { PICTURE_PLAN, startBackground, type BackgroundMessage, type PictureSet } from './background.js';

export type { PictureSet } from './background.js';

export interface ExplorerOptions {
  /** A model folder (default: the shipped model). */
  modelDir?: string;
  /** Where the calibration and pictures are cached (default runs/cnn-explorer/cache). */
  cacheDir?: string;
  /** Compute the maximisation pictures (default true), with this many gradient-ascent steps each (default 150). */
  pictures?: boolean;
  pictureSteps?: number;
  log?: (line: string) => void;
}

export type CalibrationStatus =
  { state: 'pending' } | { state: 'ready'; calibration: OodCalibration } | { state: 'failed'; error: string };

export type PictureStatus =
  | { state: 'off' }
  | { state: 'computing'; done: number; total: number }
  | { state: 'ready'; sets: PictureSet[] }
  | { state: 'failed'; error: string };

const PICTURES_VERSION = 2;

/** A short hash of the model's weights: the cache key, so a retrained model never meets old results. */
export function weightsHash(model: tf.LayersModel): string {
  const hash = createHash('sha256');
  for (const w of model.getWeights()) {
    const data = w.dataSync() as Float32Array;
    hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest('hex').slice(0, 16);
}

/** A message for the page: the checkout's and the home folder's paths replaced, so no machine path leaks. */
export function withoutMachinePaths(message: string): string {
  const root = resolve(APP_DIR, '..', '..');
  return message.split(root).join('<checkout>').split(homedir()).join('~');
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined; // missing or damaged: computed again
  }
}

export class Explorer {
  readonly model: tf.LayersModel;
  /** The model as a person knows it: `models/mnist` for the shipped one, else its folder's name (never a full path). */
  readonly modelName: string;
  private splits?: { train: DigitSet; validation: DigitSet; test: DigitSet };
  private calibration: Promise<OodCalibration>;
  private calibrationStatus: CalibrationStatus = { state: 'pending' };
  private pictureStatus: PictureStatus;
  private worker?: Worker;
  private closed = false;

  private constructor(
    model: tf.LayersModel,
    modelName: string,
    private readonly split: SplitSpec,
    calibration: Promise<OodCalibration>,
    pictureStatus: PictureStatus,
  ) {
    this.model = model;
    this.modelName = modelName;
    this.calibration = calibration;
    this.pictureStatus = pictureStatus;
    calibration.then(
      (c) => (this.calibrationStatus = { state: 'ready', calibration: c }),
      (err: Error) => (this.calibrationStatus = { state: 'failed', error: err.message }),
    );
  }

  /**
   * Loads the model (a second or two) and returns at once; the calibration and, unless switched off, the
   * pictures come from the cache or from a worker thread started here.
   */
  static async open(opts: ExplorerOptions = {}): Promise<Explorer> {
    const log = opts.log ?? (() => undefined);
    await initBackend({ quiet: true });
    const { model, dir, split } = await loadLectureModel(modelDirFor(opts.modelDir, 'read'));
    const cacheDir = opts.cacheDir ?? runsDir('cache');
    const hash = weightsHash(model);
    const calPath = join(cacheDir, `${hash}-ood-v${OOD_VERSION}.json`);
    const steps = opts.pictureSteps ?? 150;
    const picPath = join(cacheDir, `${hash}-pictures-v${PICTURES_VERSION}-${steps}.json`);
    const cachedCal = await readJson<OodCalibration>(calPath);
    const wantPictures = opts.pictures ?? true;
    const cachedPics = wantPictures ? await readJson<PictureSet[]>(picPath) : undefined;
    const haveCal = cachedCal?.version === OOD_VERSION;
    const havePics = cachedPics?.length === PICTURE_PLAN.length;

    let settle!: { resolve: (c: OodCalibration) => void; reject: (e: Error) => void };
    const calibration = haveCal
      ? Promise.resolve(cachedCal)
      : new Promise<OodCalibration>((resolve, reject) => (settle = { resolve, reject }));
    const status: PictureStatus = !wantPictures
      ? { state: 'off' }
      : havePics
        ? { state: 'ready', sets: cachedPics }
        : { state: 'computing', done: 0, total: PICTURE_PLAN.length };
    const explorer = new Explorer(
      model,
      dir === SHIPPED_MODEL_DIR ? 'models/mnist' : basename(dir),
      split,
      calibration,
      status,
    );
    if (haveCal && (havePics || !wantPictures)) return explorer;

    const save = (path: string, value: unknown, what: string) =>
      writeFileAtomic(path, JSON.stringify(value)).catch((err: Error) =>
        log(`could not cache the ${what}: ${err.message}`),
      );
    const onMessage = (m: BackgroundMessage) => {
      if (explorer.closed) return;
      if (m.type === 'calibration') {
        log(`out-of-distribution check calibrated in ${m.seconds.toFixed(1)} s`);
        settle.resolve(m.calibration);
        void save(calPath, m.calibration, 'calibration');
      } else if (m.type === 'progress') {
        explorer.pictureStatus = { state: 'computing', done: m.done, total: m.total };
      } else if (m.type === 'pictures') {
        log(`maximisation pictures computed in ${m.seconds.toFixed(1)} s`);
        explorer.pictureStatus = { state: 'ready', sets: m.sets };
        void save(picPath, m.sets, 'pictures');
      } else {
        log(`${m.stage} failed: ${m.message}`);
        const shown = withoutMachinePaths(m.message);
        if (!haveCal) settle.reject(new Error(`the out-of-distribution calibration failed: ${shown}`));
        if (explorer.pictureStatus.state === 'computing') explorer.pictureStatus = { state: 'failed', error: shown };
      }
    };
    explorer.worker = startBackground(
      {
        job: 'cnn-explorer-background',
        modelDir: dir,
        split,
        backend: (await currentBackend()) ?? 'wasm',
        calibrate: !haveCal,
        pictureSteps: wantPictures && !havePics ? steps : null,
      },
      onMessage,
    );
    return explorer;
  }

  /** The out-of-distribution calibration (waits for the worker on a first start: seconds). */
  oodCalibration(): Promise<OodCalibration> {
    return this.calibration;
  }

  /** The calibration if it is there now, without waiting. */
  oodStatus(): CalibrationStatus {
    return this.calibrationStatus;
  }

  pictures(): PictureStatus {
    return this.pictureStatus;
  }

  /** The seeded split the model was trained beside (the digits are read once, on first use). */
  private digits(): { train: DigitSet; validation: DigitSet; test: DigitSet } {
    this.splits ??= mnistSplits(this.split);
    return this.splits;
  }

  /** The number of held-out test digits. */
  testCount(): number {
    return this.digits().test.count;
  }

  /** One held-out test digit (never seen in training) and its label. */
  testDigit(index: number): { index: number; label: number; image: Float32Array } {
    const test = this.digits().test;
    const i = ((index % test.count) + test.count) % test.count;
    return { index: i, label: test.labels[i]!, image: test.images.slice(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS) };
  }

  /** Stops the worker, if one is still computing. */
  async close(): Promise<void> {
    this.closed = true;
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
