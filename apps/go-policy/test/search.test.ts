// The tree search with the shipped net and the shipped rollout policy: positions where the net's own
// favourite move loses and the search must find the one that wins, counting with dead stones, passing and
// resigning, repeatability, tree reuse, threads, time controls and the lz-analyze stream.
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import type * as tf from '@tensorflow/tfjs';
import { initBackend } from '@cnn-lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLACK, Board, WHITE, formatVertex, isLadderCapture, parseVertex, type Player } from '../src/board/index.js';
import { makeEngine, withPlayOptions, type PlayOptions } from '../src/commands/play-options.js';
import { SHIPPED_MODEL, loadPolicyModel, type PolicyMetadata } from '../src/model/load.js';
import { networkPolicy } from '../src/model/predict.js';
import { chooseMove, type PolicyEngine } from '../src/play/engine.js';
import { serveGtp } from '../src/play/gtp.js';
import { RolloutTables, loadRollout, type RolloutWeights } from '../src/rollout/policy.js';
import { SearchEngine } from '../src/search/engine.js';
import { tfNetEvaluator } from '../src/search/net.js';
import { positionData } from '../src/search/position.js';
import { ROOT_ROW, Search, type SearchResult } from '../src/search/search.js';
import { LocalSearcher, WorkerSearcher } from '../src/search/searcher.js';
import { filledBoard } from './search-positions.js';

let model: tf.LayersModel;
let meta: PolicyMetadata;
let modelDir: string;
let weights: RolloutWeights;
let tables: RolloutTables;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  ({ model, meta, dir: modelDir } = await loadPolicyModel(undefined));
  weights = (await loadRollout(SHIPPED_MODEL)).weights;
  tables = new RolloutTables(weights);
});

afterAll(() => model.dispose());

/** The net's most probable legal move (the policy engine's choice). */
async function netMove(board: Board, player: Player): Promise<string> {
  const probs = await networkPolicy(model, meta.featureSet)(board, player);
  return formatVertex(chooseMove(board, player, probs, 0, Math.random, { tactics: false, endgame: false }).move, 19);
}

function search(board: Board, komi: number, playouts: number, seed = 1): SearchResult {
  const s = new Search(tables, tfNetEvaluator(model, meta.planes), meta.featureSet, { komi, seed });
  s.setPosition(board);
  return s.run({ playouts });
}

const best = (r: SearchResult): string => formatVertex(r.moves[0]!.move, 19);

describe('--engine policy', () => {
  it("plays exactly the net's most probable legal move, with the flags' defaults", async () => {
    const cmd = withPlayOptions(new Command().exitOverride(), { engine: 'policy' });
    cmd.parse([], { from: 'user' });
    const opts = cmd.opts<PlayOptions>();
    const engine = (await makeEngine({ model, meta, dir: modelDir }, opts)) as PolicyEngine;
    const policy = networkPolicy(model, meta.featureSet);
    for (let i = 0; i < 30; i++) {
      const board = engine.board;
      const player = board.toPlay;
      const probs = await policy(board, player);
      // The most probable point that is legal and not one of the player's own eyes.
      let want = -1;
      for (let p = 0; p < board.area; p++)
        if (board.isLegal(p, player) && !board.isEye(p, player) && (want < 0 || probs[p]! > probs[want]!)) want = p;
      const got = await engine.genmove(player === BLACK ? 'black' : 'white');
      expect(got).toBe(want);
    }
  });
});

