import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import { ownedValues, sliceBatch } from './batch.js';
import type { FromWorker, ResultMessage, StepMessage, ToWorker } from './protocol.js';
import { readValues, takeRows, type RowPatch } from './rows.js';
import type { ArrayBatch } from './types.js';
import { workerModules } from './worker-modules.js';

/**
 * How to start a worker. Apps load core from dist, so the script is dist/train/worker.js beside this
 * file. Core's own tests run this file from src under vitest; Node cannot run worker.ts by itself and
 * (Node 20) ignores `--import` loaders for a worker's entry, so a two-line bootstrap registers tsx's
 * loader (a root dev dependency) in the worker first. Without tsx, a built dist/ copy is used.
 */
function workerEntry(): { script: string; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { script: fileURLToPath(new URL('./worker.js', here)), eval: false };
  try {
    const tsxDir = dirname(createRequire(here).resolve('tsx/package.json'));
    const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
    const entry = new URL('./worker.ts', here).href;
    const script = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
    return { script, eval: true };
  } catch {
    const built = fileURLToPath(new URL('../../dist/train/worker.js', here));
    if (existsSync(built)) return { script: built, eval: false };
    throw new Error('cannot start gradient workers: neither tsx nor a built dist/train/worker.js was found');
  }
}

/** The parent's Node flags minus --input-type, which Node refuses for a worker (`node --input-type=module -e`). */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--input-type') i++;
    else if (!a.startsWith('--input-type=')) out.push(a);
  }
  return out;
}

interface Pending {
  resolve: (r: ResultMessage) => void;
  reject: (e: Error) => void;
}

/** What one weight must send a worker before a step: all its values, some rows of a row table, or nothing. */
type Need = 'all' | number[] | null;

class GradientWorker {
  private pending = new Map<number, Pending>();
  private ready: Promise<string>;
  private failed: Error | null = null;
  private sent: object[] = [];
  /** Per row table (index into model.weights): rows changed in place since this worker last got them. */
  private readonly dirty = new Map<number, Set<number>>();

  constructor(
    private readonly worker: Worker,
    topology: string,
    backend: string,
    rowTables: number[],
    modules: string[],
  ) {
    for (const i of rowTables) this.dirty.set(i, new Set());
    this.ready = new Promise((resolve, reject) => {
      const onInit = (msg: FromWorker): void => {
        if (msg.type === 'ready') resolve(msg.backend);
        else if (msg.type === 'error') reject(new Error(`gradient worker failed to start: ${msg.message}`));
      };
      worker.once('message', onInit);
      worker.once('error', reject);
    });
    // Once started, every later message answers a step.
    void this.ready.then(
      () => worker.on('message', (msg: FromWorker) => this.onMessage(msg)),
      () => undefined,
    );
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`gradient worker exited (code ${code})`)));
    this.send({ type: 'init', topology, backend, rowTables, modules });
  }

  /**
   * What changed since this worker last got the weights (and marks it sent). tfjs gives a variable a new
   * dataId on every assign, so an unchanged dataId means unchanged values, except for the rows of a row
   * table that an optimizer wrote in place: the trainer reports those (markRows).
   */
  takeChanged(weights: tf.Variable[]): Need[] {
    return weights.map((v, i) => {
      const dirty = this.dirty.get(i);
      if (this.sent[i] !== v.dataId) {
        this.sent[i] = v.dataId;
        dirty?.clear();
        return 'all';
      }
      if (!dirty || dirty.size === 0) return null;
      const rows = [...dirty];
      dirty.clear();
      return rows;
    });
  }

  markRows(table: number, rows: Iterable<number>): void {
    const dirty = this.dirty.get(table);
    if (!dirty) throw new Error(`weight ${table} is not a row table`);
    for (const r of rows) dirty.add(r);
  }

  started(): Promise<string> {
    return this.ready;
  }

  private send(msg: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'ready') return;
    const id = msg.id ?? -1;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (msg.type === 'result') p.resolve(msg);
    else p.reject(new Error(`gradient worker: ${msg.message}`));
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  step(msg: StepMessage, transfer: ArrayBuffer[]): Promise<ResultMessage> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.pending.set(msg.id, { resolve, reject });
      this.send(msg, transfer);
    });
  }

  async close(): Promise<void> {
    this.failed ??= new Error('gradient worker closed');
    await this.worker.terminate();
  }
}

/** Gradients of one batch, split into near-equal shards across this thread and worker threads. */
export class WorkerPool {
  private nextId = 0;

