import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Rng } from '@cnn-lab/core';
import type { ChunkMessage, DoneMessage, MoreMessage, WorkerJob, WorkerMessage } from './worker-protocol.js';

const POINTS = 361;

/** One mini-batch as core's training loop takes it: NHWC planes and the played point per example. */
export interface ArrayBatch {
  xs: { data: Float32Array; shape: number[] };
  ys: Int32Array;
  /** The move number of each target (evaluation reports accuracy by stage of the game). */
  moveNumbers: Int32Array;
}

export interface StreamStats {
  games: number;
  positions: number;
  skipped: Record<string, { count: number; example: string }>;
}

export interface GameStreamOptions {
  /** Absolute paths of the SGF files (one game each). */
  files: readonly string[];
  featureSet: string;
  /** Planes per point of that feature set. */
  planes: number;
  /** Examples per epoch, for progress and ETA; an estimate is fine (see estimatePositions). */
  size: number;
  /** Feature worker threads (default 1: training itself needs the other core). */
  workers?: number;
  /** A random one of the 8 symmetries per example (training) or none (evaluation). */
  symmetries?: boolean;
  /**
   * Examples held for shuffling. Positions of one game are strongly correlated, so batches are drawn
   * at random from a buffer spanning dozens of games. 0 keeps game order (evaluation).
   */
  shuffleBuffer?: number;
  chunkSize?: number;
  /**
   * Games per epoch. A pass over every game takes many hours on a CPU, so an "epoch" can be a slice:
   * epoch e takes the next slice of one fixed shuffled order, wrapping round, so successive epochs see
   * new games (and checkpoints and validation come often). Default: every game, every epoch.
   */
  gamesPerEpoch?: number;
}

/** A core DataSource over SGF games, with the statistics of the last pass (games read, skipped by reason). */
export interface GameStream {
  size: number;
  batches(epoch: number, batchSize: number, seed: number): AsyncIterable<ArrayBatch>;
  lastStats(): StreamStats | undefined;
}

/**
 * Streams training examples from SGF files. Features are computed in worker threads while the
 * network trains, and only a bounded shuffle buffer is ever held in memory.
 */
export function gameStream(options: GameStreamOptions): GameStream {
  let stats: StreamStats | undefined;
  const o = {
    ...options,
    workers: options.workers ?? 1,
    symmetries: options.symmetries ?? true,
    shuffleBuffer: options.shuffleBuffer ?? 8192,
    chunkSize: options.chunkSize ?? 256,
  };
  return {
    size: o.size,
    lastStats: () => stats,
    async *batches(epoch: number, batchSize: number, seed: number): AsyncGenerator<ArrayBatch> {
      const rng = new Rng(seed).fork(epoch);
      const order = epochFiles(o.files, epoch, seed, o.gamesPerEpoch, o.shuffleBuffer > 0);
      const pool = new WorkerPool(order, o, rng.fork(1).int(2 ** 31));
      const perExample = POINTS * o.planes;
      const capacity = Math.max(o.shuffleBuffer, 1);
      const slab = new Uint8Array(capacity * perExample);
      const slabMoves = new Int32Array(capacity);
      const slabNumbers = new Int32Array(capacity);
      let held = 0;
      let batch = newBatch(batchSize, perExample);
      let inBatch = 0;
      const emit = (slot: number): boolean => {
        copyToFloat(slab, slot * perExample, perExample, batch.xs.data, inBatch * perExample);
        batch.ys[inBatch] = slabMoves[slot] as number;
        batch.moveNumbers[inBatch] = slabNumbers[slot] as number;
        inBatch++;
        return inBatch === batchSize;
      };
      try {
        for (;;) {
          const chunk = await pool.next();
          if (!chunk) break;
          for (let i = 0; i < chunk.count; i++) {
            let slot: number;
            if (held < capacity) {
              slot = held++;
            } else {
              slot = o.shuffleBuffer > 0 ? rng.int(held) : 0;
              if (emit(slot)) {
                yield batch;
                batch = newBatch(batchSize, perExample);
                inBatch = 0;
              }
            }
            slab.set(chunk.planes.subarray(i * perExample, (i + 1) * perExample), slot * perExample);
            slabMoves[slot] = chunk.moves[i] as number;
            slabNumbers[slot] = chunk.moveNumbers[i] as number;
            if (o.shuffleBuffer === 0) {
              // No shuffling: pass each example straight through.
              held = 0;
              if (emit(slot)) {
                yield batch;
                batch = newBatch(batchSize, perExample);
                inBatch = 0;
              }
            }
          }
        }
        // Drain what is left in random order.
        while (held > 0) {
          const slot = rng.int(held);
          const full = emit(slot);
          const last = held - 1;
          if (slot !== last) {
            slab.copyWithin(slot * perExample, last * perExample, held * perExample);
            slabMoves[slot] = slabMoves[last] as number;
            slabNumbers[slot] = slabNumbers[last] as number;
          }
          held--;
          if (full) {
            yield batch;
            batch = newBatch(batchSize, perExample);
            inBatch = 0;
          }
        }
        if (inBatch > 0) yield trimBatch(batch, inBatch, perExample);
        stats = pool.stats();
      } finally {
        await pool.close();
      }
    },
  };
}

