export { Board, BLACK, WHITE, EMPTY, PASS, COLUMNS, IllegalMoveError, opponent } from './board.js';
export type { BoardOptions, Colour, IllegalReason, KoRule, Move, MoveRecord, Player } from './board.js';
export { MIN_SIZE, MAX_SIZE } from './geometry.js';
export { parseVertex, formatVertex } from './vertex.js';
export { fixedHandicap, maxHandicap } from './handicap.js';
export { score, territory } from './score.js';
export type { Score, ScoringRule } from './score.js';
export { isLadderCapture, isLadderEscape, DEFAULT_LADDER_DEPTH } from './ladder.js';