  private constructor(private readonly workers: GradientWorker[]) {}

  get size(): number {
    return this.workers.length;
  }

  /**
   * `rowTables`: indices into model.weights of the tables that travel row by row (see createTrainer); `modules`:
   * what each worker imports before rebuilding the model (registerWorkerModule's list by default).
   */
  static async start(
    model: tf.LayersModel,
    count: number,
    backend: string,
    rowTables: number[] = [],
    modules: string[] = workerModules(),
  ): Promise<WorkerPool> {
    const entry = workerEntry();
    const topology = JSON.stringify(model.toJSON(null, false));
    const workers: GradientWorker[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const w = new Worker(entry.script, { eval: entry.eval, execArgv: workerExecArgv() });
        // A pool the caller forgot to dispose must not keep the process alive.
        w.unref();
        workers.push(new GradientWorker(w, topology, backend, rowTables, modules));
      }
      await Promise.all(workers.map((w) => w.started()));
    } catch (err) {
      await Promise.all(workers.map((w) => w.close()));
      throw err;
    }
    return new WorkerPool(workers);
  }

  /**
   * Gradients of one batch split into contiguous shards, so that averaging their gradients weighted by shard size
   * gives the full-batch gradient. `local` computes the first shard in this thread (after the others are sent
   * out) and each worker one of the rest: n threads compute with n - 1 workers, and the shard kept here needs no
   * weights sent and no gradients copied back.
   */
  async gradients(
    weights: tf.Variable[],
    batch: ArrayBatch,
    seed: (replica: number) => number,
    local: (shard: ArrayBatch, seed: number) => ResultMessage,
  ): Promise<ResultMessage[]> {
    const n = batch.ys.length;
    const shards = Math.max(1, Math.min(this.workers.length + 1, n));
    const busy = this.workers.slice(0, shards - 1);
    // Read each changed weight once; every worker but the last that needs it gets a copy, the last the
    // original (a transferred buffer is gone from this thread).
    const needs = busy.map((w) => w.takeChanged(weights));
    const perWorker: (Float32Array | RowPatch | null)[][] = needs.map((row) => row.map(() => null));
    weights.forEach((v, i) => {
      const takers = needs.flatMap((row, r) => (row[i] === 'all' ? [r] : []));
      if (takers.length > 0) {
        const values = ownedValues(v);
        takers.forEach((r, k) => {
          (perWorker[r] as (Float32Array | RowPatch | null)[])[i] = k === takers.length - 1 ? values : values.slice();
        });
      }
      const patched = needs.flatMap((row, r) => (Array.isArray(row[i]) ? [r] : []));
      if (patched.length === 0) return;
      const table = readValues(v);
      for (const r of patched) {
        (perWorker[r] as (Float32Array | RowPatch | null)[])[i] = takeRows(
          table,
          v.shape[1] as number,
          (needs[r] as Need[])[i] as number[],
        );
      }
    });
    // A worker's shard is a copy it takes over (transferred); the one kept here is a view of the batch.
    const shardOf = (r: number) =>
      sliceBatch(batch, Math.floor((r * n) / shards), Math.floor(((r + 1) * n) / shards), r === 0);
    const jobs: Promise<ResultMessage>[] = [];
    busy.forEach((worker, w) => {
      const r = w + 1;
      const shard = shardOf(r);
      const copies = perWorker[w] as (Float32Array | RowPatch | null)[];
      const msg: StepMessage = {
        type: 'step',
        id: this.nextId++,
        weights: copies,
        xs: shard.xs.data,
        xsShape: shard.xs.shape,
        ys: shard.ys,
        seed: seed(r),
      };
      const arrays = copies.flatMap((c) => (c instanceof Float32Array ? [c] : c ? [c.rows, c.values] : []));
      const transfer = [
        ...arrays.map((a) => a.buffer as ArrayBuffer),
        shard.xs.data.buffer as ArrayBuffer,
        shard.ys.buffer as ArrayBuffer,
      ];
      jobs.push(worker.step(msg, transfer));
    });
    // The workers' results wait in the message queue while this thread computes its own shard.
    let own: ResultMessage;
    try {
      own = local(shardOf(0), seed(0));
    } catch (err) {
      await Promise.allSettled(jobs);
      throw err;
    }
    return [own, ...(await Promise.all(jobs))];
  }

  /** Rows of row table `table` (index into model.weights) that the optimizer just changed in place. */
  markRows(table: number, rows: Iterable<number>): void {
    const list = [...rows];
    for (const w of this.workers) w.markRows(table, list);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