/** The games of one epoch, in the order they are read. */
export function epochFiles(
  files: readonly string[],
  epoch: number,
  seed: number,
  gamesPerEpoch: number | undefined,
  shuffle: boolean,
): string[] {
  if (gamesPerEpoch === undefined || gamesPerEpoch >= files.length) {
    return shuffle ? new Rng(seed).fork(epoch).shuffle([...files]) : [...files];
  }
  const fixed = new Rng(seed).shuffle([...files]);
  const start = (epoch * gamesPerEpoch) % fixed.length;
  const slice = fixed.slice(start, start + gamesPerEpoch);
  if (slice.length < gamesPerEpoch) slice.push(...fixed.slice(0, gamesPerEpoch - slice.length));
  return slice;
}

function newBatch(batchSize: number, perExample: number): ArrayBatch {
  return {
    xs: { data: new Float32Array(batchSize * perExample), shape: [batchSize, 19, 19, perExample / POINTS] },
    ys: new Int32Array(batchSize),
    moveNumbers: new Int32Array(batchSize),
  };
}

function trimBatch(batch: ArrayBatch, n: number, perExample: number): ArrayBatch {
  return {
    xs: { data: batch.xs.data.slice(0, n * perExample), shape: [n, 19, 19, perExample / POINTS] },
    ys: batch.ys.slice(0, n),
    moveNumbers: batch.moveNumbers.slice(0, n),
  };
}

function copyToFloat(src: Uint8Array, from: number, n: number, dst: Float32Array, to: number): void {
  for (let i = 0; i < n; i++) dst[to + i] = src[from + i] as number;
}

/**
 * How a feature worker starts. Run from source (tsx, vitest) the worker is TypeScript, and Node 20
 * ignores `--import` loaders for a worker's entry, so a two-line bootstrap registers tsx's loader
 * in the worker first (as core's gradient workers do).
 */
function workerEntry(): { script: string | URL; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { script: new URL('./worker.js', here), eval: false };
  const tsxDir = dirname(createRequire(here).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./worker.ts', here).href;
  const script = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return { script, eval: true };
}

/** Feature workers fed from one shared file order, each allowed two chunks in flight. */
class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly queue: ChunkMessage[] = [];
  private readonly done: DoneMessage[] = [];
  private waiting: { resolve: (c: ChunkMessage | null) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private running: number;
  private closed = false;

  constructor(
    files: string[],
    o: { workers: number; featureSet: string; symmetries: boolean; chunkSize: number },
    seed: number,
  ) {
    const n = Math.max(1, Math.min(o.workers, files.length));
    this.running = n;
    const entry = workerEntry();
    for (let w = 0; w < n; w++) {
      const job: WorkerJob = {
        files: files.filter((_, i) => i % n === w),
        featureSet: o.featureSet,
        seed: (seed + w * 7919) >>> 0,
        symmetries: o.symmetries,
        chunkSize: o.chunkSize,
      };
      const worker = new Worker(entry.script, { workerData: job, eval: entry.eval });
      worker.on('message', (m: WorkerMessage) => this.onMessage(worker, m));
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => {
        if (code !== 0 && !this.closed) this.fail(new Error(`feature worker exited with code ${code}`));
      });
      const more: MoreMessage = { type: 'more' };
      worker.postMessage(more);
      worker.postMessage(more);
      this.workers.push(worker);
    }
    if (files.length === 0) this.running = 0;
  }

  private onMessage(worker: Worker, m: WorkerMessage): void {
    if (m.type === 'chunk') {
      this.queue.push(m);
      worker.postMessage({ type: 'more' } satisfies MoreMessage);
    } else if (m.type === 'done') {
      this.done.push(m);
      this.running--;
    } else {
      this.fail(new Error(`feature worker: ${m.message}`));
      return;
    }
    this.wake();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    if (!w) return;
    if (this.failure) {
      this.waiting = undefined;
      w.reject(this.failure);
    } else if (this.queue.length > 0) {
      this.waiting = undefined;
      w.resolve(this.queue.shift() as ChunkMessage);
    } else if (this.running === 0) {
      this.waiting = undefined;
      w.resolve(null);
    }
  }

  /** The next chunk from any worker, or null once every worker has finished. */
  next(): Promise<ChunkMessage | null> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.wake();
    });
  }

  stats(): StreamStats {
    const skipped: StreamStats['skipped'] = {};
    for (const d of this.done) {
      for (const [reason, s] of Object.entries(d.skipped)) {
        const into = (skipped[reason] ??= { count: 0, example: s.example });
        into.count += s.count;
      }
    }
    return {
      games: this.done.reduce((n, d) => n + d.games, 0),
      positions: this.done.reduce((n, d) => n + d.positions, 0),
      skipped,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.running = 0;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