describe('the search where the net alone errs', () => {
  // Komi is set so that the fight decides the game: black wins by about 20 points if the fight goes its
  // way, and loses by about 20 if it does not.
  it('capturing race: fills the outside liberties, not the shared one', async () => {
    // Black's five stones (top left) and white's nine have two liberties each and share E19; black to play
    // must take one of white's outside liberties (A16, B16). E19 first, or any other move, loses the race.
    const board = filledBoard(
      [
        '..XX.O', //
        'XXXXOO',
        'OOOOOO',
        '..XXXX',
      ],
      0,
      0,
      BLACK,
    );
    const wins = ['A16', 'B16'];
    expect(wins).not.toContain(await netMove(board, BLACK));
    const r = search(board, 0.5, 1500);
    expect(wins).toContain(best(r));
    expect(r.moves[0]!.winrate).toBeGreaterThan(0.8);
  });

  it('one eye against two: black takes the vital point of its straight three', async () => {
    // Black's five stones in the top right corner have the eye space R19-S19-T19 and nothing else: S19
    // makes two eyes; anything else lets white play S19 and leaves one.
    const board = filledBoard(
      [
        'OX...', //
        'OXXXX',
        'OOOOO',
      ],
      0,
      14,
      BLACK,
    );
    expect(await netMove(board, BLACK)).not.toBe('S19');
    const r = search(board, 27.5, 1500);
    expect(best(r)).toBe('S19');
    expect(r.moves[0]!.winrate).toBeGreaterThan(0.8);
  });

  it('snapback: throws a stone in and takes the cutting group back, rather than four stones', async () => {
    // White's eight stones at the top (G19 to K16) have two liberties, H19 and J19, and threaten black's
    // four stones at L19-L16, whose liberties M19 and M16 are dead ends. A black stone on H19 (or J19)
    // is captured, and the capture leaves white in atari on that point: black takes back nine stones.
    // Anything else lets white take black's four and connect. Lower down, white's four stones F5-J5 are
    // in atari with their last liberty at K5, next to white's area. Played out and counted: the snapback
    // and white's K5 give B+18.5; black's K5, white's connection and the capture of black's four W+1.5.
    // The net finds the snapback on its own, but prefers taking the four stones when they are there.
    const snapbackRows = [
      'O..OX.OO', //
      'OOOOXOOO',
      'XXXOXOOO',
      'XXXOX.OO',
      'XXXXOOOO',
    ];
    const snapbacks = ['H19', 'J19'];
    expect(snapbacks).toContain(await netMove(filledBoard(snapbackRows, 0, 6, BLACK), BLACK));
    const board = filledBoard(snapbackRows, 0, 6, BLACK, [[['XXXXXX', 'XOOOO.', 'XXXXXX'], 13, 4]]);
    expect(await netMove(board, BLACK)).toBe('K5');
    const r = search(board, 0.5, 1000);
    expect(snapbacks).toContain(best(r));
    expect(r.moves[0]!.winrate).toBeGreaterThan(0.8);
    // The tactic itself: after H19 and white's capture at J19, black's H19 takes the group.
    board.play(parseVertex('H19', 19), BLACK);
    board.play(parseVertex('J19', 19), WHITE);
    expect(board.play(parseVertex('H19', 19), BLACK).length).toBe(9);
  });

  it('ladder: the atari that starts a working ladder is worth more than taking four stones', async () => {
    // White's J13 cuts black's five stones J14-J16, K16, L16 (two liberties, H15 and M16, inside white's
    // area) from black's H13 and K12. Its liberties are K13, next to white's wall, and J12, towards black's.
    // K13 starts a ladder that runs into black's stones: J12, H12, J11, H11 takes three stones and the
    // five connect through J13. The atari at J12, or any other move, lets white connect out at K13 and the
    // five die. Lower down, white's four stones F5-J5 are in atari with their last liberty at K5, next to
    // white's area: black can take them, or white connects them out. Played out and counted with komi
    // -25.5: the ladder and white's K5 give B+4.5; black's K5 and white's K13 give W+3.5. The net prefers
    // taking the four stones; the search reads the ladder to its end.
    const board = filledBoard(
      [
        'XXOOOOOOOO', //
        'XXOOOXXX.O',
        'XXXO.XOOOO',
        'XXXOOXOOOO',
        'XX..XO.OOO',
        'XX....XOOO',
        'XX....XOOO',
        'XXXXXXXOOO',
      ],
      2,
      3,
      BLACK,
      [[['XXXXXX', 'XOOOO.', 'XXXXXX'], 13, 4]],
    );
    const v = (s: string): number => parseVertex(s, 19);
    expect(isLadderCapture(board, v('K13'), BLACK)).toBe(true);
    expect(isLadderCapture(board, v('J12'), BLACK)).toBe(false);
    expect(await netMove(board, BLACK)).toBe('K5');
    const r = search(board, -25.5, 1500);
    expect(best(r)).toBe('K13');
    expect(r.moves[0]!.winrate).toBeGreaterThan(0.8);
    // The ladder itself, and the other atari: white connects out at K13.
    board.play(v('K13'), BLACK);
    board.play(v('J12'), WHITE);
    board.play(v('H12'), BLACK);
    board.play(v('J11'), WHITE);
    expect(board.play(v('H11'), BLACK).length).toBe(3);
    expect(board.libertyPoints(v('J14'))).toContain(v('J13'));
  });
});

