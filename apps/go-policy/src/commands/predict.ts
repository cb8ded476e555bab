// `predict`: the network's most probable moves for one position (an SGF at a move number, or the empty board).
import { readFile } from 'node:fs/promises';
import {
  DataError,
  UsageError,
  parseIntIn,
  resolveUserPath,
  runAction,
  withCommonOptions,
  type CommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { BLACK, Board } from '../board/index.js';
import { loadPolicyModel } from '../model/load.js';
import { networkPolicy, topMoves } from '../model/predict.js';
import { positionBefore, readSgf, type GamePosition } from '../sgf/index.js';

interface PredictOptions extends CommonOptions {
  sgf?: string;
  move?: number;
  top: number;
}

async function readFileOrUsage(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(resolveUserPath(path));
  } catch (err) {
    throw new UsageError(
      `${flag}: cannot read '${path}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

/** The position the flags name: the SGF before --move (default: after its last move), or the empty board. */
async function chosenPosition(opts: PredictOptions): Promise<GamePosition> {
  if (opts.sgf === undefined) {
    if (opts.move !== undefined) throw new UsageError('--move needs --sgf');
    return { board: new Board(19), played: null };
  }
  const read = readSgf(await readFileOrUsage(opts.sgf, '--sgf'));
  if (!read.ok) throw new DataError(opts.sgf, `not a usable 19x19 game record (${read.reason}): ${read.detail}`);
  const moves = read.game.moves.length;
  const stop = opts.move ?? moves + 1;
  if (stop > moves + 1) throw new UsageError(`--move ${stop}: the game has ${moves} moves (expected 1..${moves + 1})`);
  return positionBefore(read.game, stop);
}

export function registerPredict(program: Command): void {
  const cmd = program
    .command('predict')
    .description("the network's top-5 moves for a position: an SGF at a move number, or the empty board");
  withCommonOptions(cmd, ['modelDir', 'json', 'backend']);
  cmd
    .option('--sgf <file>', 'a game record (default: the empty board)')
    .option('--move <n>', 'the position before move n of the SGF (default: after the last move)', parseIntIn(1))
    .option('--top <k>', 'how many moves to list', parseIntIn(1, 361), 5)
    .action(
      runAction<PredictOptions>(async ({ opts, log }) => {
        const { model, meta } = await loadPolicyModel(opts.modelDir);
        const { board, played } = await chosenPosition(opts);
        const t0 = performance.now();
        const probs = await networkPolicy(model, meta.featureSet)(board, board.toPlay);
        const ms = performance.now() - t0;
        const top = topMoves(board, probs, opts.top);
        log(board.toString());
        log(
          `${board.toPlay === BLACK ? 'black' : 'white'} to play; the network's top ${opts.top} (legal points, renormalised):`,
        );
        for (const [i, t] of top.entries())
          log(
            `  ${i + 1}. ${t.vertex.padEnd(4)} ${(t.probability * 100).toFixed(1)}%${t.vertex === played ? '  <- played' : ''}`,
          );
        if (played) log(`played in the game: ${played}`);
        return { toPlay: board.toPlay === BLACK ? 'black' : 'white', top, played, forwardMs: ms };
      }),
    );
}
