// go-policy's page and its API as a fastify plugin: a board to play the engine on (the tree search, or the
// network's most probable move), the network's policy as a heat map, the top-5 moves, the count at the end
// with the dead stones, and the replay of an uploaded SGF with the network's prediction beside each played
// move. The page keeps the game (a list of moves); every request replays it on a fresh board, so the server
// holds no game state (the search keeps its tree only while the next position continues the last one).
import { existsSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { initBackend } from '@cnn-lab/core';
import { APP_DIR } from '../app.js';
import { PLAYING_MODEL_NAME, SHIPPED_MODEL, loadPolicyModel } from '../model/load.js';
import { networkPolicy } from '../model/predict.js';
import { BLACK, Board, PASS, WHITE, formatVertex, parseVertex, score, type Player } from '../board/index.js';
import { chooseMove, type Policy } from '../play/engine.js';
import { ROLLOUT_FILE, loadRollout } from '../rollout/policy.js';
import { SearchEngine } from '../search/engine.js';
import type { PositionData } from '../search/position.js';
import type { SearchResult } from '../search/search.js';
import { WorkerSearcher, type Searcher } from '../search/searcher.js';
import { Gate, replayRoute } from './replay.js';

export interface WebOptions {
  policy: Policy;
  /** Shown in the page: which model is playing. */
  modelName: string;
  /** The tree search: /api/genmove's engine "search" and the count with dead stones. Without it: the policy only. */
  searcher?: Searcher;
}

export const ENGINES = ['search', 'policy'] as const;
/** Bounds of the search's seconds per move that a page may ask for. */
export const MIN_SECONDS = 0.2;
export const MAX_SECONDS = 30;

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

function engineOf(v: unknown, searcher: Searcher | undefined): 'search' | 'policy' {
  if (v === undefined) return searcher ? 'search' : 'policy';
  if (v !== 'search' && v !== 'policy')
    throw new BadRequest(`engine: expected "search" or "policy", got ${JSON.stringify(v)}`);
  if (v === 'search' && !searcher) throw new BadRequest('engine: this server runs without the search (policy only)');
  return v;
}

function numberIn(v: unknown, what: string, lo: number, hi: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi)
    throw new BadRequest(`${what}: expected a number from ${lo} to ${hi}`);
  return v;
}

/** The handicap stones of a request (validated by replayMoves). */
function handicapOf(handicap: unknown): { black: number[]; white: number[] } {
  const black = Array.isArray(handicap) ? handicap.map((v) => parseVertex(String(v), 19)) : [];
  return { black, white: [] };
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('expected a JSON object');
  return body as Record<string, unknown>;
}

/**
 * How the page names a model folder: relative to the app (`models/default`) when it is inside it, else its
 * folder name. Never the absolute path: pages and API answers show no machine paths.
 */
export function modelFolderName(dir: string): string {
  const rel = relative(APP_DIR, dir);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : basename(dir);
}

/** The line the page shows for a model: its shape and its folder's name. */
export function modelLabel(meta: { filters: number; layers: number; featureSet: string }, dir: string): string {
  return `${meta.filters} filters x ${meta.layers} layers, ${meta.featureSet} features (${modelFolderName(dir)})`;
}

/** What the site passes: nothing (the shipped model, with the search), or a model folder, or no search. */
export interface SiteWebOptions {
  modelDir?: string;
  /** Offer the tree search (default true): its worker threads start at the first search asked for. */
  search?: boolean;
  threads?: number;
}

/**
 * The tree search in worker threads, started when a page first asks for a search (the lab site mounts every
 * demo at once and should not hold the threads of a game nobody plays) and ended when the server closes.
 */
export class LazySearcher implements Searcher {
  private started: Promise<WorkerSearcher> | undefined;
  private komi: number | undefined;

  constructor(
    readonly threads: number,
    private readonly start: () => Promise<WorkerSearcher>,
  ) {}

  private searcher(): Promise<WorkerSearcher> {
    this.started ??= this.start().catch((err: unknown) => {
      this.started = undefined; // the next request tries again
      throw err;
    });
    return this.started;
  }

  async search(position: PositionData, budget: { playouts?: number; timeMs?: number }): Promise<SearchResult> {
    const s = await this.searcher();
    if (this.komi !== undefined) s.setKomi(this.komi);
    return s.search(position, budget);
  }

  stop(): void {
    void this.started?.then((s) => s.stop()).catch(() => undefined);
  }

  setKomi(komi: number): void {
    this.komi = komi;
  }

  clear(): void {
    void this.started?.then((s) => s.clear()).catch(() => undefined);
  }

  async close(): Promise<void> {
    const started = this.started;
    this.started = undefined;
    await started?.then((s) => s.close()).catch(() => undefined);
  }
}

/** The network from `modelDir` (default: the shipped model) as the page's policy, and the search, started lazily. */
async function shippedWebOptions(opts: SiteWebOptions): Promise<WebOptions> {
  await initBackend({ quiet: true });
  const { model, meta, dir } = await loadPolicyModel(opts.modelDir, PLAYING_MODEL_NAME);
  const searcher =
    opts.search === false
      ? undefined
      : new LazySearcher(opts.threads ?? 2, async () =>
          WorkerSearcher.start(opts.threads ?? 2, {
            modelDir: dir,
            weights: (await loadRollout(existsSync(join(dir, ROLLOUT_FILE)) ? dir : SHIPPED_MODEL)).weights,
            options: { komi: 7.5, seed: 1 },
          }),
        );
  return {
    policy: networkPolicy(model, meta.featureSet),
    modelName: modelLabel(meta, dir),
    ...(searcher ? { searcher } : {}),
  };
}

