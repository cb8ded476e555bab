// Random legal 19x19 games written as SGF, for the GPU path's tests: long enough for captures,
// ataris and ladders, so every group of feature planes is exercised. Deterministic per seed.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BLACK, Board } from '../src/board/index.js';

const LETTERS = 'abcdefghijklmnopqrs';

export function randomGameSgf(seed: number, moves: number): string {
  let s = seed >>> 0 || 1;
  const rnd = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const board = new Board(19);
  const body: string[] = [];
  for (let i = 0; i < moves; i++) {
    const legal = board.legalMoves();
    if (legal.length === 0) break;
    const p = legal[Math.floor(rnd() * legal.length)] as number;
    const colour = board.toPlay;
    board.play(p, colour);
    body.push(`;${colour === BLACK ? 'B' : 'W'}[${LETTERS[p % 19]}${LETTERS[Math.floor(p / 19)]}]`);
  }
  return `(;GM[1]FF[4]SZ[19]KM[7.5]${body.join('')})`;
}

/** A folder of `games` random games in two rank folders, plus one truncated record that must be skipped. */
export function randomGameFolder(games: number, moves = 120): string {
  const dir = mkdtempSync(join(tmpdir(), 'go-policy-gpu-'));
  mkdirSync(join(dir, '1p'));
  mkdirSync(join(dir, '9p'));
  for (let g = 0; g < games; g++) {
    writeFileSync(
      join(dir, g % 2 === 0 ? '1p' : '9p', `g${String(g).padStart(3, '0')}.sgf`),
      randomGameSgf(g + 1, moves),
    );
  }
  writeFileSync(join(dir, '9p', 'broken.sgf'), '(;GM[1]SZ[19];B[aa];W[');
  return dir;
}
