import { Rng } from '../util/random.js';

/**
 * Runs `fn` with Math.random replaced by a seeded generator. tfjs draws the seed of every unseeded
 * random op (weight initialisers, dropout masks) from Math.random, so building a model or running a
 * training step inside `withSeed` makes it repeat exactly. `fn` must be synchronous: an await inside
 * would let unrelated code draw from the seeded stream.
 */
export function withSeed<T>(seed: number, fn: () => T): T {
  const rng = new Rng(seed);
  const original = Math.random;
  Math.random = () => rng.next();
  try {
    const result = fn();
    if (result instanceof Promise) throw new Error('withSeed needs a synchronous function');
    return result;
  } finally {
    Math.random = original;
  }
}

/** A seed for one step of one replica, so that resumed and parallel runs draw the same dropout masks. */
export function stepSeed(seed: number, globalStep: number, replica = 0): number {
  return (
    (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) + Math.imul(globalStep + 1, 0x165667b1) + replica * 0x9e3779b9) >>> 0
  );
}
