// Positions for the search tests: a 19x19 board already played out (black owns columns A-K, white
// L-T, every chain alive with many one-point eyes), with small windows drawn in by hand where the
// fight is. Nothing outside the windows can change, so a playout's result depends on the fight alone.
import { BLACK, Board, WHITE, type Player } from '../src/board/index.js';

/** A window: rows of X, O and . drawn with the top-left corner at (row r0, column c0). */
export type Window = readonly [rows: readonly string[], r0: number, c0: number];

/** The filled board with `window` drawn at (r0, c0), and any `more` windows. */
export function filledBoard(
  window: readonly string[],
  r0: number,
  c0: number,
  toPlay: Player,
  more: readonly Window[] = [],
): Board {
  const n = 19;
  const windows = [[window, r0, c0] as const, ...more].map(([rows, wr, wc]) => ({
    rows: rows.map((r) => r.replace(/\s/g, '')),
    wr,
    wc,
  }));
  const windowAt = (r: number, c: number): { rows: string[]; wr: number; wc: number } | undefined =>
    windows.find((w) => r >= w.wr && r < w.wr + w.rows.length && c >= w.wc && c < w.wc + w.rows[0]!.length);
  const inWindow = (r: number, c: number): boolean => windowAt(r, c) !== undefined;
  const side = (c: number): Player => (c < 10 ? BLACK : WHITE);
  const black: number[] = [];
  const white: number[] = [];
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      let colour: Player | 0;
      const w = windowAt(r, c);
      if (w) {
        const ch = w.rows[r - w.wr]![c - w.wc];
        colour = ch === 'X' ? BLACK : ch === 'O' ? WHITE : 0;
      } else {
        // An eye on every third point of every third row, where all four neighbours are the same side's stones.
        let eye = r % 3 === 1 && c % 3 === 1;
        for (const [dr, dc] of [
          [-1, 0],
          [1, 0],
          [0, -1],
          [0, 1],
        ] as const) {
          const rr = r + dr;
          const cc = c + dc;
          if (rr >= 0 && cc >= 0 && rr < n && cc < n && (inWindow(rr, cc) || side(cc) !== side(c))) eye = false;
        }
        colour = eye ? 0 : side(c);
      }
      if (colour === BLACK) black.push(r * n + c);
      else if (colour === WHITE) white.push(r * n + c);
    }
  }
  const b = new Board(n, { koRule: 'positional-superko' });
  b.setup(BLACK, black);
  b.setup(WHITE, white);
  b.toPlay = toPlay;
  return b;
}
