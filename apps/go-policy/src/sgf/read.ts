// SGF records -> typed Games, with a typed reason instead of an exception for every bad record, so a
// scan over thousands of files never stops for one of them. Parsing is parse.ts's: one pass, no recursion.
import { BLACK, Board, IllegalMoveError, PASS, WHITE, fixedHandicap, maxHandicap } from '../board/index.js';
import type { Player } from '../board/index.js';
import type { Game, GameMove, ReadResult, SkipReason } from './game.js';
import { parseMainLine, type MainLineNode } from './parse.js';

export interface ReadOptions {
  /** Only accept games on this board size (default 19); null accepts any size from 5 to 19. */
  size?: number | null;
  /** Replay the moves and reject a game with an illegal one (default true). */
  checkLegality?: boolean;
  /** Accept a record without a move (default false: training and replay need moves; a resigned match game has none). */
  allowEmpty?: boolean;
}

const skip = (reason: SkipReason, detail: string): ReadResult => ({ ok: false, reason, detail });

/**
 * More moves than any game of Go has (the longest professional games run to about 400): a record beyond it is
 * refused before it is replayed, so the work one file can cause (a replay, a forward pass per move) stays bounded.
 */
export const MAX_GAME_MOVES = 1000;

/**
 * Read one SGF record. Buffers are decoded as latin1: every byte survives, the ASCII properties we need
 * read correctly whatever the real encoding was (Fox writes GB-family names without a CA[]).
 */
export function readSgf(content: string | Uint8Array, options: ReadOptions = {}): ReadResult {
  const text = typeof content === 'string' ? content : Buffer.from(content).toString('latin1');
  const parsed = parseMainLine(text);
  if (!parsed.ok) return skip(parsed.reason, parsed.detail);
  return fromNodes(parsed.nodes, options);
}

/** Fox writes komi times 100 (KM[375] = 3.75, KM[650] = 6.5); no real komi is 100 or more. */
export function parseKomi(value: string): number | null {
  const v = Number(value.trim());
  if (!Number.isFinite(v) || value.trim() === '') return null;
  return Number.isInteger(v) && Math.abs(v) >= 100 ? v / 100 : v;
}

function winnerOf(result: string | undefined): Player | null {
  const r = result?.trim().toUpperCase() ?? '';
  if (r.startsWith('B+')) return BLACK;
  if (r.startsWith('W+')) return WHITE;
  return null;
}

