// SGF records built to hurt: deep nesting, a huge comment, hundreds of thousands of passes, deep variations.
// Each is read or refused with a typed reason in well under a second and a few megabytes, never a stack overflow.
import { describe, expect, it } from 'vitest';
import { formatVertex } from '../src/board/index.js';
import { MAX_GAME_MOVES, readSgf } from '../src/sgf/read.js';
import { MAX_MAIN_LINE_NODES, parseMainLine } from '../src/sgf/parse.js';

function measured(text: string) {
  const rss = process.memoryUsage().rss;
  const t0 = performance.now();
  const result = readSgf(text);
  return { result, ms: performance.now() - t0, mb: (process.memoryUsage().rss - rss) / 2 ** 20 };
}

const why = (r: ReturnType<typeof readSgf>): string => (r.ok ? 'ok' : `${r.reason}: ${r.detail}`);

describe('hostile SGF', () => {
  it('100,000 nested "(" is not a game, said at once', () => {
    const { result, ms } = measured(`${'('.repeat(100_000)};${')'.repeat(100_000)}`);
    expect(why(result)).toBe('not-sgf: no game tree: expected "(;" at the start');
    expect(ms).toBeLessThan(500);
  });

  it('a valid game with a 5 MB comment is read (no stack overflow in the tokenizer)', () => {
    const { result, ms } = measured(`(;GM[1]SZ[19]C[${'x'.repeat(5_000_000)}];B[pd];W[dd])`);
    expect(why(result)).toBe('ok');
    if (result.ok) expect(result.game.moves.map((m) => formatVertex(m.move, 19))).toEqual(['Q16', 'D16']);
    expect(ms).toBeLessThan(3000);
  });

  it('400,000 passes are refused by the length of the main line, in bounded time and memory', () => {
    const { result, ms, mb } = measured(`(;GM[1]SZ[19]${';B[];W[]'.repeat(200_000)})`);
    expect(why(result)).toBe(`too-long: more than ${MAX_MAIN_LINE_NODES} nodes on the main line`);
    expect(ms).toBeLessThan(1000);
    expect(mb).toBeLessThan(100);
  });

  it(`more than ${MAX_GAME_MOVES} moves is too long for a game`, () => {
    const { result } = measured(`(;GM[1]SZ[19];B[pd]${';W[];B[]'.repeat(MAX_GAME_MOVES / 2)})`);
    expect(why(result)).toBe(`too-long: ${MAX_GAME_MOVES + 1} moves; a game has at most ${MAX_GAME_MOVES}`);
  });

  it('variations nested 100,000 deep beside a short main line: the main line is read', () => {
    const deep = `${'(;W[dp]'.repeat(100_000)}${')'.repeat(100_000)}`;
    const { result, ms } = measured(`(;GM[1]SZ[19];B[pd](;W[dd];B[pp])${deep})`);
    expect(why(result)).toBe('ok');
    if (result.ok) expect(result.game.moves.map((m) => formatVertex(m.move, 19))).toEqual(['Q16', 'D16', 'Q4']);
    expect(ms).toBeLessThan(2000);
  });

  it('follows the first variation at each branching, unescapes values and drops FF[3] lower-case letters', () => {
    const r = parseMainLine('(;SZ[19]C[a\\]b\\\nc]PlayerBlack[x];B[aa](;W[bb](;B[cc])(;B[dd]))(;W[ee]))');
    expect(r.ok && r.nodes.map((n) => n.data)).toEqual([
      { SZ: ['19'], C: ['a]bc'], PB: ['x'] },
      { B: ['aa'] },
      { W: ['bb'] },
      { B: ['cc'] },
    ]);
  });

  it('cut-off records are "truncated", naming what is open', () => {
    expect(why(readSgf('(;SZ[19];B[pd];W[dd]'))).toBe('truncated: 1 unclosed "(" at the end of the file');
    expect(why(readSgf('(;SZ[19];B[pd];C[a long comm'))).toBe('truncated: an unclosed "[" at the end of the file');
  });
});