describe('counting, passing and resigning', () => {
  // A lone white stone in a hole of black's area: dead, though it stands on the board.
  const deadStone = (toPlay: Player): Board =>
    filledBoard(
      [
        '...', //
        '.O.',
        '...',
      ],
      0,
      0,
      toPlay,
    );

  function engine(opts: Partial<ConstructorParameters<typeof SearchEngine>[0]> = {}): SearchEngine {
    const e = new SearchEngine({
      searcher: new LocalSearcher(tables, model, meta.featureSet, meta.planes, { komi: 7.5, seed: 1 }),
      playouts: 300,
      scoringPlayouts: 300,
      ...opts,
    });
    e.setKomi(7.5);
    return e;
  }

  /** Give the engine a board whose stones are all setup stones (and whose moves, if any, its history). */
  function load(e: SearchEngine, board: Board): void {
    const black: number[] = [];
    const white: number[] = [];
    const played = new Set(board.history.map((m) => m.move));
    for (let p = 0; p < board.area; p++) {
      if (played.has(p)) continue;
      if (board.cells[p] === BLACK) black.push(p);
      else if (board.cells[p] === WHITE) white.push(p);
    }
    e.setPosition(board, { black, white });
  }

  it('scores with dead stones taken off, and lists them', async () => {
    const e = engine();
    load(e, deadStone(BLACK));
    // Black: columns A-K (190 points, the dead stone's included); white: L-T (171) and komi 7.5.
    expect(await e.finalScore()).toBe('B+11.5');
    expect(await e.finalStatusList('dead')).toBe('B18');
    const alive = (await e.finalStatusList('alive')).split(' ');
    expect(alive).not.toContain('B18');
    expect(alive).toContain('A16');
    expect(alive.length).toBe(e.board.cells.filter((c) => c !== 0).length - 1);
  });

  it('lists a seki as seki, counts its stones alive and its shared liberties for no one', async () => {
    // White's ring C14-G11 in black's area and black's four stones inside it have two liberties each, D12
    // and F12, shared: whoever fills one is taken. The playouts cannot count it (at a playout's end the
    // side to move must fill one); with their ownership alone the ring would be dead and black win by 11.5.
    const window = [
      'XXXXXXX', //
      'XOOOOOX',
      'XOXXXOX',
      'XO.X.OX',
      'XOOOOOX',
      'XXXXXXX',
    ];
    const ring = ['C14', 'D14', 'E14', 'F14', 'G14', 'C13', 'G13', 'C12', 'G12', 'C11', 'D11', 'E11', 'F11', 'G11'];
    const inside = ['D13', 'E13', 'F13', 'E12'];
    const e = engine();
    load(e, filledBoard(window, 4, 1, BLACK, [[['...', '.O.', '...'], 0, 0]]));
    const seki = (await e.finalStatusList('seki')).split(' ');
    expect([...seki].sort()).toEqual([...ring, ...inside].sort());
    expect(await e.finalStatusList('dead')).toBe('B18');
    const alive = (await e.finalStatusList('alive')).split(' ');
    expect(alive.filter((v) => seki.includes(v))).toEqual([]);
    expect(alive.length + seki.length + 1).toBe(e.board.cells.filter((c) => c !== 0).length);
    // Black: columns A-K (190 points) less the ring's 14 and the two shared liberties; white: 171 + 14.
    expect(await e.finalScore()).toBe('W+18.5');

    // With an eye (E12) besides the two liberties it shares with the ring, black can fill one of them and
    // take the ring: no seki, the ring is dead.
    const f = engine();
    load(
      f,
      filledBoard(
        [
          'XXXXXXXX', //
          'XOOOOOOX',
          'XOXXXXOX',
          'XOX.X.OX',
          'XO.XXXOX',
          'XOOOOOOX',
          'XXXXXXXX',
        ],
        4,
        1,
        BLACK,
      ),
    );
    expect(await f.finalStatusList('seki')).toBe('');
    expect((await f.finalStatusList('dead')).split(' ')).toContain('C14');
    expect(await f.finalScore()).toBe('B+11.5');
  });

  it('passes when every point is settled, and after the opponent passes when the count says it wins', async () => {
    const e = engine();
    load(e, deadStone(BLACK));
    expect(await e.genmove('black')).toBe(-1);
    expect(e.lastReport?.reason).toMatch(/settled|no move left/);
    const f = engine();
    const b = deadStone(WHITE);
    b.play(-1, WHITE);
    load(f, b);
    expect(await f.genmove('black')).toBe(-1);
  });

  it('kgs-genmove_cleanup takes the dead stones off the board, then passes', async () => {
    // genmove passes at once (see above); cleanup first fills the dead stone's liberties while white passes.
    const e = engine();
    load(e, deadStone(BLACK));
    const B18 = parseVertex('B18', 19);
    const liberties = e.board.libertyPoints(B18);
    const played: number[] = [];
    for (let i = 0; i < 8; i++) {
      const m = await e.genmoveCleanup('black');
      if (m === -1 || m === 'resign') break;
      played.push(m);
      e.play('white', -1);
    }
    expect(played.length).toBe(liberties.length);
    expect([...played].sort((a, b) => a - b)).toEqual([...liberties].sort((a, b) => a - b));
    expect(e.board.cells[B18]).toBe(0);
    expect(e.lastReport?.move).toBe(-1);
  });

  it('resigns only when asked to, below the win rate given', async () => {
    // With 50 points of komi black cannot win.
    const quiet = engine();
    quiet.setKomi(50);
    load(quiet, deadStone(BLACK));
    expect(await quiet.genmove('black')).not.toBe('resign');
    const resigns = engine({ resignBelow: 0.1 });
    resigns.setKomi(50);
    load(resigns, filledBoard(['..', '..'], 0, 0, BLACK));
    expect(await resigns.genmove('black')).toBe('resign');
  });

  it('fits the move time to the time controls', () => {
    const e = engine({ playouts: undefined, timeSeconds: 5 });
    expect(e.budget(BLACK)).toEqual({ timeMs: 5000 });
    e.timeSettings(600, 0, 0);
    e.timeLeft('black', 60, 0);
    const main = e.budget(BLACK).timeMs!;
    expect(main).toBeGreaterThan(100);
    expect(main).toBeLessThan(5000);
    e.timeSettings(0, 30, 10);
    e.timeLeft('black', 30, 10);
    expect(e.budget(BLACK).timeMs).toBeCloseTo((0.8 * 30 * 1000) / 10 - 300, 0);
    e.timeSettings(0, 10, 0); // byo-yomi time without stones: no limit
    expect(e.budget(BLACK)).toEqual({ timeMs: 5000 });
  });
});

