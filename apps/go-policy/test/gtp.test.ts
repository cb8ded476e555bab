import { PassThrough } from 'node:stream';
import type * as tf from '@tensorflow/tfjs';
import { initBackend, withSeed } from '@cnn-lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Board, PASS, parseVertex } from '../src/board/index.js';
import { buildPolicyNet } from '../src/model/policy.js';
import { networkPolicy } from '../src/model/predict.js';
import { planesOf } from '../src/data/positions.js';
import { PolicyEngine, chooseMove } from '../src/play/engine.js';
import { answer, serveGtp } from '../src/play/gtp.js';

let model: tf.LayersModel;
let engine: PolicyEngine;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  // A tiny randomly initialised net on the full feature set: the protocol and the move choice, not the play, are under test.
  model = withSeed(3, () => buildPolicyNet({ planes: planesOf('alphago'), filters: 4, layers: 3 }));
});

afterAll(() => model.dispose());

function newEngine(seed = 1): PolicyEngine {
  let s = seed;
  return new PolicyEngine({
    policy: networkPolicy(model, 'alphago'),
    temperature: 1,
    random: () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648,
  });
}

/** Sends lines to a GTP session and collects the whole output. */
async function session(e: PolicyEngine, lines: string[]): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (d: Buffer) => (text += d.toString()));
  const done = serveGtp(e, input, output);
  input.end(lines.join('\n'));
  await done;
  return text;
}

/** Splits GTP output into its responses ("=..." / "?...", each ended by an empty line). */
function responses(text: string): string[] {
  return text.split('\n\n').filter((r) => r !== '');
}

describe('GTP protocol', () => {
  beforeAll(() => {
    engine = newEngine();
  });

  it('answers the administrative commands with ids', async () => {
    const out = responses(
      await session(engine, [
        '1 protocol_version',
        '2 name',
        'known_command genmove',
        'known_command fly',
        'list_commands',
      ]),
    );
    expect(out[0]).toBe('=1 2');
    expect(out[1]).toBe('=2 cnn-lab go-policy');
    expect(out[2]).toBe('= true');
    expect(out[3]).toBe('= false');
    for (const c of [
      'protocol_version',
      'name',
      'version',
      'known_command',
      'list_commands',
      'quit',
      'boardsize',
      'clear_board',
      'komi',
      'play',
      'genmove',
      'undo',
      'showboard',
      'final_score',
      'fixed_handicap',
    ]) {
      expect(out[4]?.split('\n')).toContain(c === 'protocol_version' ? '= protocol_version' : c);
    }
  });

  it('plays, undoes, sets handicap and komi, and scores as the board says', async () => {
    const e = newEngine();
    const out = responses(
      await session(e, [
        'boardsize 19',
        'clear_board',
        'komi 6.5',
        'fixed_handicap 2',
        'play w Q3',
        'undo',
        'play white R17',
        'final_score',
      ]),
    );
    expect(out.slice(0, 3)).toEqual(['=', '=', '=']);
    expect(out[3]).toBe('= D4 Q16');
    expect(out.slice(4, 7)).toEqual(['=', '=', '=']);
    expect(e.board.at(parseVertex('Q3', 19))).toBe(0);
    expect(e.board.at(parseVertex('R17', 19))).toBe(2);
    // Area count with every stone alive: black's 2 handicap stones vs white's 1 stone and 6.5 komi; no territory.
    expect(out[7]).toBe('= W+5.5');
  });

  it('refuses bad input with "? message" and goes on answering', async () => {
    const e = newEngine();
    const lines = [
      'play b D4',
      'play w D4', // occupied
      'play b Z99', // not a vertex
      'play b T20', // off the board
      'play b I5', // GTP has no column I
      'play x D5', // bad colour
      'play b', // missing argument
      'frobnicate 3',
      '7 undo',
      '8 undo', // nothing left to undo
      'boardsize 99',
      'komi abc',
      'fixed_handicap 12',
      '\u0001\u0002 \t name # a comment',
      '   ',
      '# only a comment',
      '42',
      'genmove b',
    ];
    const out = responses(await session(e, lines));
    expect(out).toHaveLength(16); // the empty and comment-only lines get no response
    expect(out[0]).toBe('=');
    for (const i of [1, 2, 3, 4, 5, 6]) expect(out[i]).toMatch(/^\? /);
    expect(out[1]).toMatch(/illegal move/);
    expect(out[7]).toBe('? unknown command');
    expect(out[8]).toBe('=7');
    expect(out[9]).toBe('?8 cannot undo');
    expect(out[10]).toBe('? unacceptable size');
    expect(out[11]).toMatch(/^\? syntax error/);
    expect(out[12]).toMatch(/^\? invalid number of stones/);
    expect(out[13]).toBe('= cnn-lab go-policy');
    expect(out[14]).toMatch(/^\?42 /);
    expect(out[15]).toMatch(/^= [A-HJ-T]\d{1,2}$/);
  });

  it('survives random garbage, half lines and random commands with sensible replies', async () => {
    const e = newEngine(7);
    let s = 12345;
    const rnd = (n: number): number => (s = (s * 1103515245 + 12345) % 2147483648) % n;
    const words = [
      'play',
      'genmove',
      'undo',
      'komi',
      'boardsize',
      'fixed_handicap',
      'showboard',
      'final_score',
      'list_commands',
      'blah',
      'clear_board',
    ];
    const args = [
      'b',
      'w',
      'black',
      'WHITE',
      'D4',
      'pass',
      'A1',
      'T19',
      'Z0',
      '-3',
      '6.5',
      '19',
      '9',
      'x',
      '',
      'K10',
      'A20',
      'tt',
    ];
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) {
      const kind = rnd(4);
      if (kind === 0)
        lines.push(
          Array.from({ length: rnd(30) }, () => String.fromCharCode(rnd(127)))
            .join('')
            .replaceAll('\n', ''),
        );
      else if (kind === 1) lines.push(`${words[rnd(words.length)]} ${args[rnd(args.length)]}`.slice(0, 1 + rnd(12)));
      else
        lines.push(
          `${rnd(2) ? `${i} ` : ''}${words[rnd(words.length)]} ${args[rnd(args.length)]} ${args[rnd(args.length)]}`.trim(),
        );
    }
    lines.push('9999 name');
    const out = await session(e, lines);
    for (const r of responses(out)) expect(r).toMatch(/^[=?]\d*( |$)/m);
    expect(out.endsWith('=9999 cnn-lab go-policy\n\n')).toBe(true);
    // The board it kept is a real position: every stone's chain has a liberty.
    for (let p = 0; p < e.board.area; p++) if (e.board.at(p) !== 0) expect(e.board.liberties(p)).toBeGreaterThan(0);
  });
});

