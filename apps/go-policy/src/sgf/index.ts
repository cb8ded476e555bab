export { readSgf, parseKomi, replay, startingBoard } from './read.js';
export type { ReadOptions } from './read.js';
export { gameToSgf } from './write.js';
export { emptySummary, tally, formatSummary } from './tally.js';
export type { ScanSummary } from './tally.js';
export { SKIP_REASONS } from './game.js';
export type { Game, GameMove, ReadResult, SkipReason } from './game.js';
export { positionBefore } from './position.js';
export type { GamePosition } from './position.js';
