// bench-paper's table: runs found in folders, gathered into Kim's cells; what was not run says so.
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  collectRuns,
  formatLeftOut,
  formatPaperTable,
  generalCommand,
  meanStd,
  tableCells,
} from '../src/experiments/bench-paper.js';

const root = mkdtempSync(join(tmpdir(), 'text-cnn-bench-'));

/** A run's metadata.json in `base`/`dir`, saved `ageSeconds` ago. */
function writeRun(base: string, dir: string, fields: Record<string, unknown>, ageSeconds = 0): void {
  const folder = join(base, dir);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'metadata.json');
  writeFileSync(file, JSON.stringify({ app: 'text-cnn', classes: ['0', '1'], tokenizer: 'kim', ...fields }));
  const t = Date.now() / 1000 - ageSeconds;
  utimesSync(file, t, t);
}

function run(dir: string, fields: Record<string, unknown>, ageSeconds = 0): void {
  writeRun(root, dir, fields, ageSeconds);
}

const protocol = { epochs: 25, patience: 4, batchSize: 50 };
for (const [fold, acc] of [
  [0, 0.8],
  [1, 0.82],
  [2, 0.78],
] as const)
  run(
    `mr/f${fold}`,
    {
      split: { set: 'MR', fold, seed: 1 },
      variant: 'non-static',
      embeddings: 'glove-100d',
      vectorWords: 20000,
      vectorScale: 'word2vec',
      testAccuracy: acc,
      protocol,
      command: `pnpm --filter text-cnn train --set MR --fold ${fold} --variant non-static --embeddings glove-100d --epochs 25 --patience 4 --seed 1 --model-dir runs/x${fold} --json`,
    },
    60,
  );
// The same fold again, older: the newer one counts.
run(
  'old/f1',
  {
    split: { set: 'MR', fold: 1, seed: 1 },
    variant: 'non-static',
    embeddings: 'glove-100d',
    vectorWords: 20000,
    vectorScale: 'word2vec',
    testAccuracy: 0.5,
    protocol,
  },
  3600,
);
// A run saved before --vector-scale existed (the vectors as published): another protocol, named in its command.
// As many runs as the rescaled ones, and newer: the table still shows the runs made as train makes them today.
for (const fold of [4, 5, 6])
  run(`unscaled/f${fold}`, {
    split: { set: 'MR', fold, seed: 1 },
    variant: 'non-static',
    embeddings: 'glove-100d',
    vectorWords: 20000,
    testAccuracy: 0.7,
    protocol,
  });
run('unscaled/subj', {
  split: { set: 'Subj', fold: 0, seed: 1 },
  variant: 'static',
  embeddings: 'glove-100d',
  vectorWords: 20000,
  testAccuracy: 0.9,
  protocol,
  command: 'pnpm --filter text-cnn train --set Subj --fold 0 --variant static --embeddings glove-100d',
});
// TREC, three seeds of rand; and one run under other settings, not mixed in.
for (const seed of [1, 2, 3])
  run(`trec/s${seed}`, {
    split: { set: 'TREC', seed },
    testAccuracy: 0.9 + seed / 100,
    protocol,
    command: `pnpm --filter text-cnn train --set TREC --seed ${seed}`,
  });
run('trec/short', { split: { set: 'TREC', seed: 9 }, testAccuracy: 0.5, protocol: { epochs: 1, patience: null } });
// Not part of the table: a user's file, a capped vocabulary, a run not finished (no test accuracy yet).
run('mine', { split: { dataFile: '/x.txt', seed: 1 }, testAccuracy: 0.99 });
run('capped', { split: { set: 'MR', fold: 0, seed: 1 }, testAccuracy: 0.7, protocol: { ...protocol, maxVocab: 4000 } });
run('running', { split: { set: 'Subj', fold: 0, seed: 1 } });
// A run below another run's folder (bench-paper --run nests them) is found too.
run('trec/s1/inner', {
  split: { set: 'SST-2', seed: 1, phrases: true },
  variant: 'rand',
  testAccuracy: 0.8,
  protocol: { epochs: 8, patience: 2 },
});

