// The search as a Go player: genmove searches within a time or playout budget and plays the most
// visited move; it passes when nothing is left to gain (every point's owner is settled in the playouts,
// or the opponent has passed and the count with dead stones says we win), resigns only when asked to
// (below a win rate), counts the end with dead stones from the playouts' ownership, cleans up dead
// stones for kgs-genmove_cleanup, follows GTP time controls and streams lz-analyze lines.
import {
  BLACK,
  Board,
  PASS,
  WHITE,
  fixedHandicap,
  formatVertex,
  opponent,
  type Move,
  type Player,
  type Score,
} from '../board/index.js';
import { GtpError, type Colour, type GtpEngine } from '../play/gtp.js';
import { positionData } from './position.js';
import { deadChains, deadStones, scoreWithDead, sekiStones, unsettledPoints } from './score.js';
import type { Searcher } from './searcher.js';
import type { SearchResult } from './search.js';

export interface SearchEngineOptions {
  searcher: Searcher;
  /** Seconds per move (default 2 when neither this nor playouts is given); GTP time controls can lower it. */
  timeSeconds?: number;
  /** Playouts per move (in all threads together). */
  playouts?: number;
  /** Resign when the win rate of the best move falls below this (off unless given). */
  resignBelow?: number;
  /** ...and only from this move number on. */
  resignAfter?: number;
  /** |mean ownership| at which a point counts as settled (default 0.9). */
  settledAt?: number;
  /** Playouts for final_score and final_status_list (default 2,000). */
  scoringPlayouts?: number;
  /** A search with fewer playouts than this never passes by the count or by settled points, nor resigns (default 100). */
  minPassPlayouts?: number;
  name?: string;
  version?: string;
}

export const DEFAULT_MOVE_SECONDS = 2;

/** The search's view after a genmove, for SGF comments and logs. */
export interface MoveReport {
  move: Move | 'resign';
  player: Player;
  /** Win rate of the chosen move for the player who chose it (null when no search ran). */
  winrate: number | null;
  visits: number;
  playouts: number;
  /** Mean area margin for black over the playouts. */
  meanMargin: number;
  /** Why a pass or resign was chosen. */
  reason?: string;
  ms: number;
}

interface TimeState {
  main: number;
  byoTime: number;
  byoStones: number;
  left: Record<Player, { time: number; stones: number } | null>;
}

export class SearchEngine implements GtpEngine {
  readonly name: string;
  readonly version: string;
  board: Board;
  komi = 7.5;
  private setupStones = { black: [] as number[], white: [] as number[] };
  private readonly opts: SearchEngineOptions;
  private time: TimeState | null = null;
  private scored: { key: string; result: SearchResult } | null = null;
  /** What the last genmove saw. */
  lastReport: MoveReport | null = null;

  constructor(opts: SearchEngineOptions) {
    this.opts = opts;
    this.name = opts.name ?? 'cnn-lab go-policy';
    this.version = opts.version ?? '0.1.0';
    this.board = new Board(19, { koRule: 'positional-superko' });
  }

  get size(): number {
    return this.board.size;
  }

  get toPlay(): Player {
    return this.board.toPlay;
  }

  setSize(size: number): void {
    if (size !== 19) throw new GtpError('unacceptable size');
    this.clear();
  }

  clear(): void {
    this.board = new Board(this.board.size, { koRule: 'positional-superko' });
    this.setupStones = { black: [], white: [] };
    this.opts.searcher.clear();
    this.scored = null;
    this.lastReport = null;
  }

  /**
   * Take over a position: `board` (kept, not copied) whose setup stones were `setup` (SGF AB/AW or
   * handicap); its moves are its history. For callers that build positions themselves (tests, the page).
   */
  setPosition(board: Board, setup: { black: number[]; white: number[] }): void {
    if (board.size !== 19) throw new RangeError(`the search plays 19x19, not ${board.size}x${board.size}`);
    this.board = board;
    this.setupStones = { black: [...setup.black], white: [...setup.white] };
    // The searcher keeps its tree only where the new position continues the last one searched.
    this.scored = null;
    this.lastReport = null;
  }

  setKomi(komi: number): void {
    this.komi = komi;
    this.opts.searcher.setKomi(komi);
    this.scored = null;
  }

