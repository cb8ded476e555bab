// POST /api/replay: an uploaded SGF, each move with the network's top-5 for the position before it. The work one
// request causes is bounded (at most MAX_REPLAY_MOVES forward passes; the SGF reader caps the main line before
// any replay), replays run one at a time with a short queue (more get 503 at once instead of starving the server),
// and a replay yields to the event loop between positions, so the page and other requests keep being answered.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BLACK, Board, PASS, WHITE, formatVertex } from '../board/index.js';
import type { Policy } from '../play/engine.js';
import { readSgf } from '../sgf/index.js';

/** Forward passes one replay may ask for: a long professional game is 300-400 moves. */
export const MAX_REPLAY_MOVES = 400;
/** Replays computed at once, and replays that may wait for a turn; any more are answered 503 at once. */
export const REPLAYS_RUNNING = 1;
export const REPLAYS_WAITING = 3;

/** What analyse() gives for a position (the parts a replay uses). */
interface PositionView {
  board: number[];
  policy: number[];
  top: { vertex: string; probability: number }[];
}

type Analyse = (policy: Policy, board: Board) => Promise<PositionView>;

/** At most `running` tasks at once and `waiting` queued; `run` answers null when both are full. */
export class Gate {
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly running: number,
    private readonly waiting: number,
  ) {}

  get busy(): number {
    return this.active + this.queue.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T | null> {
    if (this.active >= this.running) {
      if (this.queue.length >= this.waiting) return null;
      await new Promise<void>((resolve) => this.queue.push(resolve));
    }
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The route handler; `analyse` is the server's (policy with illegal points masked, top 5). */
export function replayRoute(policy: Policy, analyse: Analyse, gate = new Gate(REPLAYS_RUNNING, REPLAYS_WAITING)) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const text = typeof req.body === 'string' ? req.body : undefined;
    if (!text) {
      return reply
        .code(400)
        .send({ error: 'expected the SGF file as the request body (Content-Type: application/x-go-sgf)' });
    }
    const read = readSgf(text);
    if (!read.ok) {
      return reply.code(400).send({ error: `not a usable 19x19 game record (${read.reason}): ${read.detail}` });
    }
    const game = read.game;
    if (game.moves.length > MAX_REPLAY_MOVES) {
      return reply
        .code(400)
        .send({ error: `the game has ${game.moves.length} moves; at most ${MAX_REPLAY_MOVES} are replayed` });
    }
    const result = await gate.run(async () => {
      const board = new Board(19);
      if (game.setup.black.length) board.setup(BLACK, game.setup.black);
      if (game.setup.white.length) board.setup(WHITE, game.setup.white);
      const positions = [];
      for (const m of game.moves) {
        await nextTurn();
        board.toPlay = m.colour;
        const a = await analyse(policy, board);
        const played = m.move === PASS ? 'pass' : formatVertex(m.move, 19);
        const rank = m.move === PASS ? null : a.top.findIndex((t) => t.vertex === played);
        positions.push({
          played,
          colour: m.colour === BLACK ? 'black' : 'white',
          playedProbability: m.move === PASS ? null : a.policy[m.move],
          rank: rank === null || rank < 0 ? null : rank + 1,
          comment: m.comment ?? null,
          top: a.top,
          board: a.board,
          policy: a.policy,
        });
        board.play(m.move, m.colour);
      }
      const top1 = positions.filter((p) => p.rank === 1).length;
      const nonPass = positions.filter((p) => p.played !== 'pass').length;
      return {
        size: 19,
        komi: game.komi,
        result: game.result ?? null,
        players: { black: game.info.blackName ?? null, white: game.info.whiteName ?? null },
        setup: {
          black: game.setup.black.map((p) => formatVertex(p, 19)),
          white: game.setup.white.map((p) => formatVertex(p, 19)),
        },
        final: Array.from(board.cells),
        positions,
        top1: nonPass ? top1 / nonPass : 0,
      };
    });
    if (result === null) {
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({ error: `busy: ${gate.busy} replays are running or waiting; try again in a few seconds` });
    }
    return result;
  };
}