describe('repeatable and reusable', () => {
  const opening = (moves: string[]): Board => {
    const b = new Board(19, { koRule: 'positional-superko' });
    for (const v of moves) b.play(parseVertex(v, 19));
    return b;
  };

  it('the same seed gives the same search; another seed another', () => {
    const b = opening(['Q16', 'D4', 'Q4', 'D16', 'R14']);
    const stats = (r: SearchResult): string => JSON.stringify(r.moves.map((m) => [m.move, m.visits, m.wins]));
    const a = search(b, 7.5, 200, 1);
    const again = search(b, 7.5, 200, 1);
    const other = search(b, 7.5, 200, 2);
    expect(a.playouts).toBe(200);
    expect(stats(again)).toBe(stats(a));
    expect(Array.from(again.ownership)).toEqual(Array.from(a.ownership));
    expect(stats(other)).not.toBe(stats(a));
  });

  it('keeps the subtree of the moves played since the last search', () => {
    const b = opening(['Q16', 'D4', 'Q4']);
    const s = new Search(tables, tfNetEvaluator(model, meta.planes), meta.featureSet, { komi: 7.5, seed: 1 });
    s.setPosition(b);
    const first = s.run({ playouts: 400 });
    const ours = first.moves[0]!;
    const reply = ours.pv[1];
    expect(reply).toBeDefined();
    b.play(ours.move);
    b.play(reply!);
    s.setPosition(b);
    const next = s.run({ playouts: 1 });
    // The new root already had the visits that went through ours and reply.
    expect(next.rootVisits).toBeGreaterThan(1);
    // An unrelated position starts from nothing.
    s.setPosition(opening(['K10']));
    expect(s.run({ playouts: 1 }).rootVisits).toBe(1);
  });

  it('threads sharing their root visits stop together once the best move is decided', () => {
    const b = opening(['Q16', 'D4']);
    const s = new Search(tables, tfNetEvaluator(model, meta.planes), meta.featureSet, { komi: 7.5, seed: 1 });
    s.setPosition(b);
    // The other thread's tree (row 1) has Q4 a million visits ahead: no time left could overturn that.
    const visits = new Int32Array(2 * ROOT_ROW);
    visits[ROOT_ROW + parseVertex('Q4', 19)] = 1_000_000;
    let stopAll = 0;
    const r = s.run({ timeMs: 60_000, shared: { visits, row: 0, threads: 2, stopAll: () => stopAll++ } });
    // Decided at the first check (after 63 playouts), having published this tree's visits in row 0.
    expect(r.playouts).toBe(63);
    expect(stopAll).toBe(1);
    expect(visits[ROOT_ROW - 1]).toBe(63);
    expect(visits.subarray(0, ROOT_ROW - 1).reduce((a, x) => a + x, 0)).toBe(63);
  });

  it('two worker threads split the playouts and repeat for a seed', async () => {
    const b = opening(['Q16', 'D4']);
    const searcher = await WorkerSearcher.start(2, { modelDir, weights, options: { komi: 7.5, seed: 3 } });
    try {
      const r = await searcher.search(positionData(b, { black: [], white: [] }), { playouts: 101 });
      expect(r.playouts).toBe(101);
      expect(r.moves.reduce((n, m) => n + m.visits, 0)).toBe(101);
      searcher.clear();
      const again = await searcher.search(positionData(b, { black: [], white: [] }), { playouts: 101 });
      expect(again.moves.map((m) => [m.move, m.visits])).toEqual(r.moves.map((m) => [m.move, m.visits]));
    } finally {
      await searcher.close();
    }
  });
});