  play(colour: Colour, move: Move): void {
    const player = toPlayer(colour);
    const why = this.board.whyIllegal(move, player);
    if (why) throw new GtpError(`illegal move (${why})`);
    this.board.play(move, player);
  }

  undo(): void {
    if (this.board.history.length === 0) throw new GtpError('cannot undo');
    this.board.undo();
  }

  showboard(): string {
    return this.board.toString();
  }

  fixedHandicap(stones: number): Move[] {
    if (this.board.moveNumber > 0 || this.board.hash !== 0) throw new GtpError('board not empty');
    let points: number[];
    try {
      points = fixedHandicap(this.board.size, stones);
    } catch (err) {
      throw new GtpError(`invalid number of stones (${err instanceof Error ? err.message : String(err)})`);
    }
    this.board.setup(BLACK, points);
    this.setupStones.black.push(...points);
    this.board.toPlay = WHITE;
    return points;
  }

  /** GTP time_settings: main time, byo-yomi time and stones (0 0 0 or byo-yomi time without stones: no limit). */
  timeSettings(main: number, byoTime: number, byoStones: number): void {
    if (byoTime > 0 && byoStones === 0) this.time = null;
    else this.time = { main, byoTime, byoStones, left: { [BLACK]: null, [WHITE]: null } };
  }

  /** GTP time_left: seconds left for `colour`, and stones left in the byo-yomi period (0 in main time). */
  timeLeft(colour: Colour, seconds: number, stones: number): void {
    if (this.time) this.time.left[toPlayer(colour)] = { time: seconds, stones };
  }

  /** The search budget of one move for `player`. */
  budget(player: Player): { timeMs?: number; playouts?: number } {
    const { playouts } = this.opts;
    let seconds = this.opts.timeSeconds ?? (playouts === undefined ? DEFAULT_MOVE_SECONDS : undefined);
    const t = this.time;
    if (t && (t.main > 0 || t.byoTime > 0)) {
      const left = t.left[player];
      let allowed: number;
      if (left && left.stones > 0) allowed = (0.8 * left.time) / left.stones - 0.3;
      else {
        const main = left ? left.time : t.main;
        const movesLeft = Math.max(30, (this.board.area * 0.8 - this.board.moveNumber) / 2);
        allowed = main / movesLeft + (t.byoTime > 0 ? (0.5 * t.byoTime) / Math.max(1, t.byoStones) : 0);
        if (left && left.time < 5 && t.byoTime === 0) allowed = left.time / 20;
      }
      allowed = Math.max(0.05, allowed);
      seconds = seconds === undefined ? allowed : Math.min(seconds, allowed);
    }
    return {
      ...(seconds !== undefined ? { timeMs: seconds * 1000 } : {}),
      ...(playouts !== undefined ? { playouts } : {}),
    };
  }

  /** Search the position with `player` to move. */
  async searchFor(player: Player, budget = this.budget(player)): Promise<SearchResult> {
    const saved = this.board.toPlay;
    this.board.toPlay = player;
    try {
      return await this.opts.searcher.search(positionData(this.board, this.setupStones), budget);
    } finally {
      this.board.toPlay = saved;
    }
  }

  async genmove(colour: Colour): Promise<Move | 'resign'> {
    return this.generate(toPlayer(colour), false);
  }

  /** kgs-genmove_cleanup: as genmove, but never pass while opponent stones that the playouts call dead remain. */
  async genmoveCleanup(colour: Colour): Promise<Move | 'resign'> {
    return this.generate(toPlayer(colour), true);
  }

  private async generate(player: Player, cleanup: boolean): Promise<Move | 'resign'> {
    const t0 = performance.now();
    const budget = this.budget(player);
    const result = await this.searchFor(player, budget);
    const { move, reason } = await this.decide(player, result, cleanup, budget);
    const best = result.moves.find((m) => m.move === move);
    this.lastReport = {
      move,
      player,
      winrate: best ? best.winrate : result.winrate,
      visits: best?.visits ?? 0,
      playouts: result.playouts,
      meanMargin: result.meanMargin,
      ...(reason ? { reason } : {}),
      ms: performance.now() - t0,
    };
    if (move !== 'resign') this.board.play(move, player);
    return move;
  }