function fromNodes(nodes: readonly MainLineNode[], options: ReadOptions): ReadResult {
  const first = (id: string): string | undefined => {
    for (const n of nodes) {
      const v = n.data[id];
      if (v && v.length > 0) return v[0];
    }
    return undefined;
  };
  const szText = first('SZ') ?? '19';
  const szMatch = /^\s*(\d+)\s*(?::\s*(\d+)\s*)?$/.exec(szText);
  if (!szMatch) return skip('bad-property', `SZ[${szText}] is not a board size`);
  const size = Number(szMatch[1]);
  if (szMatch[2] !== undefined && Number(szMatch[2]) !== size) return skip('board-size', `SZ[${szText}] is not square`);
  const wanted = options.size === undefined ? 19 : options.size;
  if (wanted !== null && size !== wanted) return skip('board-size', `SZ[${size}], expected ${wanted}`);
  if (size < 5 || size > 19) return skip('board-size', `SZ[${size}] is outside 5-19`);

  const point = (v: string): number | 'pass' | null => {
    const t = v.trim();
    if (t === '' || (t === 'tt' && size <= 19)) return 'pass';
    if (!/^[a-s]{2}$/.test(t)) return null;
    const col = t.charCodeAt(0) - 97;
    const row = t.charCodeAt(1) - 97;
    return col < size && row < size ? row * size + col : null;
  };

  const kmText = first('KM');
  const komi = kmText === undefined ? 0 : parseKomi(kmText);
  if (komi === null) return skip('bad-property', `KM[${kmText}] is not a number`);
  const haText = first('HA');
  const handicap = haText === undefined || haText.trim() === '' ? 0 : Number(haText.trim());
  if (!Number.isInteger(handicap) || handicap < 0) return skip('bad-property', `HA[${haText}] is not a stone count`);

  const setup = { black: [] as number[], white: [] as number[] };
  const moves: GameMove[] = [];
  for (const [i, n] of nodes.entries()) {
    for (const [id, colour] of [
      ['AB', BLACK],
      ['AW', WHITE],
    ] as const) {
      for (const raw of n.data[id] ?? []) {
        // Compressed lists ("aa:cc") are rectangles.
        const [a, b] = raw.split(':');
        const pa = point(a ?? '');
        const pb = b === undefined ? pa : point(b);
        if (typeof pa !== 'number' || typeof pb !== 'number')
          return skip('bad-property', `${id}[${raw}] in node ${i} is not a point`);
        if (moves.length > 0)
          return skip(
            'bad-property',
            `${id}[] in node ${i} after the first move (setup inside a game is not supported)`,
          );
        const [r0, r1] = [Math.floor(pa / size), Math.floor(pb / size)].sort((x, y) => x - y) as [number, number];
        const [c0, c1] = [pa % size, pb % size].sort((x, y) => x - y) as [number, number];
        for (let r = r0; r <= r1; r++)
          for (let c = c0; c <= c1; c++) (colour === BLACK ? setup.black : setup.white).push(r * size + c);
      }
    }
    for (const [id, colour] of [
      ['B', BLACK],
      ['W', WHITE],
    ] as const) {
      const v = n.data[id];
      if (!v) continue;
      const p = point(v[0] ?? '');
      if (p === null)
        return skip('illegal-move', `move ${moves.length + 1} (${id}[${v[0]}]) is not a point on ${size}x${size}`);
      const comment = n.data.C?.[0];
      moves.push({ colour, move: p === 'pass' ? PASS : p, ...(comment ? { comment } : {}) });
    }
  }
  if (moves.length > MAX_GAME_MOVES)
    return skip('too-long', `${moves.length} moves; a game has at most ${MAX_GAME_MOVES}`);
  if (!options.allowEmpty && moves.every((m) => m.move === PASS)) return skip('no-moves', 'the main line has no moves');
  const result = first('RE');
  const info = { blackName: first('PB'), whiteName: first('PW'), date: first('DT'), rules: first('RU') };
  const game: Game = { size, komi, handicap, setup, moves, result, winner: winnerOf(result), info };

  // HA[] without AB[]: the stones are implied. Fox puts 6 and 7 stones' side stones at the top and
  // bottom (K4, K16) where GTP puts them left and right (D10, Q10); its players then play D10/Q10.
  // So take GTP's points, or their transpose when only that replays legally.
  const implied =
    handicap >= 2 && setup.black.length === 0 && setup.white.length === 0 && handicap <= maxHandicap(size);
  const placements = implied
    ? [
        fixedHandicap(size, handicap),
        fixedHandicap(size, handicap).map((p) => (p % size) * size + Math.floor(p / size)),
      ]
    : [setup.black];
  let problem: { reason: SkipReason; detail: string } | null = null;
  for (const [i, black] of placements.entries()) {
    game.setup = { black, white: setup.white };
    if (options.checkLegality === false) break;
    const found = illegalMove(game);
    if (!found) return { ok: true, game };
    if (i === 0) problem = found;
  }
  if (problem && options.checkLegality !== false) {
    game.setup = { black: placements[0]!, white: setup.white };
    return skip(problem.reason, problem.detail);
  }
  return { ok: true, game };
}

/** Replay a game; the first illegal move or setup problem, if any. */
function illegalMove(game: Game): { reason: SkipReason; detail: string } | null {
  const board = new Board(game.size);
  try {
    if (game.setup.black.length) board.setup(BLACK, game.setup.black);
    if (game.setup.white.length) board.setup(WHITE, game.setup.white);
  } catch (err) {
    return { reason: 'bad-property', detail: `setup stones: ${(err as Error).message}` };
  }
  for (const [i, m] of game.moves.entries()) {
    try {
      board.play(m.move, m.colour);
    } catch (err) {
      if (err instanceof IllegalMoveError) return { reason: 'illegal-move', detail: `move ${i + 1}: ${err.message}` };
      throw err;
    }
  }
  return null;
}

/** A board with the game's setup stones on it and the first mover to play. */
export function startingBoard(game: Game): Board {
  const board = new Board(game.size);
  if (game.setup.black.length) board.setup(BLACK, game.setup.black);
  if (game.setup.white.length) board.setup(WHITE, game.setup.white);
  board.toPlay = game.moves[0]?.colour ?? (game.setup.black.length > 0 ? WHITE : BLACK);
  return board;
}

/**
 * Walk a game: calls `visit(board, move, index)` with the position before each move (the board is
 * reused and advanced after the call; copy it to keep it), then plays the move.
 */
export function replay(game: Game, visit: (board: Board, move: GameMove, index: number) => void): Board {
  const board = startingBoard(game);
  for (const [i, m] of game.moves.entries()) {
    board.toPlay = m.colour;
    visit(board, m, i);
    board.play(m.move, m.colour);
  }
  return board;
}
