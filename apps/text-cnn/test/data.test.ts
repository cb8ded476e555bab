import { describe, expect, it } from 'vitest';
import {
  BENCHMARKS,
  batchOrder,
  fetchBenchmark,
  foldAssignment,
  holdOut,
  loadBenchmark,
  padBatch,
  parseDelimited,
  parseLabelFirst,
  protocolSplits,
  sha256,
  verify,
  type Encoded,
} from '../src/data/index.js';

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('label-first files', () => {
  it('keeps good lines and skips, counts and reports empty lines, unknown labels and bad encodings', () => {
    const file = bytes(
      '1 a fine film\n',
      '\n',
      '7 what label is this\n',
      '0 bad ',
      [0xe9, 0x74, 0xe9],
      '\n',
      '0\n',
      '0 ok then\r\n',
    );
    const { examples, report } = parseLabelFirst(file, 'mr.txt', { labels: ['0', '1'], encoding: 'utf8' });
    expect(examples.map((e) => [e.label, e.text])).toEqual([
      ['1', 'a fine film'],
      ['0', 'ok then'],
    ]);
    expect(examples[1]?.source).toBe('mr.txt:6');
    expect(report).toMatchObject({ lines: 6, kept: 2, empty: 2, unknownLabel: 1, badEncoding: 1 });
    expect(report.samples.join('\n')).toMatch(/mr\.txt:3: label '7' is not one of 0, 1/);
    expect(report.samples.join('\n')).toMatch(/mr\.txt:4: not UTF-8/);
  });

  it('reads Latin-1 lines (as in MR and Subj) in auto mode and counts them', () => {
    const { examples, report } = parseLabelFirst(bytes('0 caf', [0xe9], ' noir\n'), 'f');
    expect(examples[0]?.text).toBe('café noir');
    expect(report.latin1).toBe(1);
  });

  it('skips lines with control characters even in auto mode', () => {
    const { report } = parseLabelFirst(bytes('0 bin', [0x00, 0x01], 'ary\n1 fine\n'), 'f');
    expect(report).toMatchObject({ kept: 1, badEncoding: 1 });
  });
});

describe('CSV and TSV', () => {
  it('reads named columns with quoting and skips empty and unknown-label rows', () => {
    const csv = 'id,text,label\n1,"good, really good",pos\n2,,neg\n3,"bad ""bad"" film",neg\n4,meh,maybe\n';
    const { examples, report } = parseDelimited(bytes(csv), 'r.csv', {
      textColumn: 'text',
      labelColumn: 'label',
      labels: ['pos', 'neg'],
    });
    expect(examples.map((e) => [e.label, e.text])).toEqual([
      ['pos', 'good, really good'],
      ['neg', 'bad "bad" film'],
    ]);
    expect(report).toMatchObject({ lines: 4, kept: 2, empty: 1, unknownLabel: 1 });
  });

  it('reads TSV by column index without a header, and names a missing column', () => {
    const { examples } = parseDelimited(bytes('pos\tnice one\nneg\tawful\n'), 'r.tsv', {
      textColumn: '1',
      labelColumn: '0',
    });
    expect(examples.map((e) => e.label)).toEqual(['pos', 'neg']);
    expect(() => parseDelimited(bytes('a,b\n1,2\n'), 'r.csv', { textColumn: 'text', labelColumn: 'b' })).toThrow(
      /r\.csv:1: --text-column 'text' is not a column \(columns: a, b\)/,
    );
  });
});

