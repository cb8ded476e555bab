import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { initBackend, withSeed } from '@cnn-lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASS } from '../src/board/index.js';
import { SHIPPED_MODEL } from '../src/model/load.js';
import { planesOf } from '../src/data/positions.js';
import { buildPolicyNet } from '../src/model/policy.js';
import { networkPolicy } from '../src/model/predict.js';
import { PolicyEngine } from '../src/play/engine.js';
import { opponentCommand, playMatch, summarise } from '../src/play/match.js';
import { RolloutTables, loadRollout } from '../src/rollout/policy.js';
import { SearchEngine, describeReport } from '../src/search/engine.js';
import { LocalSearcher } from '../src/search/searcher.js';
import { gameToSgf, readSgf } from '../src/sgf/index.js';

let model: tf.LayersModel;
const engine = (): PolicyEngine => new PolicyEngine({ policy: networkPolicy(model, 'alphago') });

/** A scripted GTP opponent: `genmove` answers from a fixed list, `final_score` a fixed result. */
function scriptedOpponent(genmoves: string[], score: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'go-policy-opponent-'));
  const file = join(dir, 'opponent.mjs');
  writeFileSync(
    file,
    `import { createInterface } from 'node:readline';
const moves = ${JSON.stringify(genmoves)};
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd] = line.trim().split(/\\s+/);
  if (cmd === 'genmove') process.stdout.write('= ' + (moves.shift() ?? 'pass') + '\\n\\n');
  else if (cmd === 'final_score') process.stdout.write('= ${score}\\n\\n');
  else if (cmd === 'quit') { process.stdout.write('=\\n\\n'); break; }
  else process.stdout.write('=\\n\\n');
}
`,
  );
  return `node ${file}`;
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  model = withSeed(2, () => buildPolicyNet({ planes: planesOf('alphago'), filters: 4, layers: 3 }));
});
afterAll(() => model.dispose());

describe('playMatch', () => {
  it('alternates colours and counts a resignation as a win for the other side', async () => {
    const { summary, results } = await playMatch({ engine, opponent: scriptedOpponent(['resign'], '0'), games: 2 });
    expect(results.map((r) => r.ours)).toEqual(['black', 'white']);
    expect(results.map((r) => r.outcome)).toEqual(['win', 'win']);
    // Game 1: ours black, the opponent resigned as white; game 2: the opponent resigned as black.
    expect(results.map((r) => r.result)).toEqual(['B+R', 'W+R']);
    expect(summary).toMatchObject({ games: 2, wins: 2, losses: 0, unfinished: 0, winRate: 1 });
  });

  it('calls a game unfinished at the move cap, and keeps it as SGF', async () => {
    // The opponent passes at once; without the end-game guard our engine plays on, so cap the game.
    const playsOn = (): PolicyEngine =>
      new PolicyEngine({ policy: networkPolicy(model, 'alphago'), guard: { endgame: false } });
    const capped = await playMatch({
      engine: playsOn,
      opponent: scriptedOpponent([], 'W+12.5'),
      games: 1,
      maxMoves: 6,
    });
    expect(capped.results[0]!.outcome).toBe('unfinished');
    expect(capped.results[0]!.reason).toMatch(/after 6 moves/);
    const sgf = gameToSgf(capped.results[0]!.game);
    const read = readSgf(sgf);
    expect(read.ok && read.game.moves.length).toBe(6);
    expect(read.ok && read.game.moves.filter((m) => m.move === PASS).length).toBe(3);
  });

  it('with the end-game guard, does not take a pass on an undivided board as the end of the game', async () => {
    // Black's first stone, then white passes: the board is one region, an opening rather than territory (passing
    // would "win" B+354.5), so black plays on while white keeps passing, up to the move cap.
    const { results } = await playMatch({ engine, opponent: scriptedOpponent([], 'B+353.5'), games: 1, maxMoves: 6 });
    expect(results[0]!.outcome).toBe('unfinished');
    expect(results[0]!.game.moves.map((m) => m.move === PASS)).toEqual([false, true, false, true, false, true]);
  });

  it('calls a game unfinished when the opponent answers nonsense', async () => {
    const { results, summary } = await playMatch({ engine, opponent: scriptedOpponent(['Z99'], '0'), games: 1 });
    expect(results[0]!.outcome).toBe('unfinished');
    expect(summary.winRate).toBeNull();
  });

  it('calls a game unfinished when the opponent cannot start', async () => {
    const { results } = await playMatch({
      engine,
      opponent: 'definitely-not-a-go-engine-xyz',
      games: 1,
      timeoutSeconds: 20,
    });
    expect(results[0]!.outcome).toBe('unfinished');
    expect(results[0]!.reason).toMatch(/definitely-not-a-go-engine-xyz/);
  });
});

