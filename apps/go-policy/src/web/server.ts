// The browser app: a board to play the network on, its policy as a heat map, the top-5 moves, and
// the replay of an uploaded SGF with the network's prediction beside each played move. The page keeps
// the game (a list of moves); every request replays it on a fresh board, so the server holds no state.
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { BLACK, Board, PASS, WHITE, formatVertex, parseVertex, type Player } from '../board/index.js';
import { chooseMove, type Policy } from '../play/engine.js';
import { replayRoute } from './replay.js';

export interface WebOptions {
  policy: Policy;
  /** Shown in the page: which model is playing. */
  modelName: string;
  /** Largest accepted request body (SGF uploads included). */
  bodyLimit?: number;
}

const MAX_MOVES = 800;
const PAGE = new URL('./page.html', import.meta.url);

interface Analysis {
  toPlay: 'black' | 'white';
  board: number[];
  /** Probabilities over the 361 points, illegal points zeroed and the rest renormalised. */
  policy: number[];
  top: { vertex: string; probability: number }[];
  captures: { black: number; white: number };
}

class BadRequest extends Error {
  statusCode = 400;
}

/** Replays a list of GTP vertices (black first, or white first after handicap) on a fresh 19x19 board. */
function replayMoves(moves: unknown, handicap: unknown): Board {
  if (!Array.isArray(moves) || moves.length > MAX_MOVES) {
    throw new BadRequest(`moves: expected an array of at most ${MAX_MOVES} vertices like "D4" or "pass"`);
  }
  const board = new Board(19, { koRule: 'positional-superko' });
  if (handicap !== undefined) {
    if (!Array.isArray(handicap) || handicap.length > 9) throw new BadRequest('handicap: expected up to 9 vertices');
    const points = handicap.map((v, i) => {
      const p = vertexAt(v, `handicap[${i}]`);
      if (p === PASS) throw new BadRequest(`handicap[${i}]: a handicap stone needs a point, not pass`);
      return p;
    });
    if (points.length > 0) {
      try {
        board.setup(BLACK, points);
      } catch (err) {
        throw new BadRequest(`handicap: ${(err as Error).message}`);
      }
      board.toPlay = WHITE;
    }
  }
  moves.forEach((v, i) => {
    const p = vertexAt(v, `moves[${i}]`);
    const why = board.whyIllegal(p, board.toPlay);
    if (why) throw new BadRequest(`moves[${i}] (${String(v)}) is illegal: ${why}`);
    board.play(p, board.toPlay);
  });
  return board;
}

function vertexAt(v: unknown, where: string): number {
  if (typeof v !== 'string') throw new BadRequest(`${where}: expected a vertex string like "D4" or "pass"`);
  try {
    return parseVertex(v, 19);
  } catch (err) {
    throw new BadRequest(`${where}: ${(err as Error).message}`);
  }
}

/** The policy with illegal points masked out, and its five most probable points. */
export async function analyse(policy: Policy, board: Board): Promise<Analysis> {
  const player = board.toPlay;
  const raw = await policy(board, player);
  const masked = new Array<number>(board.area).fill(0);
  let total = 0;
  for (let p = 0; p < board.area; p++) {
    if (board.at(p) === 0 && board.isLegal(p, player)) {
      masked[p] = raw[p] ?? 0;
      total += masked[p] as number;
    }
  }
  if (total > 0) for (let p = 0; p < board.area; p++) masked[p] = (masked[p] as number) / total;
  const top = masked
    .map((probability, p) => ({ p, probability }))
    .filter((x) => x.probability > 0)
    .sort((a, b) => b.probability - a.probability)
    .slice(0, 5)
    .map(({ p, probability }) => ({ vertex: formatVertex(p, 19), probability }));
  return {
    toPlay: player === BLACK ? 'black' : 'white',
    board: Array.from(board.cells),
    policy: masked,
    top,
    captures: { ...board.prisoners },
  };
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('expected a JSON object');
  return body as Record<string, unknown>;
}

export function createWebServer(opts: WebOptions): FastifyInstance {
  const app = Fastify({ bodyLimit: opts.bodyLimit ?? 1_000_000, logger: false });
  const page = readFileSync(PAGE, 'utf8').replace('{{MODEL}}', opts.modelName.replace(/[<>&"]/g, ''));
  app.addContentTypeParser(['application/x-go-sgf', 'text/plain'], { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );

  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    void reply.status(status).send({ error: status === 500 ? `internal error: ${err.message}` : err.message });
  });

  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page));

  /** The position after `moves`, with the network's view of it. */
  app.post('/api/analyse', async (req) => {
    const body = objectBody(req.body);
    return analyse(opts.policy, replayMoves(body.moves, body.handicap));
  });

  /** The network's move after `moves` (it plays the side to move), and the position after it. */
  app.post('/api/genmove', async (req) => {
    const body = objectBody(req.body);
    const board = replayMoves(body.moves, body.handicap);
    const before = await analyse(opts.policy, board);
    const player: Player = board.toPlay;
    const probs = Float32Array.from(before.policy);
    const choice = chooseMove(board, player, probs, 0, Math.random);
    board.play(choice.move, player);
    return { move: formatVertex(choice.move, 19), before, after: await analyse(opts.policy, board) };
  });

  /** An uploaded SGF: each move with the network's top-5 for the position before it (bounded: see replay.ts). */
  app.post('/api/replay', replayRoute(opts.policy, analyse));

  return app;
}