describe('bench-paper', () => {
  it('finds finished runs on the sets, and says which it left out and which are not finished', () => {
    const { runs, leftOut, unfinished } = collectRuns(root);
    expect(runs).toHaveLength(3 + 1 + 4 + 3 + 1 + 1);
    expect(leftOut).toEqual([{ dir: 'capped', why: 'a capped vocabulary (--max-vocab)' }]);
    // A user's file is neither a table run nor an unfinished one.
    expect(unfinished).toEqual(['running']);
  });

  it('gathers cells: the newest run of each fold or seed, one protocol per cell, nothing filled in', () => {
    const cells = tableCells(collectRuns(root).runs);
    expect(cells).toHaveLength(20);
    const mr = cells.find((c) => c.set === 'MR' && c.variant === 'non-static');
    expect(mr?.runs.map((r) => r.testAccuracy)).toEqual([0.8, 0.82, 0.78]);
    expect(mr?.mean).toBeCloseTo(0.8, 10);
    expect(mr?.std).toBeCloseTo(meanStd([0.8, 0.82, 0.78]).std, 10);
    expect(mr).toMatchObject({ wanted: 10, over: 'fold', kim: 81.5, otherRuns: 4 });
    expect(mr?.command).toBe(
      'pnpm --filter text-cnn train --set MR --fold <n> --variant non-static --embeddings glove-100d --epochs 25 --patience 4 --seed 1',
    );
    const trec = cells.find((c) => c.set === 'TREC' && c.variant === 'rand');
    expect(trec?.runs).toHaveLength(3);
    expect(trec).toMatchObject({
      otherRuns: 1,
      wanted: 3,
      command: 'pnpm --filter text-cnn train --set TREC --seed <n>',
    });
    expect(cells.find((c) => c.set === 'Subj' && c.variant === 'rand')?.runs).toHaveLength(0);
    expect(cells.find((c) => c.set === 'Subj' && c.variant === 'static')?.command).toBe(
      'pnpm --filter text-cnn train --set Subj --fold <n> --variant static --embeddings glove-100d --vector-scale none',
    );

    const text = formatPaperTable(cells);
    expect(text).toMatch(
      /CNN-non-static \(ours\)\s+80\.0 ± 2\.0 \(3 of 10 folds\)\s+not run\s+not run\s+not run\s+not run/,
    );
    expect(text).toMatch(
      /CNN-rand \(ours\)\s+not run\s+not run\s+80\.0 \(1 of 3 seeds\)\s+not run\s+92\.0 ± 1\.0 \(3 seeds\)/,
    );
    expect(text).toMatch(/CNN-multichannel \(Kim 2014\)\s+81\.1\s+47\.4\s+88\.1\s+93\.2\s+92\.2/);
    expect(text).toMatch(/CNN-rand SST-2, trained on phrases:\n {2}\(no command recorded\)/);
    expect(text).toMatch(/CNN-rand TREC \(1 other runs under other settings not counted\)/);
  });

  it('writes a command for every fold or seed, without the flags that do not change the result', () => {
    expect(
      generalCommand('pnpm --filter text-cnn train --set TREC --seed 3 --json --model-dir /tmp/x --resume', 'seed'),
    ).toBe('pnpm --filter text-cnn train --set TREC --seed <n>');
  });
});

