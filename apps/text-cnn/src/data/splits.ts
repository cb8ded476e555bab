import { Rng } from '@cnn-lab/core';

/** Train, dev (for choosing the epoch) and test examples of one run of the protocol. */
export interface Split<T> {
  train: T[];
  dev: T[];
  test: T[];
}

/** Fold of each item for k-fold cross-validation: a seeded shuffle cut into k near-equal parts. */
export function foldAssignment(n: number, k: number, seed: number): Int32Array {
  if (!(Number.isInteger(k) && k >= 2 && k <= n)) throw new Error(`k-fold needs 2 <= k <= ${n} items, got k=${k}`);
  const order = new Rng(seed).shuffle(Array.from({ length: n }, (_, i) => i));
  const fold = new Int32Array(n);
  order.forEach((item, rank) => {
    fold[item] = rank % k;
  });
  return fold;
}

/** Moves a seeded random `fraction` of `items` out as the held-out part (Kim: 10% of train as dev). */
export function holdOut<T>(items: readonly T[], fraction: number, seed: number): { kept: T[]; held: T[] } {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`hold-out fraction must be in (0, 1), got ${fraction}`);
  const order = new Rng(seed).shuffle(Array.from({ length: items.length }, (_, i) => i));
  const nHeld = Math.max(1, Math.round(items.length * fraction));
  const heldSet = new Set(order.slice(0, nHeld));
  const kept: T[] = [];
  const held: T[] = [];
  items.forEach((item, i) => (heldSet.has(i) ? held : kept).push(item));
  return { kept, held };
}

/** Fold `fold` of a k-fold CV as a Split: that fold is the test set, 10% of the rest is dev. */
export function crossValidationSplit<T>(
  items: readonly T[],
  folds: Int32Array,
  fold: number,
  devFraction: number,
  seed: number,
): Split<T> {
  const rest = items.filter((_, i) => folds[i] !== fold);
  const test = items.filter((_, i) => folds[i] === fold);
  const { kept, held } = holdOut(rest, devFraction, seed);
  return { train: kept, dev: held, test };
}
