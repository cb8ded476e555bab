import { describe, expect, it } from 'vitest';
import {
  collectRowsGathered,
  collectingRowsGathered,
  mergePatches,
  nonZeroRows,
  nonZeroRowsAmong,
  noteRowsGathered,
  tableGradient,
} from '../src/train/rows.js';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/index.js';

// A 7 x width table with values only where `cells` says (row, column, value).
function table(width: number, cells: [number, number, number][], rows = 7): Float32Array {
  const t = new Float32Array(rows * width);
  for (const [r, c, v] of cells) t[r * width + c] = v;
  return t;
}

describe('nonZeroRowsAmong', () => {
  it('is nonZeroRows read only at the candidate rows (in any order, repeated), whenever they hold every non-zero row', () => {
    const t = table(5, [
      [1, 0, 0.5],
      [3, 4, -2],
      [6, 2, 3],
    ]);
    const among = nonZeroRowsAmong(t, 5, [6, 3, 3, 0, 1, 6]);
    const full = nonZeroRows(t, 5);
    expect(Array.from(among.rows)).toEqual(Array.from(full.rows));
    expect(Array.from(among.values)).toEqual(Array.from(full.values));
    // A non-zero row left out of the candidates is not seen: the caller promises they are complete.
    expect(Array.from(nonZeroRowsAmong(t, 5, [1, 3]).rows)).toEqual([1, 3]);
    expect(() => nonZeroRowsAmong(t, 5, [7])).toThrow('row 7 is outside the table (7 rows)');
  });

  it('collects the rows layers note only inside collectRowsGathered, by variable, nested runs apart', () => {
    noteRowsGathered('table', Int32Array.from([1]));
    expect(collectingRowsGathered()).toBe(false);
    const { result, rows } = collectRowsGathered(() => {
      noteRowsGathered('table', Int32Array.from([4, 2]));
      const inner = collectRowsGathered(() => noteRowsGathered('other', Int32Array.from([9])));
      noteRowsGathered('table', Int32Array.from([2, 7]));
      return inner.rows;
    });
    expect([...rows.entries()].map(([k, v]) => [k, v.map((a) => Array.from(a))])).toEqual([
      [
        'table',
        [
          [4, 2],
          [2, 7],
        ],
      ],
    ]);
    expect([...result.keys()]).toEqual(['other']);
    expect(collectingRowsGathered()).toBe(false);
  });
});

describe('tableGradient', () => {
  it('equals unsortedSegmentSum at every row any lookup of the table noted; writes the whole table unless read by rows', async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    const dy = tf.tensor2d(
      Float32Array.from({ length: 6 * 3 }, (_, i) => i - 7.5),
      [6, 3],
    );
    const first = tf.tensor1d([4, 0, 4], 'int32');
    const second = tf.tensor1d([9, 4, 2], 'int32');
    const ids = tf.concat1d([first, second]);
    const full = tf.unsortedSegmentSum(dy, ids, 12).arraySync();
    const run = (byRows: string[]) =>
      collectRowsGathered(() => {
        noteRowsGathered('t', first.dataSync() as Int32Array);
        noteRowsGathered('t', second.dataSync() as Int32Array);
        const g = tableGradient(dy, ids, 12, 't');
        const values = g.arraySync();
        g.dispose();
        return values;
      }, new Set(byRows)).result;
    for (const r of [0, 2, 4, 9]) expect(run(['t'])[r]).toEqual(full[r]);
    expect(run([])).toEqual(full);
    // Outside a collection, or for a table nobody noted: the plain sum.
    expect(tableGradient(dy, ids, 12, 't').arraySync()).toEqual(full);
    tf.dispose([dy, first, second, ids]);
  });
});

describe('nonZeroRows', () => {
  it('finds a row by any single non-zero value, in either float of a pair, and copies its values out', () => {
    for (const width of [6, 5]) {
      const cells: [number, number, number][] = [
        [1, 0, 0.5],
        [3, width - 1, -2],
        [4, 1, 1e-40],
        [6, 2, 3],
      ];
      const t = table(width, cells);
      const p = nonZeroRows(t, width);
      expect(Array.from(p.rows)).toEqual([1, 3, 4, 6]);
      expect(Array.from(p.values.subarray(width, 2 * width))).toEqual(Array.from(t.subarray(3 * width, 4 * width)));
      t[3 * width + width - 1] = 7;
      expect(p.values[2 * width - 1]).toBe(-2);
    }
  });

  it('keeps NaN and infinite rows and skips all-zero rows', () => {
    const t = table(4, [
      [0, 1, NaN],
      [2, 0, -0],
      [2, 1, -0],
      [5, 3, Infinity],
    ]);
    const rows = Array.from(nonZeroRows(t, 4).rows);
    expect(rows).toContain(0);
    expect(rows).toContain(5);
    expect(rows).not.toContain(1);
    expect(rows).not.toContain(3);
  });

  it('reads a table that starts at an odd float offset in its buffer', () => {
    const backing = new Float32Array(1 + 7 * 6);
    const t = backing.subarray(1);
    t[2 * 6 + 5] = 1;
    expect(Array.from(nonZeroRows(t, 6).rows)).toEqual([2]);
  });

  it('refuses a width that does not divide the table', () => {
    expect(() => nonZeroRows(new Float32Array(10), 4)).toThrow(/10 values does not split into rows of 4/);
  });
});

describe('mergePatches', () => {
  it('adds scaled rows, each row once', () => {
    const a = { rows: Int32Array.from([2, 5]), values: Float32Array.from([1, 1, 2, 2]) };
    const b = { rows: Int32Array.from([5, 0]), values: Float32Array.from([4, 4, 8, 8]) };
    const m = mergePatches(
      [
        { patch: a, scale: 0.5 },
        { patch: b, scale: 0.25 },
      ],
      2,
    );
    expect(Array.from(m.rows)).toEqual([2, 5, 0]);
    expect(Array.from(m.values)).toEqual([0.5, 0.5, 2, 2, 2, 2]);
  });
});