describe('bench-paper and --vector-aliases', () => {
  // MR non-static on the default scale: folds 0-1 saved before the flag existed (no field), fold 2 without aliases
  // (false), folds 0-2 with aliases (newer, other accuracies).
  const aliasRoot = mkdtempSync(join(tmpdir(), 'text-cnn-bench-alias-'));
  const put = (dir: string, fold: number, acc: number, aliases: boolean | undefined, ageSeconds: number) => {
    const flag = aliases ? ' --vector-aliases' : '';
    writeRun(
      aliasRoot,
      dir,
      {
        split: { set: 'MR', fold, seed: 1 },
        variant: 'non-static',
        embeddings: 'glove-100d',
        vectorWords: 20000,
        vectorScale: 'word2vec',
        ...(aliases === undefined ? {} : { vectorAliases: aliases }),
        testAccuracy: acc,
        protocol,
        command: `pnpm --filter text-cnn train --set MR --fold ${fold} --variant non-static --embeddings glove-100d --epochs 25 --patience 4 --seed 1${flag} --model-dir runs/${dir} --json`,
      },
      ageSeconds,
    );
  };
  put('plain-f0', 0, 0.8, undefined, 600);
  put('plain-f1', 1, 0.79, undefined, 600);
  put('plain-f2', 2, 0.78, false, 600);
  put('alias-f0', 0, 0.81, true, 60);
  put('alias-f1', 1, 0.8, true, 60);
  put('alias-f2', 2, 0.7, true, 60);

  it('reads runs without the field as without aliases', () => {
    const { runs } = collectRuns(aliasRoot);
    const byDir = Object.fromEntries(runs.map((r) => [r.dir, r.vectorAliases]));
    expect(byDir).toEqual({
      'plain-f0': false,
      'plain-f1': false,
      'plain-f2': false,
      'alias-f0': true,
      'alias-f1': true,
      'alias-f2': true,
    });
  });

  it('keeps runs with and without aliases apart; with as many of each, the default (without) is shown', () => {
    const runs = collectRuns(aliasRoot).runs;
    const mr = tableCells(runs).find((c) => c.set === 'MR' && c.variant === 'non-static');
    // The newer aliased runs neither replace the folds nor mix into the mean.
    expect(mr?.runs.map((r) => r.dir)).toEqual(['plain-f0', 'plain-f1', 'plain-f2']);
    expect(mr?.mean).toBeCloseTo(0.79, 10);
    expect(mr?.otherRuns).toBe(3);
    expect(mr?.command).not.toMatch(/--vector-aliases/);
    expect(formatPaperTable(tableCells(runs))).toMatch(
      /CNN-non-static MR, vectors glove-100d \(3 other runs under other settings not counted\):\n/,
    );

    // One more aliased fold: that protocol now has the most runs, and its command and note say so.
    put('alias-f3', 3, 0.77, true, 30);
    const cells = tableCells(collectRuns(aliasRoot).runs);
    const more = cells.find((c) => c.set === 'MR' && c.variant === 'non-static');
    expect(more?.runs.map((r) => r.dir)).toEqual(['alias-f0', 'alias-f1', 'alias-f2', 'alias-f3']);
    expect(more?.mean).toBeCloseTo(0.77, 10);
    expect(more?.otherRuns).toBe(3);
    expect(more?.command).toBe(
      'pnpm --filter text-cnn train --set MR --fold <n> --variant non-static --embeddings glove-100d --epochs 25 --patience 4 --seed 1 --vector-aliases',
    );
    expect(formatPaperTable(cells)).toMatch(
      /CNN-non-static MR, vectors glove-100d with stand-ins for the words they lack \(3 other runs/,
    );
  });
});

describe('bench-paper between protocols run in full', () => {
  // Subj non-static, all ten folds under two vector scales: the rescaled runs do better on test but worse on dev.
  const devRoot = mkdtempSync(join(tmpdir(), 'text-cnn-bench-dev-'));
  const put = (scale: string, fold: number, dev: number | null, test: number) =>
    writeRun(devRoot, `${scale}-f${fold}`, {
      split: { set: 'Subj', fold, seed: 1 },
      variant: 'non-static',
      embeddings: 'glove-100d',
      vectorWords: 20000,
      vectorScale: scale,
      testAccuracy: test,
      protocol,
      bestEpoch: 2,
      history: {
        epochs: [
          { epoch: 1, valAccuracy: 0.5 },
          { epoch: 2, ...(dev === null ? {} : { valAccuracy: dev }) },
        ],
        bestEpoch: 2,
      },
      command: `pnpm --filter text-cnn train --set Subj --fold ${fold} --variant non-static --embeddings glove-100d --seed 1 --vector-scale ${scale} --json`,
    });
  for (let fold = 0; fold < 10; fold++) {
    put('word2vec', fold, 0.91, 0.93);
    put('none', fold, 0.92, 0.9);
  }

  it('reads the dev accuracy of the epoch kept', () => {
    const run = collectRuns(devRoot).runs.find((r) => r.dir === 'none-f3');
    expect(run?.devAccuracy).toBe(0.92);
  });

  it('shows the protocol with the best mean dev accuracy, whatever its test accuracy, and says so', () => {
    const cells = tableCells(collectRuns(devRoot).runs);
    const subj = cells.find((c) => c.set === 'Subj' && c.variant === 'non-static');
    expect(subj?.runs.every((r) => r.vectorScale === 'none')).toBe(true);
    expect(subj?.mean).toBeCloseTo(0.9, 10);
    expect(subj?.onDev).toEqual({ protocols: 2, dev: expect.closeTo(0.92, 10), next: expect.closeTo(0.91, 10) });
    expect(formatPaperTable(cells)).toMatch(
      /\(10 other runs under other settings not counted; of 2 protocols run in full, the best on dev \(92\.0 against 91\.0\)\)/,
    );
    expect(subj?.command).toMatch(/--vector-scale none$/);
  });

  it('ranks a protocol whose runs lack a dev accuracy below one with it', () => {
    put('none', 4, null, 0.9);
    const subj = tableCells(collectRuns(devRoot).runs).find((c) => c.set === 'Subj' && c.variant === 'non-static');
    expect(subj?.runs.every((r) => r.vectorScale === 'word2vec')).toBe(true);
  });
});

describe('bench-paper with the ten folds drawn by several seeds', () => {
  // MR non-static: seeds 1 and 2 with all ten folds each (repeated cross-validation), seed 3 with two folds only.
  const cvRoot = mkdtempSync(join(tmpdir(), 'text-cnn-bench-cv-'));
  const put = (seed: number, fold: number, test: number) =>
    writeRun(cvRoot, `s${seed}-f${fold}`, {
      split: { set: 'MR', fold, seed },
      variant: 'non-static',
      embeddings: 'glove-100d',
      vectorWords: 20000,
      vectorScale: 'word2vec',
      testAccuracy: test,
      protocol,
      command: `pnpm --filter text-cnn train --set MR --fold ${fold} --variant non-static --embeddings glove-100d --seed ${seed} --json`,
    });
  for (let fold = 0; fold < 10; fold++) {
    put(1, fold, 0.78);
    put(2, fold, 0.8);
  }
  put(3, 0, 0.5);
  put(3, 1, 0.5);

  it('counts every run of the seeds with all ten folds, leaves a partial seed out, and says so', () => {
    const cells = tableCells(collectRuns(cvRoot).runs);
    const mr = cells.find((c) => c.set === 'MR' && c.variant === 'non-static');
    expect(mr?.runs).toHaveLength(20);
    expect(mr?.repeats).toBe(2);
    expect(mr?.mean).toBeCloseTo(0.79, 10);
    expect(mr?.runs.some((r) => r.seed === 3)).toBe(false);
    expect(mr?.command).toBe(
      'pnpm --filter text-cnn train --set MR --fold <n> --variant non-static --embeddings glove-100d --seed <s>',
    );
    const table = formatPaperTable(cells);
    expect(table).toMatch(/79\.0 ± 1\.0 \(10 folds x 2 seeds\)/);
    expect(table).toMatch(/<s> for each seed that draws the folds/);
  });

  it('compares protocols on dev over the seeds they share, not over more runs of one', () => {
    // Aliases: seeds 1-3, dev 0.8 on seed 1's folds and 0.7 on the others; no aliases: seed 1 only, dev 0.79.
    const devRoot = mkdtempSync(join(tmpdir(), 'text-cnn-bench-cvdev-'));
    const put = (aliases: boolean, seed: number, fold: number, dev: number) =>
      writeRun(devRoot, `${aliases ? 'a' : 'p'}-s${seed}-f${fold}`, {
        split: { set: 'MR', fold, seed },
        variant: 'non-static',
        embeddings: 'glove-100d',
        vectorWords: 20000,
        vectorScale: 'word2vec',
        vectorAliases: aliases,
        testAccuracy: aliases ? 0.79 : 0.8,
        protocol,
        bestEpoch: 1,
        history: { epochs: [{ epoch: 1, valAccuracy: dev }], bestEpoch: 1 },
      });
    for (let fold = 0; fold < 10; fold++) {
      for (const seed of [1, 2, 3]) put(true, seed, fold, seed === 1 ? 0.8 : 0.7);
      put(false, 1, fold, 0.79);
    }
    const mr = tableCells(collectRuns(devRoot).runs).find((c) => c.set === 'MR' && c.variant === 'non-static');
    expect(mr?.runs.every((r) => r.vectorAliases === true)).toBe(true);
    expect(mr?.repeats).toBe(3);
    expect(mr?.onDev).toEqual({ protocols: 2, dev: expect.closeTo(0.8, 10), next: expect.closeTo(0.79, 10) });
  });

  it('counts a draw only when its seed has all ten folds, however many partial runs there are', () => {
    const partRoot = mkdtempSync(join(tmpdir(), 'text-cnn-bench-cvpart-'));
    for (const seed of [1, 2, 3])
      for (let fold = 0; fold < 7; fold++)
        writeRun(partRoot, `s${seed}-f${fold}`, { split: { set: 'MR', fold, seed }, testAccuracy: 0.76, protocol });
    const mr = tableCells(collectRuns(partRoot).runs).find((c) => c.set === 'MR' && c.variant === 'rand');
    expect(mr?.runs).toHaveLength(21);
    expect(mr?.repeats).toBe(1);
  });

  it('with one seed complete, is the plain ten-fold cell', () => {
    const oneRoot = mkdtempSync(join(tmpdir(), 'text-cnn-bench-cv1-'));
    for (let fold = 0; fold < 10; fold++)
      writeRun(oneRoot, `f${fold}`, {
        split: { set: 'MR', fold, seed: 1 },
        testAccuracy: 0.76,
        protocol,
        command: `pnpm --filter text-cnn train --set MR --fold ${fold} --seed 1`,
      });
    writeRun(oneRoot, 's2-f0', { split: { set: 'MR', fold: 0, seed: 2 }, testAccuracy: 0.1, protocol });
    const cells = tableCells(collectRuns(oneRoot).runs);
    const mr = cells.find((c) => c.set === 'MR' && c.variant === 'rand');
    expect(mr?.runs).toHaveLength(10);
    expect(mr?.repeats).toBe(1);
    expect(mr?.mean).toBeCloseTo(0.76, 10);
    expect(mr?.command).toBe('pnpm --filter text-cnn train --set MR --fold <n> --seed 1');
    expect(formatPaperTable(cells)).toMatch(/76\.0 ± 0\.0 \(10 folds\)/);
    expect(formatPaperTable(cells)).not.toMatch(/<s>/);
  });
});

describe('bench-paper and --embedding-dim', () => {
  it("names runs whose rows are not Kim's variant's width and keeps them out of the cell", () => {
    const wideRoot = mkdtempSync(join(tmpdir(), 'text-cnn-bench-wide-'));
    const put = (dir: string, width: number | undefined, seed: number, test: number) =>
      writeRun(wideRoot, dir, {
        split: { set: 'SST-1', seed, phrases: true },
        variant: 'non-static',
        embeddings: 'glove-100d',
        vectorWords: 20000,
        vectorScale: 'word2vec',
        testAccuracy: test,
        protocol: { ...protocol, ...(width === undefined ? {} : { embeddingDim: width }) },
      });
    for (const seed of [1, 2, 3]) {
      put(`own-s${seed}`, undefined, seed, 0.44);
      put(`wide-s${seed}`, 300, seed, 0.46);
    }
    const { runs, leftOut } = collectRuns(wideRoot);
    expect(formatLeftOut(leftOut.sort((a, b) => a.dir.localeCompare(b.dir)))).toEqual([
      "3 left out, rows of another width than Kim's variant reads (--embedding-dim): wide-s1, wide-s2, wide-s3",
    ]);
    const sst = tableCells(runs).find((c) => c.set === 'SST-1' && c.variant === 'non-static');
    expect(sst?.runs.map((r) => r.dir)).toEqual(['own-s1', 'own-s2', 'own-s3']);
    expect(sst?.mean).toBeCloseTo(0.44, 10);
  });
});
