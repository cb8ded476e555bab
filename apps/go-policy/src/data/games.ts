import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DataError } from '@cnn-lab/core';

/** Every .sgf file under `dir` (recursively), as paths relative to it, sorted so runs repeat. */
export async function listGames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.sgf'))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** listGames, or a DataError naming the folder when it holds no game records (`what` says what was expected). */
export async function requireGames(dir: string, what: string): Promise<string[]> {
  const games = await listGames(dir);
  if (games.length === 0) throw new DataError(dir, `no .sgf files found (expected ${what})`);
  return games;
}

/**
 * Roughly how many training positions the files hold: their non-pass moves, counted from the raw text
 * without parsing. Only for progress bars and ETAs; the stream reports the exact count afterwards.
 */
export async function estimatePositions(files: readonly string[]): Promise<number> {
  let n = 0;
  for (const f of files) {
    const text = await readFile(f, 'latin1');
    n += countMoves(text);
  }
  return n;
}

/** Moves in SGF text: B[xy] or W[xy] property values with two letters (a pass is B[] or B[tt]). */
export function countMoves(text: string): number {
  let n = 0;
  for (const m of text.matchAll(/;\s*[BW]\[([a-s]{2})?\]/g)) if (m[1] !== undefined && m[1] !== 'tt') n++;
  return n;
}
