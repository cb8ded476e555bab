// Searchers: one search in this thread, or several in worker threads (root parallelism: each thread
// grows its own tree from the same position with its own random numbers, and their root statistics
// are added up). Both answer the same asynchronous calls, so the engine does not care which it has.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import type { FeatureSetName } from '../features/index.js';
import { RolloutTables, type RolloutWeights } from '../rollout/policy.js';
import { tfNetEvaluator } from './net.js';
import { boardFrom, type PositionData } from './position.js';
import { ROOT_ROW, Search, type Budget, type MoveStats, type SearchOptions, type SearchResult } from './search.js';

export interface Searcher {
  /** Search `position` within the budget (playouts are split between threads; time is shared). */
  search(position: PositionData, budget: { playouts?: number; timeMs?: number }): Promise<SearchResult>;
  /** Ask a running search to stop now (its result still comes back). */
  stop(): void;
  setKomi(komi: number): void;
  /** Forget the trees (a new game). */
  clear(): void;
  close(): Promise<void>;
  readonly threads: number;
}

/** One search on this thread. The call blocks the thread for the length of the budget. */
export class LocalSearcher implements Searcher {
  readonly threads = 1;
  private readonly search_: Search;
  private stopped = false;

  constructor(
    tables: RolloutTables,
    model: tf.LayersModel | null,
    featureSet: FeatureSetName,
    planes: number,
    options: Partial<SearchOptions> & Pick<SearchOptions, 'komi' | 'seed'>,
  ) {
    this.search_ = new Search(tables, model ? tfNetEvaluator(model, planes) : null, featureSet, options);
  }

  async search(position: PositionData, budget: Budget): Promise<SearchResult> {
    this.stopped = false;
    this.search_.setPosition(boardFrom(position));
    return this.search_.run({ ...budget, stop: () => this.stopped });
  }

  stop(): void {
    this.stopped = true;
  }

  setKomi(komi: number): void {
    this.search_.setKomi(komi);
  }

  clear(): void {
    this.search_.reset();
  }

  async close(): Promise<void> {}
}

/** What a search worker needs to start. */
export interface WorkerInit {
  type: 'init';
  modelDir: string | null;
  weights: {
    fineCodes: Int32Array;
    fine: Float32Array;
    coarse: Float32Array;
    line: Float32Array;
    lastDistance: Float32Array;
    ownDistance: Float32Array;
  };
  backend?: string;
  options: Partial<SearchOptions> & Pick<SearchOptions, 'komi' | 'seed'>;
  /** Shared flag: set element 0 to 1 to stop the current search. */
  stopFlag: SharedArrayBuffer;
  /** The threads' root visits (SharedRoot.visits), this worker's row and the number of threads. */
  rootShare: SharedArrayBuffer;
  row: number;
  threads: number;
}

export type ToWorker =
  | WorkerInit
  | { type: 'search'; id: number; position: PositionData; budget: { playouts?: number; timeMs?: number } }
  | { type: 'komi'; komi: number }
  | { type: 'clear' };

export type FromWorker =
  { type: 'ready' } | { type: 'result'; id: number; result: SearchResult } | { type: 'error'; message: string };

