// A game record as the engine needs it: board size, setup stones, komi, result and the main line.
import type { Move, Player } from '../board/index.js';

export interface GameMove {
  colour: Player;
  /** Point index (row * size + col, row 0 at the top), or PASS. */
  move: Move;
  /** A comment on the move (SGF C[]), e.g. the search's win rate. */
  comment?: string;
}

export interface Game {
  size: number;
  /** Real komi: Fox's scaled values are already divided (KM[375] -> 3.75). */
  komi: number;
  /** HA[] as written (0 when absent). */
  handicap: number;
  /** Setup stones (AB/AW, or the fixed handicap points when HA[] comes without AB[]). */
  setup: { black: number[]; white: number[] };
  /** The main line, passes included. */
  moves: GameMove[];
  /** RE[] as written, e.g. "B+R", "W+3.5"; undefined when absent. */
  result?: string;
  /** Winner read from RE (null: draw, void or unknown). */
  winner: Player | null;
  /** Free-text properties (names may be mojibake: Fox's encoding is often broken). */
  info: { blackName?: string; whiteName?: string; date?: string; rules?: string };
}

/** Why a record was not turned into a Game. */
export type SkipReason =
  'not-sgf' | 'truncated' | 'illegal-move' | 'board-size' | 'no-moves' | 'bad-property' | 'too-long';

export const SKIP_REASONS: readonly SkipReason[] = [
  'not-sgf',
  'truncated',
  'illegal-move',
  'board-size',
  'no-moves',
  'bad-property',
  'too-long',
];

export type ReadResult = { ok: true; game: Game } | { ok: false; reason: SkipReason; detail: string };
