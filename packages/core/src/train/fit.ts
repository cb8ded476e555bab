import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { DataError } from '../cli/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { assignWeights, type BufferChoice } from '../io/weights.js';
import { WriteQueue } from '../io/write-queue.js';
import {
  BEST_FILE,
  CHECKPOINT_FILE,
  bestBytes,
  checkpointBytes,
  hasCheckpoint,
  loadBest,
  loadCheckpoint,
  readCheckpointState,
  type TrainingState,
} from './checkpoint.js';
import { evaluate } from './evaluate.js';
import { getLearningRate, setLearningRate, type OptimizerLike } from './optimizer.js';
import { epochProgress } from './progress.js';
import { learningRateAt, type LrSchedule } from './schedule.js';
import { createTrainer } from './trainer.js';
import type { DataSource, EpochRecord, History } from './types.js';

export type Metric = 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy';

export interface FitOptions {
  train: DataSource;
  validation?: DataSource;
  epochs: number;
  batchSize: number;
  /** A tf.Optimizer, or a spec such as { name: 'adam', learningRate: 1e-3 }. */
  optimizer: OptimizerLike;
  /** Same seed, same shuffles and dropout masks (build the model inside withSeed for the same init). */
  seed?: number;
  lrSchedule?: LrSchedule;
  /** The metric that picks the best epoch; default valLoss when there is validation data, else loss. */
  monitor?: Metric;
  earlyStopping?: { patience: number; metric?: Metric; minDelta?: number };
  /** At the end, put back the weights of the best epoch. */
  restoreBestWeights?: boolean;
  /** Folder for checkpoint.ckpt (and best.ckpt); written atomically. */
  checkpointDir?: string;
  /** Default { epochs: 1 }. An interruption also writes a checkpoint. */
  checkpointEvery?: { epochs: number } | { steps: number };
  /** Continue from checkpointDir's checkpoint when there is one. */
  resume?: boolean;
  /**
   * What the run trains on, as short values (a data set's name or hash, the vocabulary's hash, the class list):
   * kept in every checkpoint, and a resume whose values differ is refused with a DataError naming them, instead of
   * carrying on silently with other word ids or other classes.
   */
  fingerprint?: Record<string, string | number>;
  /** JSON history, rewritten atomically after every epoch. */
  historyPath?: string;
  /**
   * Where fit queues its file writes (checkpoints, best weights, history): each is a snapshot taken at once and
   * written while training goes on. A caller's own writes queued here keep their order with fit's; fit waits for
   * all of them before it returns, and one that failed fails the run. Default: a queue of fit's own.
   */
  writes?: WriteQueue;
  /** Return 'stop' to end training after this epoch. */
  onEpochEnd?: (record: EpochRecord, history: History) => void | 'stop' | Promise<void | 'stop'>;
  /** Aborting it stops training after the current step, as a first Ctrl-C does. */
  signal?: AbortSignal;
  /** First Ctrl-C: finish the step, checkpoint, return interrupted; second: exit at once. Default true. */
  handleSigint?: boolean;
  /** No progress bar and no epoch lines (tests, --json). */
  quiet?: boolean;
  /** Where epoch lines and notices go; default stderr. */
  log?: (line: string) => void;
  /** Gradient worker threads (see createTrainer); default 'auto': one per core. */
  workers?: number | 'auto';
  maxWorkers?: number;
  /** Embedding tables that travel between threads row by row (see TrainerOptions.rowTables). */
  rowTables?: readonly string[];
}

/** Room a kept checkpoint buffer has beyond its first file, for the header's growing history. */
const SPARE_ROOM = 1 << 20;

function positiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`fit: ${name} must be a whole number >= 1, got ${value}`);
}

function metricValue(record: EpochRecord, metric: Metric): number {
  const v = record[metric];
  if (v === undefined) throw new Error(`fit: cannot monitor ${metric} without validation data`);
  return v;
}

function isBetter(metric: Metric, value: number, best: number, minDelta: number): boolean {
  return metric.endsWith('ccuracy') ? value > best + minDelta : value < best - minDelta;
}

function formatEpoch(r: EpochRecord, epochs: number): string {
  const val =
    r.valLoss === undefined ? '' : `  val_loss ${r.valLoss.toFixed(4)} val_acc ${(r.valAccuracy ?? 0).toFixed(3)}`;
  return `epoch ${r.epoch}/${epochs}  loss ${r.loss.toFixed(4)} acc ${r.accuracy.toFixed(3)}${val}  ${r.seconds.toFixed(1)} s  ${r.examplesPerSecond.toFixed(0)} ex/s  lr ${r.lr.toPrecision(3)}`;
}