describe('the search in a match', () => {
  it('writes its win rate into the SGF comment of each of its moves', async () => {
    const tables = new RolloutTables((await loadRollout(SHIPPED_MODEL)).weights);
    const search = new SearchEngine({
      searcher: new LocalSearcher(tables, model, 'alphago', planesOf('alphago'), { komi: 7.5, seed: 1 }),
      playouts: 20,
    });
    const { results } = await playMatch({
      engine: () => search,
      opponent: scriptedOpponent(['D4', 'Q4', 'D16'], '0'),
      games: 1,
      maxMoves: 6,
      describeMove: () => describeReport(search),
    });
    const game = results[0]!.game;
    const ours = game.moves.filter((m) => m.colour === 1);
    expect(ours).toHaveLength(3);
    for (const m of ours)
      expect(m.comment).toMatch(/^win rate \d+\.\d% for black, \d+ visits, 20 new playouts, \d+\.\d s$/);
    expect(game.moves.filter((m) => m.colour === 2).every((m) => m.comment === undefined)).toBe(true);
    const sgf = gameToSgf(game);
    expect(sgf.match(/C\[win rate/g)).toHaveLength(3);
  });
});

describe('opponentCommand', () => {
  it('adds --chinese-rules to GNU Go when the match counts by area, and only then', () => {
    expect(opponentCommand('/usr/games/gnugo --mode gtp --level 1', 'area')).toEqual({
      command: '/usr/games/gnugo --mode gtp --level 1 --chinese-rules',
      added: true,
    });
    expect(opponentCommand('gnugo --mode gtp --japanese-rules', 'area').added).toBe(false);
    expect(opponentCommand('gnugo --mode gtp --chinese-rules', 'area').added).toBe(false);
    expect(opponentCommand('gnugo --mode gtp', 'territory').added).toBe(false);
    expect(opponentCommand('leelaz --gtp', 'area').added).toBe(false);
  });
});

describe('summarise', () => {
  it('gives the win rate over finished games with a Wilson 95% interval', () => {
    const outcomes = [...Array(30).fill('win'), ...Array(20).fill('loss'), ...Array(3).fill('unfinished')].map(
      (outcome) => ({ outcome }),
    );
    const s = summarise(outcomes);
    expect(s).toMatchObject({ games: 53, wins: 30, losses: 20, unfinished: 3, winRate: 0.6 });
    expect(s.interval!.low).toBeCloseTo(0.4618, 3);
    expect(s.interval!.high).toBeCloseTo(0.7239, 3);
  });
});

const GNUGO = '/usr/games/gnugo';

describe.skipIf(!existsSync(GNUGO))('against GNU Go', () => {
  it('plays legal moves that GNU Go accepts, move after move', async () => {
    const { results } = await playMatch({ engine, opponent: `${GNUGO} --mode gtp --level 0`, games: 2, maxMoves: 24 });
    for (const r of results) {
      // Capped, not broken: every one of our moves was accepted by GNU Go's own board.
      expect(r.reason).toMatch(/no result after 24 moves/);
      expect(r.game.moves).toHaveLength(24);
    }
  });
});
if (!existsSync(GNUGO)) console.warn(`skipping the GNU Go match test: ${GNUGO} is not installed`);
