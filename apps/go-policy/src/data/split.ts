import { createHash } from 'node:crypto';

export type SplitName = 'train' | 'validation' | 'test';
export const SPLITS: readonly SplitName[] = ['train', 'validation', 'test'];

export interface SplitFractions {
  validation: number;
  test: number;
}

export const DEFAULT_FRACTIONS: SplitFractions = { validation: 0.02, test: 0.05 };

/**
 * Which split a game belongs to, decided by a hash of its path (relative to the data folder) and the
 * seed alone: the same game lands in the same split whatever else is in the folder, so adding games
 * or moving the folder never leaks a test game into training.
 */
export function splitOf(relPath: string, seed: number, fractions: SplitFractions = DEFAULT_FRACTIONS): SplitName {
  const digest = createHash('sha256')
    .update(`${seed}\0${relPath.replaceAll('\\', '/')}`)
    .digest();
  const u = digest.readUInt32BE(0) / 2 ** 32;
  if (u < fractions.test) return 'test';
  if (u < fractions.test + fractions.validation) return 'validation';
  return 'train';
}

/** Partitions game paths into the three splits; every path lands in exactly one, order kept. */
export function splitGames(
  relPaths: readonly string[],
  seed: number,
  fractions: SplitFractions = DEFAULT_FRACTIONS,
): Record<SplitName, string[]> {
  const out: Record<SplitName, string[]> = { train: [], validation: [], test: [] };
  for (const p of relPaths) out[splitOf(p, seed, fractions)].push(p);
  return out;
}

/** At most `max` items spaced evenly through the list (files are sorted by folder, so by rank on Fox). */
export function spreadEvenly<T>(items: readonly T[], max: number | undefined): T[] {
  if (max === undefined || max >= items.length) return [...items];
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)] as T);
}
