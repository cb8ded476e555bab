// A position of a recorded game: the board before move n, with the move that was played there.
import { formatVertex, type Board } from '../board/index.js';
import type { Game } from './game.js';
import { startingBoard } from './read.js';

export interface GamePosition {
  board: Board;
  /** The move played from this position in the game (GTP vertex), null after the last move. */
  played: string | null;
}

/**
 * The position before move `before` (1-based; default: after the last move, moves + 1), the side to
 * move set to the colour that played there. A RangeError names the game's length when `before` is past it.
 */
export function positionBefore(game: Game, before: number = game.moves.length + 1): GamePosition {
  if (!Number.isInteger(before) || before < 1 || before > game.moves.length + 1) {
    throw new RangeError(
      `the game has ${game.moves.length} moves (expected 1..${game.moves.length + 1}, got ${before})`,
    );
  }
  const board = startingBoard(game);
  for (const [i, m] of game.moves.entries()) {
    if (i + 1 === before) {
      board.toPlay = m.colour;
      return { board, played: formatVertex(m.move, game.size) };
    }
    board.play(m.move, m.colour);
  }
  return { board, played: null };
}
