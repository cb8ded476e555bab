import { Rng, type ArrayBatch, type DataSource } from '@cnn-lab/core';
import { PAD_ID } from '../text/index.js';

/** A sentence as word ids, with its class index. */
export interface Encoded {
  ids: Int32Array;
  label: number;
}

/**
 * Kim pads every sentence with (h_max - 1) zeros in front so the widest filter can centre on the first
 * word. At the back we pad at least h_max, so every filter also sees one all-padding window: a sentence's
 * max-over-time features then do not depend on how long the other sentences of its batch are.
 */
export function paddedLength(tokens: number, maxWindow: number): number {
  return Math.max(tokens, 1) + (maxWindow - 1) + maxWindow;
}

/**
 * The most words of a sentence a model reads; the rest are cut. Bounds the work and memory of a batch whatever the
 * input (a 10 MB line once asked for a 29 GB batch in `train` and ran tfjs-wasm out of memory in `start`).
 */
export const MAX_SENTENCE_TOKENS = 1000;

/** Sentences as one [n, length] int32 batch, padded as in `paddedLength`; longer ones cut at `maxTokens`. */
export function padBatch(
  seqs: readonly Int32Array[],
  maxWindow: number,
  maxTokens = MAX_SENTENCE_TOKENS,
): { data: Int32Array; shape: [number, number] } {
  const longest = seqs.reduce((m, s) => Math.max(m, Math.min(s.length, maxTokens)), 0);
  const len = paddedLength(longest, maxWindow);
  const data = new Int32Array(seqs.length * len).fill(PAD_ID);
  seqs.forEach((s, i) => data.set(s.subarray(0, Math.min(s.length, maxTokens)), i * len + maxWindow - 1));
  return { data, shape: [seqs.length, len] };
}

export interface SequenceSourceOptions {
  maxWindow: number;
  /** Shuffle each epoch (training); evaluation sources keep file order. */
  shuffle?: boolean;
  /**
   * Group sentences of similar length into the same batch (within pools of 20 batches, then shuffle the
   * batches; without shuffling, the whole set sorted by length), so that little time goes into padding. Off
   * gives Kim's plain random batches, or the items in order.
   */
  bucket?: boolean;
  /** Words per sentence read (default MAX_SENTENCE_TOKENS). */
  maxTokens?: number;
}

/** A core DataSource of padded id sequences; each batch is as long as its longest sentence needs. */
export function sequenceSource(items: readonly Encoded[], opts: SequenceSourceOptions): DataSource {
  const shuffle = opts.shuffle ?? true;
  const bucket = opts.bucket ?? shuffle;
  return {
    size: items.length,
    async *batches(epoch: number, batchSize: number, seed: number): AsyncGenerator<ArrayBatch> {
      for (const idx of batchOrder(items, epoch, batchSize, seed, shuffle, bucket)) {
        const { data, shape } = padBatch(
          idx.map((i) => (items[i] as Encoded).ids),
          opts.maxWindow,
          opts.maxTokens,
        );
        yield { xs: { data, shape }, ys: Int32Array.from(idx, (i) => (items[i] as Encoded).label) };
      }
    },
  };
}

const BUCKET_POOL = 20;

export function batchOrder(
  items: readonly Encoded[],
  epoch: number,
  batchSize: number,
  seed: number,
  shuffle: boolean,
  bucket: boolean,
): number[][] {
  if (!(batchSize >= 1)) throw new Error(`batch size must be >= 1, got ${batchSize}`);
  const rng = new Rng(seed).fork(epoch);
  const order = Array.from({ length: items.length }, (_, i) => i);
  if (shuffle) rng.shuffle(order);
  const batches: number[][] = [];
  // Unshuffled (evaluation), bucketing sorts the whole set: scores do not depend on the order, and the padding goes.
  const pool = bucket ? (shuffle ? batchSize * BUCKET_POOL : Math.max(order.length, 1)) : batchSize;
  for (let p = 0; p < order.length; p += pool) {
    const chunk = order.slice(p, p + pool);
    if (bucket) chunk.sort((a, b) => (items[a] as Encoded).ids.length - (items[b] as Encoded).ids.length);
    for (let s = 0; s < chunk.length; s += batchSize) batches.push(chunk.slice(s, s + batchSize));
  }
  if (bucket && shuffle) rng.shuffle(batches);
  return batches;
}