function workerEntry(): { script: string | URL; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { script: new URL('./worker.js', here), eval: false };
  const tsxDir = dirname(createRequire(here).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./worker.ts', here).href;
  return {
    script: `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`,
    eval: true,
  };
}

/** Searches in `threads` worker threads, each with its own copy of the network and its own tree. */
export class WorkerSearcher implements Searcher {
  readonly threads: number;
  private readonly workers: Worker[];
  private readonly stopFlag = new SharedArrayBuffer(4);
  private readonly rootShare: SharedArrayBuffer;
  private readonly pending = new Map<number, { resolve: (r: SearchResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | null = null;
  private readonly ready: Promise<void>;
  private closing = false;

  private constructor(threads: number, init: Omit<WorkerInit, 'type' | 'stopFlag' | 'rootShare' | 'row' | 'threads'>) {
    this.threads = threads;
    this.rootShare = new SharedArrayBuffer(4 * ROOT_ROW * threads);
    const entry = workerEntry();
    const readies: Promise<void>[] = [];
    this.workers = Array.from({ length: threads }, (_, w) => {
      const worker = new Worker(entry.script, { eval: entry.eval });
      readies.push(
        new Promise<void>((resolve, reject) => {
          worker.on('message', (m: FromWorker) => {
            if (m.type === 'ready') resolve();
            else if (m.type === 'result') {
              const p = this.pending.get(m.id);
              this.pending.delete(m.id);
              p?.resolve(m.result);
            } else {
              const err = new Error(`search worker: ${m.message}`);
              this.fail(err);
              reject(err);
            }
          });
          worker.on('error', (e) => {
            this.fail(e);
            reject(e);
          });
          worker.on('exit', (code) => {
            if (!this.closing) {
              const e = new Error(`search worker exited with code ${code}`);
              this.fail(e);
              reject(e);
            }
          });
        }),
      );
      const msg: WorkerInit = {
        type: 'init',
        ...init,
        options: { ...init.options, seed: (init.options.seed + w * 7919) >>> 0 },
        stopFlag: this.stopFlag,
        rootShare: this.rootShare,
        row: w,
        threads,
      };
      worker.postMessage(msg);
      return worker;
    });
    this.ready = Promise.all(readies).then(() => undefined);
  }

  /** Start the workers and wait until each has loaded the network. */
  static async start(
    threads: number,
    init: Omit<WorkerInit, 'type' | 'stopFlag' | 'rootShare' | 'row' | 'threads'>,
  ): Promise<WorkerSearcher> {
    const s = new WorkerSearcher(threads, init);
    try {
      await s.ready;
    } catch (err) {
      await s.close();
      throw err;
    }
    return s;
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  async search(position: PositionData, budget: { playouts?: number; timeMs?: number }): Promise<SearchResult> {
    if (this.failure) throw this.failure;
    Atomics.store(new Int32Array(this.stopFlag), 0, 0);
    new Int32Array(this.rootShare).fill(0);
    const n = this.workers.length;
    const results = await Promise.all(
      this.workers.map((w, k) => {
        const id = this.nextId++;
        // Playouts split as evenly as integers allow; the first threads take the remainder.
        const share =
          budget.playouts === undefined
            ? undefined
            : Math.floor(budget.playouts / n) + (k < budget.playouts % n ? 1 : 0);
        const b = {
          ...(share !== undefined ? { playouts: share } : {}),
          ...(budget.timeMs !== undefined ? { timeMs: budget.timeMs } : {}),
        };
        return new Promise<SearchResult>((resolve, reject) => {
          this.pending.set(id, { resolve, reject });
          const msg: ToWorker = { type: 'search', id, position, budget: b };
          w.postMessage(msg);
        });
      }),
    );
    return mergeResults(results);
  }

  stop(): void {
    Atomics.store(new Int32Array(this.stopFlag), 0, 1);
  }

  setKomi(komi: number): void {
    for (const w of this.workers) w.postMessage({ type: 'komi', komi } satisfies ToWorker);
  }

  clear(): void {
    for (const w of this.workers) w.postMessage({ type: 'clear' } satisfies ToWorker);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.stop();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Add up the root statistics of several searches of the same position. */
export function mergeResults(results: readonly SearchResult[]): SearchResult {
  if (results.length === 1) return results[0]!;
  const first = results[0]!;
  const byMove = new Map<number, MoveStats & { best: number }>();
  for (const r of results) {
    for (const m of r.moves) {
      const had = byMove.get(m.move);
      if (!had) byMove.set(m.move, { ...m, pv: [...m.pv], best: m.visits });
      else {
        had.visits += m.visits;
        had.valueSum += m.valueSum;
        had.wins += m.wins;
        had.prior += m.prior;
        if (m.visits > had.best) {
          had.best = m.visits;
          had.pv = [...m.pv];
        }
      }
    }
  }
  const moves: MoveStats[] = [...byMove.values()].map(({ best: _best, ...m }) => {
    void _best;
    return { ...m, value: m.valueSum / m.visits, winrate: m.wins / m.visits, prior: m.prior / results.length };
  });
  moves.sort((a, b) => b.visits - a.visits || b.value - a.value);
  const playouts = results.reduce((s, r) => s + r.playouts, 0);
  const area = first.ownership.length;
  const ownership = new Float32Array(area);
  let margin = 0;
  let wins = 0;
  for (const r of results) {
    for (let p = 0; p < area; p++) ownership[p]! += r.ownership[p]! * r.playouts;
    margin += r.meanMargin * r.playouts;
    wins += r.winrate * r.playouts;
  }
  for (let p = 0; p < area; p++) ownership[p] = playouts > 0 ? ownership[p]! / playouts : 0;
  return {
    player: first.player,
    playouts,
    rootVisits: results.reduce((s, r) => s + r.rootVisits, 0),
    moves,
    ownership,
    meanMargin: playouts > 0 ? margin / playouts : 0,
    winrate: playouts > 0 ? wins / playouts : 0.5,
    netEvaluations: results.reduce((s, r) => s + r.netEvaluations, 0),
    rootFromNet: results.every((r) => r.rootFromNet),
    elapsedMs: Math.max(...results.map((r) => r.elapsedMs)),
    playoutMoves: results.reduce((s, r) => s + r.playoutMoves, 0),
  };
}

export { RolloutTables, type RolloutWeights };
