import { describe, expect, it } from 'vitest';
import { BLACK, PASS, WHITE, parseVertex } from '../src/board/index.js';
import { emptySummary, formatSummary, gameToSgf, positionBefore, readSgf, replay, tally } from '../src/sgf/index.js';
import type { Game } from '../src/sgf/index.js';

const pt = (t: string, size = 19): number => parseVertex(t, size);

function game(text: string | Uint8Array, size: number | null = 19): Game {
  const r = readSgf(text, { size });
  if (!r.ok) throw new Error(`expected a game, got ${r.reason}: ${r.detail}`);
  return r.game;
}

describe('readSgf', () => {
  it('reads size, komi, result and the main line with passes', () => {
    const g = game('(;GM[1]FF[4]SZ[19]KM[7.5]RE[W+3.5]PB[a]PW[b];B[pd];W[dd](;B[pq];W[];B[tt])(;B[dp]))');
    expect(g.size).toBe(19);
    expect(g.komi).toBe(7.5);
    expect(g.result).toBe('W+3.5');
    expect(g.winner).toBe(WHITE);
    expect(g.moves.map((m) => [m.colour, m.move])).toEqual([
      [BLACK, pt('Q16')],
      [WHITE, pt('D16')],
      [BLACK, pt('Q3')],
      [WHITE, PASS],
      [BLACK, PASS],
    ]);
  });

  it('copes with Fox quirks: scaled komi, broken name encodings, no CA, handicap with AB', () => {
    const head = Buffer.from('(;GM[1]FF[4]SZ[19]GN[');
    const broken = Buffer.from([0xd2, 0xb0, 0xff, 0xfe, 0x80, 0x5d - 0x10]); // not UTF-8, no "]"
    const tail = Buffer.from(']PB[\u65f6]KM[375]HA[2]AB[dp][pd]RE[B+R];W[dd];B[pp])');
    const g = game(Buffer.concat([head, broken, tail]));
    expect(g.komi).toBe(3.75);
    expect(g.handicap).toBe(2);
    expect(g.setup.black.sort((a, b) => a - b)).toEqual([pt('Q16'), pt('D4')].sort((a, b) => a - b));
    expect(g.moves[0]).toEqual({ colour: WHITE, move: pt('D16') });
    expect(g.winner).toBe(BLACK);
    expect(game('(;SZ[19]KM[650];B[aa])').komi).toBe(6.5);
    expect(game('(;SZ[19]KM[0];B[aa])').komi).toBe(0);
    expect(game('(;SZ[19]KM[-5.5];B[aa])').komi).toBe(-5.5);
  });

  it('places fixed handicap stones when HA comes without AB', () => {
    const g = game('(;SZ[19]HA[4];W[cc])');
    expect(g.setup.black.map((p) => p)).toHaveLength(4);
    let whiteToPlay = false;
    replay(g, (b) => (whiteToPlay = b.toPlay === WHITE));
    expect(whiteToPlay).toBe(true);
  });

  it("places Fox's 6 and 7 stone handicaps (sides at K4/K16) when GTP's points do not replay", () => {
    const names = (g: Game): string[] =>
      g.setup.black.map((p) => `${'ABCDEFGHJKLMNOPQRST'[p % 19]}${19 - Math.floor(p / 19)}`).sort();
    // Fox: white plays Q10 and D10, so the side stones cannot be there.
    const fox = game('(;SZ[19]HA[6];W[pj];B[cc];W[dj])');
    expect(names(fox)).toEqual(['D16', 'D4', 'K16', 'K4', 'Q16', 'Q4']);
    // A game that fits GTP's placement keeps it.
    const gtp = game('(;SZ[19]HA[6];W[jd];B[cc];W[jp])');
    expect(names(gtp)).toEqual(['D10', 'D16', 'D4', 'Q10', 'Q16', 'Q4']);
  });

  it('skips bad records with a typed reason naming what is wrong', () => {
    const reason = (t: string, size: number | null = 19): string => {
      const r = readSgf(t, { size });
      return r.ok ? 'ok' : `${r.reason}: ${r.detail}`;
    };
    expect(reason('hello world')).toMatch(/^not-sgf/);
    expect(reason('')).toMatch(/^not-sgf/);
    expect(reason('\x00\x01\x02binary')).toMatch(/^not-sgf/);
    expect(reason('(;FF[4]SZ[19];B[pd];W[dd]')).toMatch(/^truncated/);
    expect(reason('(;FF[4]SZ[19];B[pd];W[d')).toMatch(/^truncated/);
    expect(reason('(;SZ[9];B[ee])')).toMatch(/^board-size: SZ\[9\], expected 19/);
    expect(reason('(;SZ[19:13];B[ee])', null)).toMatch(/^board-size.*not square/);
    expect(reason('(;SZ[19]PB[x])')).toMatch(/^no-moves/);
    expect(reason('(;SZ[19];B[];W[])')).toMatch(/^no-moves/);
    expect(reason('(;SZ[19]KM[abc];B[aa])')).toMatch(/^bad-property: KM\[abc\]/);
    expect(reason('(;SZ[19];B[pd];W[pd])')).toMatch(/^illegal-move: move 2: .*Q16: occupied/);
    expect(reason('(;SZ[19];B[zz])')).toMatch(/^illegal-move: move 1 \(B\[zz\]\)/);
    // Suicide: black fills its own last liberty in the corner.
    expect(reason('(;SZ[5]AW[ba][ab];B[aa])', 5)).toMatch(/^illegal-move: move 1: .*suicide/);
  });

  it('accepts other sizes when asked', () => {
    expect(game('(;SZ[9];B[ee];W[cc])', 9).moves).toHaveLength(2);
    expect(game('(;SZ[9];B[ee];W[cc])', null).size).toBe(9);
  });

  it('writes SGF that reads back to the same game', () => {
    const g = game('(;SZ[19]KM[650]HA[2]AB[dp][pd]RE[W+R]PB[\u65f6\u8d8a];W[dd];B[pp];W[];B[qq])');
    const text = gameToSgf(g);
    expect(text).toMatch(/^\(;GM\[1\]FF\[4\]CA\[UTF-8\]/);
    expect(text).toContain('KM[6.5]');
    const back = game(text);
    expect(back.moves).toEqual(g.moves);
    expect(back.setup).toEqual(g.setup);
    expect(back.komi).toBe(6.5);
    expect(back.result).toBe('W+R');
    expect(back.info.blackName).toBe('\u65f6\u8d8a');
  });
});

describe('positionBefore', () => {
  const g = game('(;GM[1]FF[4]SZ[19]HA[2]AB[dp][pd];W[dd];B[pp];W[qc])');

  it('gives the board before move n, with the colour that played there to move and its move', () => {
    const p = positionBefore(g, 2);
    expect(p.played).toBe('Q4');
    expect(p.board.toPlay).toBe(BLACK);
    expect(p.board.at(pt('D16'))).toBe(WHITE);
    expect(p.board.at(pt('Q4'))).toBe(0);
    expect(p.board.at(pt('D4'))).toBe(BLACK); // a handicap stone
  });

  it('defaults to after the last move, with nothing played', () => {
    const p = positionBefore(g);
    expect(p.played).toBeNull();
    expect(p.board.at(pt('R17'))).toBe(WHITE);
    expect(p.board.toPlay).toBe(BLACK);
  });

  it('names the game length when n is past the end', () => {
    expect(() => positionBefore(g, 5)).toThrow(/has 3 moves \(expected 1..4, got 5\)/);
    expect(() => positionBefore(g, 0)).toThrow(RangeError);
  });
});

describe('scan summary', () => {
  it('counts games, positions and skips by reason over a mixed batch without stopping', () => {
    const files: [string, string][] = [
      ['a.sgf', '(;SZ[19];B[pd];W[dd];B[])'],
      ['b.sgf', 'not a game'],
      ['c.sgf', '(;SZ[19];B[pd]'],
      ['d.sgf', '(;SZ[13];B[dd])'],
      ['e.sgf', '(;SZ[19];B[pd];W[pd])'],
      ['f.sgf', '(;SZ[19];B[aa];W[bb];B[cc])'],
    ];
    const s = emptySummary();
    for (const [name, text] of files) tally(s, name, readSgf(text));
    expect(s.files).toBe(6);
    expect(s.games).toBe(2);
    expect(s.positions).toBe(5);
    expect(s.skipped['not-sgf'].count).toBe(1);
    expect(s.skipped.truncated).toMatchObject({ count: 1, example: 'c.sgf' });
    expect(s.skipped['board-size'].count).toBe(1);
    expect(s.skipped['illegal-move'].count).toBe(1);
    expect(formatSummary(s)).toMatch(/^6 files: 2 games read, 5 positions, 4 skipped/);
  });
});