describe('whole games through GTP', () => {
  it('never plays an illegal move, never fills its own eye, and follows undo exactly', async () => {
    // Two engines play each other through the protocol; a referee board replays every move.
    for (const seed of [1]) {
      const black = newEngine(seed);
      const white = newEngine(seed + 100);
      const referee = new Board(19, { koRule: 'positional-superko' });
      const players = { b: black, w: white } as const;
      let passes = 0;
      let moves = 0;
      for (let turn = 0; turn < 500 && passes < 2; turn++) {
        const colour = turn % 2 === 0 ? 'b' : 'w';
        const me = players[colour];
        const other = players[colour === 'b' ? 'w' : 'b'];
        const reply = await answer(me, `genmove ${colour}`);
        const vertex = /^= (\S+)\n\n$/.exec(reply?.text ?? '')?.[1];
        expect(vertex, reply?.text).toBeDefined();
        const point = parseVertex(vertex as string, 19);
        const player = colour === 'b' ? 1 : 2;
        if (point !== PASS) expect(referee.isEye(point, player)).toBe(false);
        expect(referee.whyIllegal(point, player)).toBeNull();
        referee.play(point, player);
        expect((await answer(other, `play ${colour} ${vertex}`))?.text).toBe('=\n\n');
        passes = point === PASS ? passes + 1 : 0;
        moves++;
        if (moves === 30) {
          // Undo twice on both sides and on the referee, then carry on.
          for (const e of [black, white]) {
            expect((await answer(e, 'undo'))?.text).toBe('=\n\n');
            expect((await answer(e, 'undo'))?.text).toBe('=\n\n');
          }
          referee.undo();
          referee.undo();
          turn -= 2;
        }
      }
      expect(moves).toBeGreaterThan(100);
      expect(Array.from(black.board.cells)).toEqual(Array.from(referee.cells));
      expect(Array.from(white.board.cells)).toEqual(Array.from(referee.cells));
    }
  });
});

describe('chooseMove', () => {
  it('takes the most probable legal point that does not fill its own eye', () => {
    const b = new Board(9);
    b.setup(1, [b.point(8, 1), b.point(7, 0)]); // black's corner eye at A1 (row 8, col 0)
    b.setup(2, [b.point(0, 0)]);
    const probs = new Float32Array(81);
    probs[b.point(8, 0)] = 0.5; // own eye
    probs[b.point(0, 0)] = 0.3; // occupied
    probs[b.point(4, 4)] = 0.15;
    probs[b.point(2, 2)] = 0.05;
    expect(chooseMove(b, 1, probs, 0, Math.random).move).toBe(b.point(4, 4));
    // White may play into black's eye point if it is legal there (it is not white's own eye); here it is suicide.
    expect(chooseMove(b, 2, probs, 0, Math.random).move).toBe(b.point(4, 4));
  });

  it('passes when no sensible point is left, even with a temperature', () => {
    const b = new Board(5);
    const all = Array.from({ length: 25 }, (_, p) => p).filter((p) => p !== 0 && p !== 24);
    b.setup(1, all); // one black chain with two one-point eyes in opposite corners
    const probs = new Float32Array(25).fill(1 / 25);
    expect(chooseMove(b, 1, probs, 0, Math.random).move).toBe(PASS);
    expect(chooseMove(b, 1, probs, 1, Math.random).move).toBe(PASS);
    expect(chooseMove(b, 2, probs, 0, Math.random).move).toBe(PASS); // suicide for white
  });

  it('samples in proportion to p^(1/T) with a temperature', () => {
    const b = new Board(9);
    const probs = new Float32Array(81);
    probs[10] = 0.75;
    probs[20] = 0.25;
    let s = 99;
    const rnd = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const picks = Array.from({ length: 2000 }, () => chooseMove(b, 1, probs, 1, rnd).move);
    const share = picks.filter((p) => p === 10).length / picks.length;
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeLessThan(0.8);
    expect(new Set(picks)).toEqual(new Set([10, 20]));
  });
});
