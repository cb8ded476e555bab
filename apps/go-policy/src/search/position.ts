// A game position as plain data (board size, setup stones, the moves, who is to play), so that worker
// threads can rebuild exactly the board the engine holds, history included.
import { BLACK, Board, WHITE, type Move, type Player } from '../board/index.js';

export interface PositionData {
  size: number;
  setup: { black: number[]; white: number[] };
  moves: { colour: Player; move: Move }[];
  toPlay: Player;
}

/** The position of `board`, whose setup stones (handicap) were `setup`. */
export function positionData(board: Board, setup: { black: number[]; white: number[] }): PositionData {
  return {
    size: board.size,
    setup: { black: [...setup.black], white: [...setup.white] },
    moves: board.history.map((m) => ({ colour: m.colour, move: m.move })),
    toPlay: board.toPlay,
  };
}

/** Rebuild the board (positional superko, as the engine plays) from its data. */
export function boardFrom(data: PositionData): Board {
  const b = new Board(data.size, { koRule: 'positional-superko' });
  if (data.setup.black.length) b.setup(BLACK, data.setup.black);
  if (data.setup.white.length) b.setup(WHITE, data.setup.white);
  for (const m of data.moves) b.play(m.move, m.colour);
  b.toPlay = data.toPlay;
  return b;
}