  /**
   * The move to play after a search: pass, resign, a cleanup capture or the most visited move. A pass is
   * considered when every point is settled, or when the opponent has passed and the count with dead stones
   * says we win; it is played only if a second search from the position after it (the opponent to move)
   * agrees: we still win the count there, and our win rate is no worse than with the best move. A group
   * that lives or dies by who moves first is then defended instead of left to the referee.
   */
  async decide(
    player: Player,
    result: SearchResult,
    cleanup: boolean,
    budget: { timeMs?: number; playouts?: number } = this.budget(player),
  ): Promise<{ move: Move | 'resign'; reason?: string }> {
    const legal = result.moves.filter((m) => m.move === PASS || this.board.isLegal(m.move, player));
    if (legal.length === 0) return { move: PASS, reason: 'no move left that does not fill an own eye' };
    const last = this.board.lastMove;
    const opponentPassed = last !== undefined && last.move === PASS && last.colour !== player;
    const other = opponent(player);
    const best = legal[0]!;
    // Win rates and ownership from a handful of playouts say nothing (one playout "settles" every point).
    const enough = result.playouts >= (this.opts.minPassPlayouts ?? 100);
    const { resignBelow, resignAfter } = this.opts;
    if (
      enough &&
      resignBelow !== undefined &&
      this.board.moveNumber >= (resignAfter ?? 0) &&
      best.winrate < resignBelow &&
      result.winrate < resignBelow
    ) {
      return {
        move: 'resign',
        reason: `win rate ${(best.winrate * 100).toFixed(1)}% is below ${(resignBelow * 100).toFixed(1)}%`,
      };
    }
    // Cleanup captures the opponent's dead stones first; with none left it passes as genmove would.
    const targets = cleanup
      ? deadChains(this.board, result.ownership).filter((h) => this.board.cells[h] === other)
      : [];
    if (targets.length > 0) return { move: this.cleanupMove(player, targets, legal), reason: 'removing dead stones' };
    const settled = enough && unsettledPoints(this.board, result.ownership, this.opts.settledAt ?? 0.9).length === 0;
    const count = scoreWithDead(this.board, result.ownership, this.komi);
    if (settled || (enough && opponentPassed && count.winner === player)) {
      const after = await this.afterPass(player, budget);
      const afterCount = scoreWithDead(this.board, after.ownership, this.komi);
      const ourRate = 1 - after.winrate;
      if ((!opponentPassed || afterCount.winner === player) && ourRate >= best.winrate - 0.05) {
        const why = opponentPassed
          ? `the opponent passed and the count is ${afterCount.result}`
          : 'every point is settled';
        return { move: PASS, reason: `${why} (win rate after passing ${(ourRate * 100).toFixed(1)}%)` };
      }
    }
    return { move: best.move };
  }

  /** Search the position after `player` passes (the opponent to move), with half the move's budget. */
  private async afterPass(player: Player, budget: { timeMs?: number; playouts?: number }): Promise<SearchResult> {
    this.board.play(PASS, player);
    try {
      const half = {
        ...(budget.timeMs !== undefined ? { timeMs: budget.timeMs / 2 } : {}),
        ...(budget.playouts !== undefined ? { playouts: Math.max(50, Math.floor(budget.playouts / 2)) } : {}),
      };
      return await this.searchFor(opponent(player), half);
    } finally {
      this.board.undo();
    }
  }

  /** A move that takes a liberty from a dead opponent chain: the most visited one, else the first legal one. */
  private cleanupMove(player: Player, targets: number[], searched: { move: Move }[]): Move {
    const libs = new Set(targets.flatMap((h) => this.board.libertyPoints(h)));
    for (const m of searched) if (libs.has(m.move)) return m.move;
    for (const p of [...libs].sort((a, b) => a - b)) {
      if (this.board.isLegal(p, player) && !this.board.isEye(p, player)) return p;
    }
    return searched[0]?.move ?? PASS;
  }

  /** The ownership of the current position (cached until the position changes). */
  private async ownership(): Promise<SearchResult> {
    const key = `${this.board.hash}:${this.board.moveNumber}:${this.board.toPlay}:${this.komi}`;
    if (this.scored?.key === key) return this.scored.result;
    const result = await this.searchFor(this.board.toPlay, { playouts: this.opts.scoringPlayouts ?? 2000 });
    this.scored = { key, result };
    return result;
  }