/**
 * The page at ./ and its API under ./api, as a fastify plugin: `start` registers it at `/` with the search,
 * the lab site under `/go-policy` with the shipped network alone. Every URL the page uses is relative.
 */
export async function webRoutes(app: FastifyInstance, given: WebOptions | SiteWebOptions = {}): Promise<void> {
  const opts = 'policy' in given ? given : await shippedWebOptions(given);
  // Threads this plugin started end with the server; a searcher passed in belongs to its caller (start).
  if (!('policy' in given) && opts.searcher) {
    const own = opts.searcher;
    app.addHook('onClose', async () => own.close());
  }
  const page = readFileSync(PAGE, 'utf8')
    .replace('{{MODEL}}', opts.modelName.replace(/[<>&"]/g, ''))
    .replace('{{SEARCH}}', opts.searcher ? 'true' : 'false');
  app.addContentTypeParser(['application/x-go-sgf', 'text/plain'], { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );

  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    void reply.status(status).send({ error: status === 500 ? `internal error: ${err.message}` : err.message });
  });

  app.get('/', async (req: FastifyRequest, reply: FastifyReply) => {
    // The page's URLs are relative: served without its trailing slash, they would miss the API.
    const [path = '', query] = req.url.split('?', 2);
    if (!path.endsWith('/')) return reply.redirect(`${path}/${query !== undefined ? `?${query}` : ''}`, 308);
    return reply.type('text/html; charset=utf-8').send(page);
  });

  /** The position after `moves`, with the network's view of it. */
  app.post('/api/analyse', async (req) => {
    const body = objectBody(req.body);
    return analyse(opts.policy, replayMoves(body.moves, body.handicap));
  });

  // Searches take the threads for seconds: one at a time, a few waiting, the rest told to retry.
  const searches = new Gate(1, 3);
  const busy = (reply: FastifyReply): FastifyReply =>
    reply
      .code(503)
      .header('retry-after', '5')
      .send({ error: 'busy: the engine is thinking for another game; try again in a few seconds' });

  /**
   * The engine's move after `moves` (it plays the side to move) and the position after it. `engine`:
   * "search" (the default when the server has one; `seconds` per move, `komi`) or "policy" (the
   * network's most probable legal move). The search also says its win rate for the side that moved.
   */
  app.post('/api/genmove', async (req, reply) => {
    const body = objectBody(req.body);
    const board = replayMoves(body.moves, body.handicap);
    const engine = engineOf(body.engine, opts.searcher);
    const player: Player = board.toPlay;
    const before = await analyse(opts.policy, board);
    if (engine === 'policy') {
      const probs = Float32Array.from(before.policy);
      const choice = chooseMove(board, player, probs, 0, Math.random, { tactics: false, endgame: false });
      board.play(choice.move, player);
      return {
        engine,
        move: formatVertex(choice.move, 19),
        winrate: null,
        before,
        after: await analyse(opts.policy, board),
      };
    }
    const seconds = numberIn(body.seconds, 'seconds', MIN_SECONDS, MAX_SECONDS, 2);
    const komi = numberIn(body.komi, 'komi', -100, 100, 7.5);
    const out = await searches.run(async () => {
      const se = new SearchEngine({ searcher: opts.searcher!, timeSeconds: seconds });
      se.setKomi(komi);
      se.setPosition(board, handicapOf(body.handicap));
      const move = await se.genmove(player === BLACK ? 'black' : 'white');
      return { move, report: se.lastReport };
    });
    if (out === null) return busy(reply);
    const { move, report } = out;
    return {
      engine,
      move: move === 'resign' ? 'resign' : formatVertex(move, 19),
      winrate: report?.winrate ?? null,
      playouts: report?.playouts ?? 0,
      reason: report?.reason ?? null,
      before,
      after: await analyse(opts.policy, board),
    };
  });

  /**
   * The count after `moves`: area scoring with `komi`, the dead stones judged by the search's playouts
   * (without a search every stone counts as alive).
   */
  app.post('/api/score', async (req, reply) => {
    const body = objectBody(req.body);
    const board = replayMoves(body.moves, body.handicap);
    const komi = numberIn(body.komi, 'komi', -100, 100, 7.5);
    if (!opts.searcher) {
      const s = score(board, komi, 'area');
      return { result: s.result, black: s.black, white: s.white, komi, dead: [], judged: 'every stone counted alive' };
    }
    const count = await searches.run(async () => {
      const se = new SearchEngine({ searcher: opts.searcher!, scoringPlayouts: 1000 });
      se.setKomi(komi);
      se.setPosition(board, handicapOf(body.handicap));
      return se.count();
    });
    if (count === null) return busy(reply);
    return {
      result: count.result,
      black: count.black,
      white: count.white,
      komi,
      dead: count.dead.map((p) => formatVertex(p, 19)),
      judged: 'dead stones from the search playouts',
    };
  });

  /** An uploaded SGF: each move with the network's top-5 for the position before it (bounded: see replay.ts). */
  app.post('/api/replay', replayRoute(opts.policy, analyse));
}