describe('GTP', () => {
  it('streams lz-analyze lines as Leela Zero writes them until the next command', async () => {
    const e = new SearchEngine({
      searcher: new LocalSearcher(tables, model, meta.featureSet, meta.planes, { komi: 7.5, seed: 1 }),
      playouts: 50,
    });
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (d: Buffer) => (text += d.toString()));
    const done = serveGtp(e, input, output);
    input.write('play b Q16\n7 lz-analyze w 20\n');
    // Wait for a few info lines, then send the next command.
    for (let i = 0; i < 200 && (text.match(/info move/g) ?? []).length < 6; i++)
      await new Promise((r) => setTimeout(r, 50));
    input.end('8 name\n');
    await done;
    const [play, analysis, name] = text.split('\n\n');
    expect(play).toBe('=');
    const lines = analysis!.split('\n');
    expect(lines[0]).toBe('=7');
    const entry =
      /^info move ([A-HJ-T]\d{1,2}|pass) visits (\d+) winrate (\d+) prior (\d+) lcb (\d+) order (\d+) pv( ([A-HJ-T]\d{1,2}|pass))+$/;
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines.slice(1)) {
      const entries = line.split(/ (?=info move)/);
      entries.forEach((en, k) => {
        const m = entry.exec(en);
        expect(m, en).not.toBeNull();
        expect(Number(m![6])).toBe(k);
        expect(Number(m![3])).toBeLessThanOrEqual(10000);
        expect(Number(m![4])).toBeLessThanOrEqual(10000);
      });
      // Most visited first.
      const visits = entries.map((en) => Number(entry.exec(en)![2]));
      expect([...visits].sort((x, y) => y - x)).toEqual(visits);
    }
    expect(name).toBe('=8 cnn-lab go-policy');
  });

  it('time_settings and time_left through GTP set the time of a move', async () => {
    const e = new SearchEngine({
      searcher: new LocalSearcher(tables, model, meta.featureSet, meta.planes, { komi: 7.5, seed: 1 }),
      timeSeconds: 5,
    });
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (d: Buffer) => (text += d.toString()));
    const done = serveGtp(e, input, output);
    const reply = async (line: string): Promise<string> => {
      const before = text.length;
      input.write(`${line}\n`);
      for (let i = 0; i < 100 && !text.slice(before).includes('\n\n'); i++) await new Promise((r) => setTimeout(r, 10));
      return text.slice(before).trim();
    };
    expect(e.budget(BLACK)).toEqual({ timeMs: 5000 });
    // Ten minutes of main time for the game: well under the 5 s asked for, at most a fiftieth of it.
    expect(await reply('time_settings 600 0 0')).toBe('=');
    const fresh = e.budget(BLACK).timeMs!;
    expect(fresh).toBeLessThan(5000);
    expect(fresh).toBeGreaterThan(0);
    // A minute left for black: less again; white's clock is untouched.
    expect(await reply('time_left b 60 0')).toBe('=');
    expect(e.budget(BLACK).timeMs!).toBeLessThan(fresh);
    expect(e.budget(WHITE).timeMs).toBe(fresh);
    // Byo-yomi: 30 s for 10 stones, 80% of 3 s less a margin for the wire.
    expect(await reply('time_settings 0 30 10')).toBe('=');
    expect(await reply('time_left w 30 10')).toBe('=');
    expect(e.budget(WHITE).timeMs).toBeCloseTo(2100, 0);
    // 0 0 0: no time limit, the engine's own 5 s again.
    expect(await reply('time_settings 0 0 0')).toBe('=');
    expect(e.budget(WHITE)).toEqual({ timeMs: 5000 });
    expect(await reply('time_left x 1 0')).toMatch(/^\? syntax error/);
    input.end();
    await done;
  });

  it('lists the search commands and refuses bad arguments', async () => {
    const e = new SearchEngine({
      searcher: new LocalSearcher(tables, model, meta.featureSet, meta.planes, { komi: 7.5, seed: 1 }),
      playouts: 20,
    });
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (d: Buffer) => (text += d.toString()));
    const done = serveGtp(e, input, output);
    input.end(
      [
        'list_commands',
        'known_command lz-analyze',
        'time_settings 10 x 0',
        'final_status_list maybe',
        'lz-analyze q',
        'kgs-genmove_cleanup b',
      ].join('\n'),
    );
    await done;
    const out = text.split('\n\n');
    expect(out[0]).toContain('kgs-genmove_cleanup');
    expect(out[0]).toContain('final_status_list');
    expect(out[1]).toBe('= true');
    expect(out[2]).toMatch(/^\? syntax error/);
    expect(out[3]).toMatch(/^\? syntax error: unknown status 'maybe'/);
    expect(out[4]).toMatch(/^\? syntax error: expected lz-analyze/);
    expect(out[5]).toMatch(/^= [A-HJ-T]\d{1,2}$/);
  });
});