describe('splits', () => {
  it('10-fold CV: every item in exactly one fold, folds within one of each other in size', () => {
    const folds = foldAssignment(103, 10, 7);
    const sizes = Array.from({ length: 10 }, (_, f) => folds.filter((x) => x === f).length);
    expect(sizes.reduce((a, b) => a + b)).toBe(103);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect([...foldAssignment(103, 10, 7)]).toEqual([...folds]);
    expect([...foldAssignment(103, 10, 8)]).not.toEqual([...folds]);
  });

  it('holds out 10% for dev, disjoint from the rest', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const { kept, held } = holdOut(items, 0.1, 3);
    expect(held).toHaveLength(5);
    expect([...kept, ...held].sort((a, b) => a - b)).toEqual(items);
  });

  it("Kim's protocol: CV folds for MR (test folds disjoint), given splits plus a 10% dev for TREC", async () => {
    const mr = Array.from({ length: 100 }, (_, i) => `${i % 2} sentence number ${i}`).join('\n');
    const loaded = await loadBenchmark(BENCHMARKS.MR, async (name) => ({ path: name, bytes: bytes(mr) }));
    const splits = protocolSplits(loaded, 1);
    expect(splits).toHaveLength(10);
    const tests = splits.flatMap((s) => s.test.map((e) => e.text));
    expect(new Set(tests).size).toBe(100);
    for (const s of splits) {
      expect(s.train.length + s.dev.length + s.test.length).toBe(100);
      expect(s.dev).toHaveLength(9);
    }
    const trec = await loadBenchmark(BENCHMARKS.TREC, async (name) => ({
      path: name,
      bytes: bytes(
        name.includes('train')
          ? Array.from({ length: 40 }, (_, i) => `${i % 6} q ${i} ?`).join('\n')
          : '5 What is it ?\n',
      ),
    }));
    const [t] = protocolSplits(trec, 1);
    expect(t?.dev).toHaveLength(4);
    expect(t?.train).toHaveLength(36);
    expect(t?.test).toHaveLength(1);
  });
});

describe('batches', () => {
  it("pads h_max - 1 in front and at least h_max behind, as long as the batch's longest sentence", () => {
    const { data, shape } = padBatch([Int32Array.from([5, 6]), Int32Array.from([7])], 5);
    expect(shape).toEqual([2, 2 + 4 + 5]);
    expect([...data.subarray(0, 11)]).toEqual([0, 0, 0, 0, 5, 6, 0, 0, 0, 0, 0]);
    expect([...data.subarray(11)]).toEqual([0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0]);
  });

  it('every example once per epoch; buckets of similar length; same seed same order', () => {
    const items: Encoded[] = Array.from({ length: 230 }, (_, i) => ({
      ids: new Int32Array(1 + ((i * 37) % 50)),
      label: i % 2,
    }));
    const order = batchOrder(items, 0, 10, 1, true, true);
    expect(order.flat().sort((a, b) => a - b)).toEqual(items.map((_, i) => i));
    expect(batchOrder(items, 0, 10, 1, true, true)).toEqual(order);
    expect(batchOrder(items, 1, 10, 1, true, true)).not.toEqual(order);
    // Within a batch the lengths are close: sorted pools of 200 cut into batches of 10.
    const spread = (b: number[]) =>
      Math.max(...b.map((i) => items[i]!.ids.length)) - Math.min(...b.map((i) => items[i]!.ids.length));
    const mean = order.reduce((a, b) => a + spread(b), 0) / order.length;
    expect(mean).toBeLessThan(10);
  });

  it('unshuffled and bucketed (evaluation): the whole set sorted by length, ties in file order', () => {
    const items: Encoded[] = [3, 1, 2, 1, 5, 2, 4].map((n, i) => ({ ids: new Int32Array(n), label: i % 2 }));
    expect(batchOrder(items, 0, 3, 1, false, true)).toEqual([[1, 3, 2], [5, 0, 6], [4]]);
    expect(batchOrder(items, 0, 3, 1, false, false)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });
});

describe('data fetch', () => {
  it('saves only files whose sha256 matches, and says what failed offline', async () => {
    const saved: string[] = [];
    const good = bytes('0 x\n');
    expect(() => verify('subj.all', 'u', good)).toThrow(/checksum mismatch: expected sha256 f3ffbe2a.*got/);
    await expect(
      fetchBenchmark(BENCHMARKS.Subj, {
        download: async () => good,
        save: async (n) => (saved.push(n), n),
        log: () => {},
      }),
    ).rejects.toThrow(/subj\.all: checksum mismatch/);
    expect(saved).toEqual([]);
    await expect(
      fetchBenchmark(BENCHMARKS.MR, {
        download: async () => {
          throw new Error('getaddrinfo ENOTFOUND raw.githubusercontent.com');
        },
        save: async (n) => n,
        log: () => {},
      }),
    ).rejects.toThrow(/rt-polarity\.all: download failed \(getaddrinfo ENOTFOUND.*offline\?/);
    expect(sha256(bytes('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
