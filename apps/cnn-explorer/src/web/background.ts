// The worker thread behind the page: the out-of-distribution calibration (a pass over the training digits)
// and the maximisation pictures (gradient ascent for every filter and class) take seconds to minutes of
// CPU, which would stall the server's answers if they ran on its thread. This file is the worker's entry;
// `startBackground` runs it and hands back what it computes.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { DigitSet, SplitSpec } from '../mnist/digits.js';
import type { OodCalibration } from '../ood/detector.js';
import type { VisualKind } from '../pictures/unit-pictures.js';

/** One set of maximisation pictures: each unit's picture as 28x28 grey values. */
export interface PictureSet {
  layer: string;
  kind: VisualKind;
  title: string;
  units: Array<{ unit: number; image: number[]; predicted: number; confidence: number }>;
}

/** What the worker is asked to do. */
export interface BackgroundJob {
  /** Marks the worker's data as this job's (a module imported in some other worker thread stays idle). */
  job: 'cnn-explorer-background';
  modelDir: string;
  split: SplitSpec;
  backend: string;
  calibrate: boolean;
  /** Gradient-ascent steps per picture, or null for no pictures. */
  pictureSteps: number | null;
}

export type BackgroundMessage =
  | { type: 'calibration'; calibration: OodCalibration; seconds: number }
  | { type: 'progress'; done: number; total: number }
  | { type: 'pictures'; sets: PictureSet[]; seconds: number }
  | { type: 'error'; stage: 'calibration' | 'pictures'; message: string };

/**
 * The pictures computed by gradient ascent: conv2's filters and the classes with the report's L1 prior.
 * (conv1's filters see 3x3 pixels: their kernels, shown as they are, say more than any picture.)
 */
export const PICTURE_PLAN: ReadonlyArray<{ layer: string; kind: VisualKind; l1: number; title: string }> = [
  { layer: 'conv2', kind: 'filter', l1: 0, title: 'conv2 filters' },
  { layer: 'output', kind: 'class', l1: 0.1, title: 'classes (L1 prior 0.1)' },
];

/** Starts the worker on `job`; `onMessage` hears each result. The worker does not keep the process alive. */
export function startBackground(job: BackgroundJob, onMessage: (m: BackgroundMessage) => void): Worker {
  // The worker runs this TypeScript file itself, so it registers tsx's loader first, whoever started the
  // server (tsx, vitest, the lab site).
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const script = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); });`;
  const worker = new Worker(script, { eval: true, workerData: job });
  worker.unref();
  worker.on('message', onMessage);
  let failed = false;
  const fail = (message: string) => {
    if (failed) return;
    failed = true;
    onMessage({ type: 'error', stage: job.calibrate ? 'calibration' : 'pictures', message });
  };
  worker.on('error', (err) => fail(err.message));
  // A worker that dies without an error event (killed, out of memory) must not leave the page waiting.
  worker.on('exit', (code) => {
    if (code !== 0) fail(`the background worker stopped (exit code ${code})`);
  });
  return worker;
}

async function runJob(job: BackgroundJob, post: (m: BackgroundMessage) => void): Promise<void> {
  const { initBackend } = await import('@cnn-lab/core');
  const { loadLectureModel } = await import('../model/load.js');
  const { mnistSplits } = await import('../mnist/mnist-package.js');
  const { calibrateOod } = await import('../ood/detector.js');
  const { visualiseLayer } = await import('../pictures/unit-pictures.js');
  await initBackend({ backend: job.backend, quiet: true });
  const { model } = await loadLectureModel(job.modelDir);
  let stage: 'calibration' | 'pictures' = 'calibration';
  try {
    if (job.calibrate) {
      const started = Date.now();
      const { train, validation }: { train: DigitSet; validation: DigitSet } = mnistSplits(job.split);
      const calibration = calibrateOod(model, train, validation);
      post({ type: 'calibration', calibration, seconds: (Date.now() - started) / 1000 });
    }
    stage = 'pictures';
    if (job.pictureSteps !== null) {
      const started = Date.now();
      const sets: PictureSet[] = [];
      for (const plan of PICTURE_PLAN) {
        post({ type: 'progress', done: sets.length, total: PICTURE_PLAN.length });
        const v = await visualiseLayer(model, plan.layer, plan.kind, { steps: job.pictureSteps, l1: plan.l1 });
        sets.push({
          layer: plan.layer,
          kind: plan.kind,
          title: plan.title,
          units: v.pictures.map((p) => ({
            unit: p.unit,
            image: Array.from(p.image, (x) => Math.round(x * 1000) / 1000),
            predicted: p.predicted,
            confidence: p.confidence,
          })),
        });
      }
      post({ type: 'pictures', sets, seconds: (Date.now() - started) / 1000 });
    }
  } catch (err) {
    post({ type: 'error', stage, message: (err as Error).message });
  }
}

const data = workerData as Partial<BackgroundJob> | null;
if (!isMainThread && parentPort && data?.job === 'cnn-explorer-background') {
  const port = parentPort;
  await runJob(data as BackgroundJob, (m) => port.postMessage(m));
}
