// The policy network as a Go player: the board follows every play, undo and handicap exactly, and a
// move is chosen only among legal, sensible points (never filling one of its own eyes).
import {
  BLACK,
  Board,
  PASS,
  WHITE,
  emptyRegions,
  fixedHandicap,
  score,
  type Move,
  type Player,
  type ScoringRule,
} from '../board/index.js';
import { gainsNothing, opponentJustPassed } from './endgame.js';
import { GtpError, type Colour, type GtpEngine } from './gtp.js';
import { isSelfAtari, urgentMoves, type UrgentMove } from './tactics.js';

/** The network's probabilities over the board's points for the player `colour` to move. */
export type Policy = (board: Board, colour: Player) => Float32Array | Promise<Float32Array>;

export interface EngineOptions {
  policy: Policy;
  /** 'area' (Chinese, the default) or 'territory' (Japanese) counting for final_score. */
  rule?: ScoringRule;
  /** 0 (default) plays the most probable sensible move; above 0 samples from p^(1/T). */
  temperature?: number;
  /** Random numbers in [0, 1) for sampling; seed it for repeatable games. */
  random?: () => number;
  /**
   * Resign when, after this many moves, the count says the engine trails by more than `resignMargin`
   * points. Off unless given: a policy network has no value estimate, so resigning is opt-in.
   */
  resignAfter?: number;
  resignMargin?: number;
  /** Which rules over the policy's ranking apply (see MoveGuard); all on unless turned off. */
  guard?: MoveGuard;
  /** Board sizes the policy can read (a 19x19 network: only 19). */
  sizes?: readonly number[];
  name?: string;
  version?: string;
}

/**
 * Rules laid over the policy's ranking. `tactics`: take stones in atari and save own stones in atari
 * when they can escape (most stones first), and never self-atari two or more stones without capturing.
 * `endgame`: never fill own eye space or settled own territory, and once the opponent has passed, play
 * only where the count can still change (so pass when nothing is left).
 */
export interface MoveGuard {
  tactics?: boolean;
  endgame?: boolean;
  /** With tactics: more urgent moves to weigh beside captures and escapes (an experiment's; none by default). */
  extraUrgent?: (board: Board, player: Player) => UrgentMove[];
}

export const DEFAULT_GUARD: Required<Pick<MoveGuard, 'tactics' | 'endgame'>> = { tactics: true, endgame: true };

export interface Choice {
  move: number; // a point, or PASS
  probability: number;
}

export class PolicyEngine implements GtpEngine {
  readonly name: string;
  readonly version: string;
  board: Board;
  komi = 7.5;
  private readonly opts: EngineOptions;

  constructor(opts: EngineOptions) {
    this.opts = opts;
    this.name = opts.name ?? 'cnn-lab go-policy';
    this.version = opts.version ?? '0.1.0';
    this.board = new Board(19, { koRule: 'positional-superko' });
  }

  get size(): number {
    return this.board.size;
  }

  setSize(size: number): void {
    const sizes = this.opts.sizes ?? [19];
    if (!sizes.includes(size)) throw new GtpError('unacceptable size');
    this.board = new Board(size, { koRule: 'positional-superko' });
  }

  clear(): void {
    this.board = new Board(this.board.size, { koRule: 'positional-superko' });
  }

  setKomi(komi: number): void {
    this.komi = komi;
  }

  play(colour: Colour, move: Move): void {
    const player = toPlayer(colour);
    const why = this.board.whyIllegal(move, player);
    if (why) throw new GtpError(`illegal move (${why})`);
    this.board.play(move, player);
  }

  async genmove(colour: Colour): Promise<Move | 'resign'> {
    const player = toPlayer(colour);
    if (this.shouldResign(player)) return 'resign';
    const choice = await this.choose(player);
    this.board.play(choice.move, player);
    return choice.move;
  }

  /** The move genmove would play for `player` now (not played). */
  async choose(player: Player): Promise<Choice> {
    const probs = await this.opts.policy(this.board, player);
    return chooseMove(
      this.board,
      player,
      probs,
      this.opts.temperature ?? 0,
      this.opts.random ?? Math.random,
      this.opts.guard,
    );
  }

  undo(): void {
    if (this.board.history.length === 0) throw new GtpError('cannot undo');
    this.board.undo();
  }

  showboard(): string {
    return this.board.toString();
  }

  finalScore(): string {
    return score(this.board, this.komi, this.opts.rule ?? 'area').result;
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
    this.board.toPlay = WHITE;
    return points;
  }

  private shouldResign(player: Player): boolean {
    const { resignAfter, resignMargin } = this.opts;
    if (resignAfter === undefined || this.board.moveNumber < resignAfter) return false;
    const blackLead = score(this.board, this.komi, this.opts.rule ?? 'area').margin;
    const lead = player === BLACK ? blackLead : -blackLead;
    return lead < -(resignMargin ?? 0);
  }
}

/**
 * The most probable (or, with a temperature, a sampled) point among the legal ones that do not fill
 * one of `player`'s own eyes and that the guard allows; an urgent tactical move (see MoveGuard) comes
 * before the policy's choice; PASS when no point is left. `probability` is the network's raw
 * probability of the chosen point.
 */
export function chooseMove(
  board: Board,
  player: Player,
  probs: Float32Array,
  temperature: number,
  random: () => number,
  guard: MoveGuard = DEFAULT_GUARD,
): Choice {
  const { tactics, endgame, extraUrgent } = { ...DEFAULT_GUARD, ...guard };
  const regions = endgame ? emptyRegions(board) : null;
  const passed = endgame && opponentJustPassed(board, player);
  const sensible = (p: number): boolean =>
    board.at(p) === 0 &&
    !board.isEye(p, player) &&
    board.isLegal(p, player) &&
    !(tactics && isSelfAtari(board, p, player)) &&
    !(regions && gainsNothing(board, regions, p, player, passed));
  const prob = (p: number): number => probs[p] ?? 0;
  if (tactics) {
    // Most stones at stake first; among equals, the policy's favourite.
    const urgent = urgentMoves(board, player, extraUrgent)
      .filter((u) => board.isLegal(u.move, player))
      .sort((a, b) => b.stones - a.stones || prob(b.move) - prob(a.move));
    if (urgent.length > 0) return { move: urgent[0]!.move, probability: prob(urgent[0]!.move) };
  }
  if (temperature <= 0) {
    // Greedy: test the guard in order of probability, so usually only the first few points are checked.
    const order = Array.from({ length: board.area }, (_, p) => p).sort((a, b) => prob(b) - prob(a));
    for (const p of order) if (sensible(p)) return { move: p, probability: prob(p) };
    return { move: PASS, probability: 0 };
  }
  const candidates: number[] = [];
  for (let p = 0; p < board.area; p++) if (sensible(p)) candidates.push(p);
  if (candidates.length === 0) return { move: PASS, probability: 0 };
  const weights = candidates.map((p) => Math.pow(Math.max(prob(p), 0), 1 / temperature));
  const sum = weights.reduce((a, b) => a + b, 0);
  if (!(sum > 0)) {
    const p = candidates[Math.floor(random() * candidates.length)] as number;
    return { move: p, probability: prob(p) };
  }
  let r = random() * sum;
  for (let i = 0; i < candidates.length; i++) {
    r -= weights[i] as number;
    if (r <= 0) return { move: candidates[i] as number, probability: prob(candidates[i] as number) };
  }
  const last = candidates[candidates.length - 1] as number;
  return { move: last, probability: prob(last) };
}

export function toPlayer(colour: Colour): Player {
  return colour === 'black' ? BLACK : WHITE;
}