  /** The area count with the dead stones (from the playouts' ownership) taken off, and those stones. */
  async count(): Promise<Score & { dead: number[] }> {
    const r = await this.ownership();
    return scoreWithDead(this.board, r.ownership, this.komi);
  }

  /** final_score: area count with the dead stones (from the playouts' ownership) taken off. */
  async finalScore(): Promise<string> {
    return (await this.count()).result;
  }

  /**
   * final_status_list alive|dead|seki: the vertices, space separated. Dead: from the playouts' ownership;
   * seki: chains that share liberties no side can fill (read from the board); alive: every other stone.
   */
  async finalStatusList(status: string): Promise<string> {
    if (status !== 'alive' && status !== 'dead' && status !== 'seki')
      throw new GtpError(`syntax error: unknown status '${status}' (alive, dead or seki)`);
    const r = await this.ownership();
    const dead = new Set(deadStones(this.board, r.ownership));
    const seki = new Set(sekiStones(this.board));
    const out: string[] = [];
    for (let p = 0; p < this.board.area; p++) {
      if (this.board.cells[p] === 0) continue;
      const s = dead.has(p) ? 'dead' : seki.has(p) ? 'seki' : 'alive';
      if (s === status) out.push(formatVertex(p, this.board.size));
    }
    return out.join(' ');
  }

  /**
   * lz-analyze: search the position for `player` in slices of `intervalMs`, calling `emit` with one
   * "info move ..." line after each, until `stopped()` says so. The tree keeps growing across slices.
   */
  async analyze(
    player: Player,
    intervalMs: number,
    emit: (line: string) => void,
    stopped: () => boolean,
  ): Promise<void> {
    while (!stopped()) {
      const r = await this.searchFor(player, { timeMs: intervalMs });
      if (stopped() && r.playouts === 0) break;
      emit(formatLzAnalyze(r, this.board.size));
      // Let input through between slices (a searcher on this thread resolves at once).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  stopSearch(): void {
    this.opts.searcher.stop();
  }

  async close(): Promise<void> {
    await this.opts.searcher.close();
  }
}

/**
 * One lz-analyze line as Leela Zero writes it (and Sabaki and Lizzie read it): for each searched move,
 * most visited first, "info move <vertex> visits <n> winrate <0-10000> prior <0-10000> lcb <0-10000>
 * order <k> pv <vertices...>", the entries joined by spaces.
 */
export function formatLzAnalyze(r: SearchResult, size: number, maxMoves = 10): string {
  return r.moves
    .slice(0, maxMoves)
    .map((m, k) => {
      const win = Math.round(m.winrate * 10000);
      // Lower confidence bound of the win rate (normal approximation, 1.96 sd).
      const lcb = Math.max(
        0,
        Math.round((m.winrate - 1.96 * Math.sqrt((m.winrate * (1 - m.winrate)) / Math.max(1, m.visits))) * 10000),
      );
      const pv = m.pv.map((p) => formatVertex(p, size)).join(' ');
      return `info move ${formatVertex(m.move, size)} visits ${m.visits} winrate ${win} prior ${Math.round(m.prior * 10000)} lcb ${lcb} order ${k} pv ${pv}`;
    })
    .join(' ');
}

/**
 * The SGF comment of the search's last move: its win rate for the side that played it, the move's visits
 * (those of the reused tree included, so they can exceed the move's new playouts), the new playouts, the
 * time, and why it passed or resigned. Undefined before the first genmove.
 */
export function describeReport(engine: SearchEngine): string | undefined {
  const r = engine.lastReport;
  if (!r) return undefined;
  const rate =
    r.winrate === null
      ? ''
      : `win rate ${(r.winrate * 100).toFixed(1)}% for ${r.player === BLACK ? 'black' : 'white'}, `;
  return `${rate}${r.visits} visits, ${r.playouts} new playouts, ${(r.ms / 1000).toFixed(1)} s${r.reason ? `; ${r.reason}` : ''}`;
}

export function toPlayer(colour: Colour): Player {
  return colour === 'black' ? BLACK : WHITE;
}
