// The games a match folder already holds (game-001.sgf, game-002.sgf, ...), read back so that an
// interrupted match can go on where it stopped: the same opponent, the next game, the tally so far.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, UsageError } from '@cnn-lab/core';
import { BLACK, WHITE, type Player } from '../board/index.js';
import { readSgf } from '../sgf/index.js';
import type { MatchGameResult } from './match.js';

/** Our engine's name in the SGF (PB or PW); the opponent's command line is the other name. */
export const OUR_NAME = 'go-policy';

/** Our colour in game `index` (0-based) of a match: black in even games, white in odd ones. */
export function ourColour(index: number): Player {
  return index % 2 === 0 ? BLACK : WHITE;
}

/** The file of game `index` (0-based) in a match folder. */
export function gameFile(dir: string, index: number): string {
  return join(dir, `game-${String(index + 1).padStart(3, '0')}.sgf`);
}

export type PlayedGame = Pick<MatchGameResult, 'index' | 'ours' | 'outcome' | 'result' | 'moves'>;

/**
 * The games 1..k already in `dir` (stopping at the first missing number), each with our colour and its
 * outcome as the referee's RE[] gave it. A file that does not parse, or a game against another opponent
 * than `opponent`, is a DataError naming the file: a resumed match must be one match.
 */
export function playedGames(dir: string, opponent: string): PlayedGame[] {
  const out: PlayedGame[] = [];
  for (let index = 0; existsSync(gameFile(dir, index)); index++) {
    const file = gameFile(dir, index);
    const read = readSgf(readFileSync(file), { allowEmpty: true });
    if (!read.ok) throw new DataError(file, `not a game record this match wrote (${read.reason}: ${read.detail})`);
    const { game } = read;
    const ours = game.info.blackName === OUR_NAME ? BLACK : game.info.whiteName === OUR_NAME ? WHITE : null;
    if (ours === null) throw new DataError(file, `neither player is ${OUR_NAME}`);
    const theirs = ours === BLACK ? game.info.whiteName : game.info.blackName;
    if (theirs !== opponent) throw new DataError(file, `this game's opponent was '${theirs ?? ''}', not '${opponent}'`);
    const expected = ourColour(index);
    if (ours !== expected)
      throw new DataError(
        file,
        `we played ${ours === BLACK ? 'black' : 'white'}, but game ${index + 1} of a match is ours as ${expected === BLACK ? 'black' : 'white'}`,
      );
    out.push({
      index,
      ours: ours === BLACK ? 'black' : 'white',
      outcome: game.winner === null ? 'unfinished' : game.winner === ours ? 'win' : 'loss',
      result: game.result ?? null,
      moves: game.moves.length,
    });
  }
  return out;
}

/** --resume without a folder to resume is a usage error. */
export function assertResumable(dir: string | undefined): string {
  if (dir === undefined) throw new UsageError('--resume: name the match folder to go on with, with --out <dir>');
  if (!existsSync(dir)) throw new UsageError(`--resume: ${dir} does not exist (--out names the match folder)`);
  return dir;
}