/** Refuses to resume a checkpoint made on other data (see FitOptions.fingerprint). */
function checkFingerprint(
  dir: string,
  saved: Record<string, string | number> | undefined,
  current: Record<string, string | number> | undefined,
  log: (line: string) => void,
): void {
  if (!current) return;
  const where = join(dir, CHECKPOINT_FILE);
  if (!saved) {
    log(`${where}: made by an older version that recorded no fingerprint of its data; resuming without checking it`);
    return;
  }
  const show = (v: string | number | undefined): string =>
    v === undefined ? 'nothing' : JSON.stringify(v).slice(0, 80);
  const differ = [...new Set([...Object.keys(saved), ...Object.keys(current)])].filter((k) => saved[k] !== current[k]);
  if (differ.length > 0) {
    throw new DataError(
      where,
      `was made on other data: ${differ.map((k) => `${k} ${show(saved[k])} there, ${show(current[k])} now`).join('; ')}. Resume with the same data, or train into a new folder`,
    );
  }
}

/** Trains a softmax classifier with cross-entropy on class indices; see README.md beside this file. */
export async function fit(model: tf.LayersModel, options: FitOptions): Promise<History> {
  const { train, validation, epochs, batchSize } = options;
  positiveInt('epochs', epochs);
  positiveInt('batchSize', batchSize);
  if (!(train.size > 0)) throw new Error('fit: the training data is empty');
  const seed = options.seed ?? 0;
  const quiet = options.quiet ?? false;
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const say = (line: string): void => {
    if (!quiet) log(line);
  };
  const monitor: Metric = options.earlyStopping?.metric ?? options.monitor ?? (validation ? 'valLoss' : 'loss');
  const every = options.checkpointEvery ?? { epochs: 1 };
  if ('epochs' in every) positiveInt('checkpointEvery.epochs', every.epochs);
  else positiveInt('checkpointEvery.steps', every.steps);
  const dir = options.checkpointDir;
  if (options.resume && !dir) throw new Error('fit: resume needs a checkpointDir');

  const trainer = await createTrainer(model, {
    optimizer: options.optimizer,
    seed,
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.maxWorkers !== undefined ? { maxWorkers: options.maxWorkers } : {}),
    ...(options.rowTables ? { rowTables: options.rowTables } : {}),
    // Shown even when quiet: the run will be slower than asked for.
    onFallback: log,
  });
  const optimizer = trainer.optimizer;

  let state: TrainingState = {
    version: 1,
    seed,
    batchSize,
    epoch: 0,
    stepInEpoch: 0,
    globalStep: 0,
    partial: { lossSum: 0, correct: 0, count: 0, seconds: 0 },
    history: { epochs: [], bestEpoch: null, stoppedEarly: false, interrupted: false },
    best: null,
    badEpochs: 0,
    baseLr: getLearningRate(optimizer),
    ...(options.fingerprint ? { fingerprint: options.fingerprint } : {}),
  };
  let bestWeights: tf.Tensor[] | null = null;
  const writes = options.writes ?? new WriteQueue();

  let stopRequested = false;
  let sigints = 0;
  const onSigint = (): void => {
    sigints++;
    if (sigints > 1) process.exit(130);
    stopRequested = true;
    log('\nstopping after this step and saving a checkpoint (Ctrl-C again to quit at once)');
  };
  const onAbort = (): void => {
    stopRequested = true;
  };
  const handleSigint = options.handleSigint ?? true;

  try {
    if (options.resume && dir) {
      // What the checkpoint was made from is checked before any tensor is loaded: other data usually means
      // other shapes too, and "made on other data" says more than a shape mismatch.
      const made = await readCheckpointState(dir);
      if (made) {
        if (made.seed !== seed || made.batchSize !== batchSize) {
          throw new Error(
            `fit: the checkpoint in ${dir} was made with seed ${made.seed} and batch size ${made.batchSize}; resume with the same (got ${seed} and ${batchSize})`,
          );
        }
        checkFingerprint(dir, made.fingerprint, options.fingerprint, log);
      }
      // The best weights first, so the checkpoint loaded next leaves the model where the run stopped.
      if (options.restoreBestWeights && hasCheckpoint(dir) && (await loadBest(dir, model))) {
        bestWeights = model.getWeights().map((w) => tf.clone(w));
      }
      const saved = await loadCheckpoint(dir, model, optimizer);
      if (saved) {
        state = { ...saved, history: { ...saved.history, interrupted: false } };
        say(`resuming from ${dir}: epoch ${state.epoch + 1}, step ${state.stepInEpoch}`);
      } else {
        say(`no checkpoint in ${dir} yet; starting from scratch`);
      }
    }

    if (handleSigint) process.on('SIGINT', onSigint);
    options.signal?.addEventListener('abort', onAbort);
    if (options.signal?.aborted) stopRequested = true;

    // Each save takes its bytes now and writes them behind training: at every instant the folder holds the
    // previous file or the new one, and the queue is drained before fit returns. A file's buffer, once written,
    // is kept for its next save (with room for the header to grow): a fresh 65 MB one costs its page faults.
    const spare = new Map<string, ArrayBuffer>();
    const queueFile = async (file: string, encode: (buffer: BufferChoice) => Promise<Uint8Array>): Promise<void> => {
      if (!dir) return;
      const reuse = spare.get(file);
      spare.delete(file);
      const bytes = await encode(reuse ? { reuse } : { room: SPARE_ROOM });
      await writes.add(async () => {
        await writeFileAtomic(join(dir, file), bytes);
        spare.set(file, bytes.buffer as ArrayBuffer);
      });
    };
    const checkpoint = (): Promise<void> =>
      queueFile(CHECKPOINT_FILE, (buffer) => checkpointBytes(model, optimizer, state, buffer));
    const writeHistory = async (): Promise<void> => {
      const path = options.historyPath;
      if (!path) return;
      const text = `${JSON.stringify(state.history, null, 2)}\n`;
      await writes.add(() => writeFileAtomic(path, text));
    };

    for (; state.epoch < epochs && !state.history.stoppedEarly;) {
      const epoch = state.epoch;
      const lr = learningRateAt(options.lrSchedule, epoch, state.baseLr, epochs);
      setLearningRate(optimizer, lr);
      const skip = state.stepInEpoch;
      const progress = epochProgress(`epoch ${epoch + 1}/${epochs}`, train.size, quiet, state.partial.count);
      let started = performance.now();
      let index = 0;
      try {
        for await (const batch of train.batches(epoch, batchSize, seed)) {
          if (index++ < skip) continue;
          const r = await trainer.step(batch, state.globalStep);
          const now = performance.now();
          state.partial.seconds += (now - started) / 1000;
          started = now;
          state.partial.lossSum += r.loss * r.count;
          state.partial.correct += r.accuracy * r.count;
          state.partial.count += r.count;
          state.stepInEpoch++;
          state.globalStep++;
          progress.update(
            state.partial.count,
            state.partial.lossSum / state.partial.count,
            state.partial.correct / state.partial.count,
          );
          if (stopRequested) break;
          if ('steps' in every && state.globalStep % every.steps === 0) {
            await checkpoint();
            started = performance.now();
          }
        }
      } finally {
        progress.stop();
      }
      if (stopRequested) {
        state.history.interrupted = true;
        await checkpoint();
        await writes.drain();
        say(dir ? `interrupted; checkpoint saved in ${dir} (continue with resume)` : 'interrupted');
        break;
      }
      if (state.partial.count === 0) throw new Error(`fit: epoch ${epoch + 1} yielded no training examples`);

      const p = state.partial;
      const record: EpochRecord = {
        epoch: epoch + 1,
        loss: p.lossSum / p.count,
        accuracy: p.correct / p.count,
        seconds: p.seconds,
        examplesPerSecond: p.seconds > 0 ? p.count / p.seconds : 0,
        lr,
      };
      if (validation) {
        const v = await evaluate(model, validation, batchSize);
        record.valLoss = v.loss;
        record.valAccuracy = v.accuracy;
      }
      const h = state.history;
      h.epochs.push(record);
      const value = metricValue(record, monitor);
      const minDelta = options.earlyStopping?.minDelta ?? 0;
      if (state.best === null || isBetter(monitor, value, state.best.value, minDelta)) {
        state.best = { value, epoch: record.epoch };
        state.badEpochs = 0;
        if (options.restoreBestWeights) {
          bestWeights?.forEach((t) => t.dispose());
          bestWeights = model.getWeights().map((w) => tf.clone(w));
          await queueFile(BEST_FILE, (buffer) => bestBytes(model, record.epoch, buffer));
        }
      } else {
        state.badEpochs++;
      }
      h.bestEpoch = state.best.epoch;
      if (options.earlyStopping && state.badEpochs >= options.earlyStopping.patience) h.stoppedEarly = true;
      say(formatEpoch(record, epochs));
      if (h.stoppedEarly)
        say(`early stop: ${monitor} has not improved for ${state.badEpochs} epochs (best: epoch ${h.bestEpoch})`);

      state.epoch++;
      state.stepInEpoch = 0;
      state.partial = { lossSum: 0, correct: 0, count: 0, seconds: 0 };
      if ((await options.onEpochEnd?.(record, h)) === 'stop') h.stoppedEarly = true;
      await writeHistory();
      const last = state.epoch >= epochs || h.stoppedEarly;
      if ('epochs' in every ? state.epoch % every.epochs === 0 || last : last) await checkpoint();
    }
    if (state.history.interrupted) await writeHistory();
    await writes.drain();

    if (options.restoreBestWeights && bestWeights && !state.history.interrupted) assignWeights(model, bestWeights);
    return state.history;
  } finally {
    // After a failure: let the writes already queued finish (each is atomic) without hiding the error.
    await writes.settle();
    if (handleSigint) process.off('SIGINT', onSigint);
    options.signal?.removeEventListener('abort', onAbort);
    bestWeights?.forEach((t) => t.dispose());
    await trainer.dispose();
  }
}
