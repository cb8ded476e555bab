// Matches between our engine (in this process) and any GTP engine (a child process), refereed by
// the opponent's final_score, with every game kept as SGF.
import { proportionInterval } from '@cnn-lab/core';
import { BLACK, PASS, WHITE, formatVertex, parseVertex, type Player } from '../board/index.js';
import type { Game, GameMove } from '../sgf/index.js';
import { answer, type GtpEngine } from './gtp.js';
import { GtpClient, GtpClientError } from './gtp-client.js';
import { OUR_NAME, ourColour } from './match-folder.js';

export interface MatchGameResult {
  index: number;
  /** The colour our engine played. */
  ours: 'black' | 'white';
  /** 'win' / 'loss' for our engine, or 'unfinished' (move cap, an engine failed, or no agreed score). */
  outcome: 'win' | 'loss' | 'unfinished';
  /** SGF-style result: "B+R", "W+12.5", ... as the referee saw it. */
  result: string | null;
  /** Our engine's own count (every stone alive), for comparison with the referee. */
  ourScore: string | null;
  moves: number;
  reason: string;
  game: Game;
  /** Our engine's genmove times, milliseconds. */
  genmoveMs: number[];
}

export interface MatchOptions {
  /** A fresh engine of ours for each game. */
  engine: () => GtpEngine;
  /** Shell command starting the opponent, e.g. "gnugo --mode gtp --level 1". */
  opponent: string;
  games: number;
  /** Games already played (a resumed match): the match goes on with game `played.length + 1`. */
  played?: readonly Pick<MatchGameResult, 'outcome'>[];
  komi?: number;
  /** Moves after which a game is called unfinished. */
  maxMoves?: number;
  /** Seconds the opponent may take for one command. */
  timeoutSeconds?: number;
  /** A comment for the SGF after each of our moves (e.g. the search's win rate); none when it returns undefined. */
  describeMove?: () => string | undefined;
  onGame?: (r: MatchGameResult) => void | Promise<void>;
}

export interface MatchSummary {
  games: number;
  wins: number;
  losses: number;
  unfinished: number;
  /** wins / (wins + losses); null when no game finished. */
  winRate: number | null;
  /** Wilson 95% interval of the win rate over finished games. */
  interval: { low: number; high: number } | null;
}

const colourWord = (p: Player): 'b' | 'w' => (p === BLACK ? 'b' : 'w');

async function ours(engine: GtpEngine, command: string): Promise<string> {
  const reply = await answer(engine, command);
  const text = reply?.text ?? '';
  if (!text.startsWith('=')) throw new Error(`our engine refused '${command}': ${text.trim()}`);
  return text.replace(/^=\d*\s?/, '').trim();
}

/** Plays one game; our engine takes `oursColour`. Never throws for what happens in the game. */
export async function playGame(index: number, oursColour: Player, opts: MatchOptions): Promise<MatchGameResult> {
  const komi = opts.komi ?? 7.5;
  const maxMoves = opts.maxMoves ?? 600;
  const engine = opts.engine();
  const opponent = new GtpClient(opts.opponent, (opts.timeoutSeconds ?? 60) * 1000);
  const moves: GameMove[] = [];
  const genmoveMs: number[] = [];
  const game: Game = {
    size: 19,
    komi,
    handicap: 0,
    setup: { black: [], white: [] },
    moves,
    winner: null,
    info:
      oursColour === BLACK
        ? { blackName: OUR_NAME, whiteName: opts.opponent }
        : { blackName: opts.opponent, whiteName: OUR_NAME },
  };
  const base = { index, ours: oursColour === BLACK ? ('black' as const) : ('white' as const), game, genmoveMs };
  const done = (
    outcome: MatchGameResult['outcome'],
    result: string | null,
    reason: string,
    ourScore: string | null = null,
  ): MatchGameResult => {
    if (result) game.result = result;
    return { ...base, outcome, result, ourScore, moves: moves.length, reason };
  };
  try {
    for (const c of ['boardsize 19', 'clear_board', `komi ${komi}`]) {
      await ours(engine, c);
      await opponent.send(c);
    }
    let toMove: Player = BLACK;
    let passes = 0;
    while (passes < 2) {
      if (moves.length >= maxMoves) return done('unfinished', null, `no result after ${maxMoves} moves`);
      const word = colourWord(toMove);
      let vertex: string;
      let comment: string | undefined;
      if (toMove === oursColour) {
        const t0 = performance.now();
        vertex = await ours(engine, `genmove ${word}`);
        genmoveMs.push(performance.now() - t0);
        comment = opts.describeMove?.();
        if (vertex.toLowerCase() === 'resign')
          return done('loss', `${toMove === BLACK ? 'W' : 'B'}+R`, `we resigned${comment ? ` (${comment})` : ''}`);
        await opponent.send(`play ${word} ${vertex}`);
      } else {
        vertex = (await opponent.send(`genmove ${word}`)).trim();
        if (vertex.toLowerCase() === 'resign')
          return done('win', `${toMove === BLACK ? 'W' : 'B'}+R`, 'opponent resigned');
        await ours(engine, `play ${word} ${vertex}`);
      }
      const point = parseVertex(vertex, 19);
      moves.push({ colour: toMove, move: point, ...(comment ? { comment } : {}) });
      passes = point === PASS ? passes + 1 : 0;
      toMove = toMove === BLACK ? WHITE : BLACK;
    }
    const ourScore = await ours(engine, 'final_score');
    const referee = (await opponent.send('final_score')).trim();
    const winner = referee.startsWith('B+') ? BLACK : referee.startsWith('W+') ? WHITE : null;
    if (winner === null) return done('unfinished', referee, `the referee's score is '${referee}'`, ourScore);
    game.winner = winner;
    return done(winner === oursColour ? 'win' : 'loss', referee, 'counted', ourScore);
  } catch (err) {
    const why = err instanceof GtpClientError || err instanceof Error ? err.message : String(err);
    return done('unfinished', null, why);
  } finally {
    await opponent.close();
  }
}

/**
 * GNU Go counts territory (Japanese rules) unless told otherwise: when the match counts by area, a GNU Go
 * command without a rules flag gets --chinese-rules, so that its final_score referees by area.
 */
export function opponentCommand(command: string, rules: 'area' | 'territory'): { command: string; added: boolean } {
  if (rules !== 'area' || !/\bgnugo\b/.test(command) || /--(chinese|japanese)-rules\b/.test(command))
    return { command, added: false };
  return { command: `${command} --chinese-rules`, added: true };
}

/**
 * Plays games up to `games` with alternating colours (ours black in even games), after those already
 * `played`, and summarises them all.
 */
export async function playMatch(opts: MatchOptions): Promise<{ summary: MatchSummary; results: MatchGameResult[] }> {
  const played = opts.played ?? [];
  const results: MatchGameResult[] = [];
  for (let i = played.length; i < opts.games; i++) {
    const r = await playGame(i, ourColour(i), opts);
    results.push(r);
    await opts.onGame?.(r);
  }
  return { summary: summarise([...played, ...results]), results };
}

export function summarise(results: readonly Pick<MatchGameResult, 'outcome'>[]): MatchSummary {
  const wins = results.filter((r) => r.outcome === 'win').length;
  const losses = results.filter((r) => r.outcome === 'loss').length;
  const finished = wins + losses;
  const interval = finished > 0 ? proportionInterval(wins, finished) : null;
  return {
    games: results.length,
    wins,
    losses,
    unfinished: results.length - finished,
    winRate: finished > 0 ? wins / finished : null,
    interval: interval ? { low: interval.low, high: interval.high } : null,
  };
}

export { formatVertex };
