// The CLI as a user runs it (tsx src/cli.ts), on a tiny label-first file made here.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const appDir = join(import.meta.dirname, '..');
const tsx = join(appDir, '..', '..', 'node_modules', '.bin', 'tsx');
const dir = mkdtempSync(join(tmpdir(), 'text-cnn-cli-'));
const dataFile = join(dir, 'tiny.txt');
const modelDir = join(dir, 'model');
// Runs that name no folder go here instead of the repository's runs/.
const runs = join(dir, 'runs');

function cli(...args: string[]) {
  return cliEnv({}, ...args);
}

function cliEnv(extra: Record<string, string>, ...args: string[]) {
  const env = { ...process.env, CNN_LAB_BACKEND: 'wasm', CNN_LAB_RUNS: runs, ...extra };
  const r = spawnSync(tsx, ['src/cli.ts', ...args], { cwd: appDir, encoding: 'utf8', timeout: 300_000, env });
  const lines = r.stdout.trim().split('\n');
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, last: lines[lines.length - 1] ?? '' };
}

/** The words of the vocabulary saved with the model in `folder` (model.json names its file). */
function vocabularyOf(folder: string): string[] {
  const model = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as {
    cnnLab: { files: Record<string, { path: string }> };
  };
  const file = model.cnnLab.files['vocab.json']?.path ?? 'vocab.json';
  return (JSON.parse(readFileSync(join(folder, file), 'utf8')) as { words: string[] }).words;
}

beforeAll(() => {
  const lines: string[] = [];
  for (let i = 0; i < 60; i++)
    lines.push(i % 2 ? `1 a truly great film number ${i}` : `0 a dull boring film number ${i}`);
  lines.splice(10, 0, '', '9 a line with a label of its own');
  writeFileSync(dataFile, `${lines.join('\n')}\n`);
});

describe('text-cnn CLI', () => {
  it('train --data-file ... --json ends with one JSON line holding testAccuracy, epochs and seconds, and saves the model', () => {
    const r = cli('train', '--data-file', dataFile, '--model-dir', modelDir, '--seed', '1', '--epochs', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.last) as Record<string, unknown>;
    expect(typeof out.testAccuracy).toBe('number');
    expect(out.epochs).toBe(1);
    expect(typeof out.seconds).toBe('number');
    for (const f of ['model.json', 'metadata.json', 'history.png']) expect(existsSync(join(modelDir, f))).toBe(true);
    // The weights and the vocabulary are saved under names that carry their hash (core's saveModel).
    expect(readdirSync(modelDir).some((f) => /^weights.*\.bin$/.test(f))).toBe(true);
    expect(vocabularyOf(modelDir)).toContain('film');
    // The odd label is a class of its own here (no fixed label set for a user's file); the empty line is reported.
    expect(r.stderr).toMatch(/tiny\.txt: 61 examples from 62 lines; skipped 1 \(empty 1/);
  });

  it('predict --json gives the label, probabilities and n-grams taken from the sentence', () => {
    const r = cli('predict', 'a truly great film', '--model-dir', modelDir, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.last) as {
      classes: string[];
      results: Array<{
        sentence: string;
        label: string;
        probabilities: Record<string, number>;
        ngrams: Array<{ ngram: string }>;
      }>;
    };
    // A model trained on a user's file names its classes by the file's labels.
    expect(out.classes).toEqual(['0', '1', '9']);
    expect(out.results).toHaveLength(1);
    const [result] = out.results as [(typeof out.results)[number]];
    expect(result.sentence).toBe('a truly great film');
    expect(Object.keys(result.probabilities).sort()).toEqual(['0', '1', '9']);
    expect(Object.values(result.probabilities).reduce((a, b) => a + b)).toBeCloseTo(1, 4);
    for (const g of result.ngrams) expect(' a truly great film ').toContain(` ${g.ngram} `);
  });

  it('eval --json scores the test examples the model was trained beside, and draws confusion.png beside the model', () => {
    const r = cli('eval', '--model-dir', modelDir, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.last) as { accuracy: number; count: number; picture: string };
    expect(out.count).toBe(6);
    expect(out.accuracy).toBeGreaterThanOrEqual(0);
    expect(out.picture).toBe(join(modelDir, 'confusion.png'));
    expect(existsSync(out.picture)).toBe(true);
    const elsewhere = join(dir, 'pictures');
    const o = cli('eval', '--model-dir', modelDir, '--out', elsewhere, '--json');
    expect(o.code, o.stderr).toBe(0);
    expect(JSON.parse(o.last)).toMatchObject({ picture: join(elsewhere, 'confusion.png'), count: 6 });
  });

  it('train without --model-dir saves to a new runs/text-cnn/<timestamp>, its metadata naming the variant and the command', () => {
    const r = cli('train', '--data-file', dataFile, '--seed', '2', '--epochs', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.last) as { modelDir: string };
    expect(out.modelDir).toMatch(new RegExp(`^${runs}/text-cnn/\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d(-\\d+)?$`));
    expect(readdirSync(out.modelDir)).toEqual(expect.arrayContaining(['model.json', 'metadata.json', 'history.png']));
    const metadata = JSON.parse(readFileSync(join(out.modelDir, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      app: 'text-cnn',
      classes: ['0', '1', '9'],
      classNames: ['0', '1', '9'],
      tokenizer: 'treebank',
    });
    expect(metadata).toMatchObject({
      variant: 'rand',
      command: `pnpm --filter text-cnn train --data-file ${dataFile} --seed 2 --epochs 1 --json`,
    });
    expect(metadata).not.toHaveProperty('embeddings');
    // A second run gets a folder of its own.
    const again = cli('train', '--data-file', dataFile, '--seed', '2', '--epochs', '1', '--json');
    expect(again.code, again.stderr).toBe(0);
    const second = (JSON.parse(again.last) as { modelDir: string }).modelDir;
    expect(second).not.toBe(out.modelDir);
    // --resume without --model-dir carries on in the newest run that has a checkpoint.
    const resumed = cli('train', '--data-file', dataFile, '--seed', '2', '--epochs', '2', '--resume', '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.last)).toMatchObject({ modelDir: second, epochs: 2 });
  });

  it('eval of the shipped model leaves its files as they are and draws into runs/text-cnn/eval-<timestamp>', () => {
    const shipped = join(appDir, 'models', 'default');
    const digest = () =>
      Object.fromEntries(
        readdirSync(shipped).map((f) => [
          f,
          createHash('sha256')
            .update(readFileSync(join(shipped, f)))
            .digest('hex'),
        ]),
      );
    const before = digest();
    const r = cli('eval', '--data-file', dataFile, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.last) as { picture: string; count: number };
    expect(out.picture).toMatch(new RegExp(`^${runs}/text-cnn/eval-[^/]+/confusion\\.png$`));
    expect(existsSync(out.picture)).toBe(true);
    expect(digest()).toEqual(before);
  });

  it('train --help gives one default for the model folder', () => {
    const r = cli('train', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /--model-dir <dir>\s+folder to save the model in \(default: a new\s+runs\/text-cnn\/<timestamp>\)/,
    );
    expect(r.stdout).not.toMatch(/models\/latest|the shipped model/);
  });

  it('experiment shrink keeps the most frequent words in a new folder, and eval measures the smaller model', () => {
    const small = join(dir, 'small');
    const r = cli('experiment', 'shrink', '--model-dir', modelDir, '--out', small, '--max-vocab', '6', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.last)).toMatchObject({ vocabulary: 6 });
    const words = vocabularyOf(small);
    expect(words.slice(0, 5)).toEqual(['<pad>', '<unk>', 'a', 'film', 'number']);
    const e = cli('eval', '--model-dir', small, '--json');
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.last)).toMatchObject({ count: 6 });
  });

  it('bench-paper --run trains the missing runs of a cell into --runs; bench-paper then reads them back', () => {
    const dataDir = join(dir, 'text');
    mkdirSync(dataDir, { recursive: true });
    const subj = Array.from({ length: 60 }, (_, i) =>
      i % 2 ? `1 i think this film is wonderful ${i}` : `0 the film was shot in paris in ${i}`,
    );
    writeFileSync(join(dataDir, 'subj.all'), `${subj.join('\n')}\n`);
    const results = join(dir, 'bench-runs');
    const args = ['--runs', results, '--data-dir', dataDir, '--json'];
    const r = cli('bench-paper', '--run', '--sets', 'Subj', '--folds', '1', '--epochs', '1', ...args);
    expect(r.code, r.stderr).toBe(0);
    type Out = {
      cells: Array<{ set: string; variant: string; over: string; n: number; wanted: number; command?: string }>;
    };
    const subjRand = (o: Out) => o.cells.find((c) => c.set === 'Subj' && c.variant === 'rand');
    expect(subjRand(JSON.parse(r.last) as Out)).toMatchObject({
      over: 'fold',
      n: 1,
      wanted: 10,
      command: 'pnpm --filter text-cnn train --set Subj --fold <n> --seed 1 --variant rand --epochs 1',
    });
    expect(existsSync(join(results, 'bench', 'rand', 'Subj-fold0', 'metadata.json'))).toBe(true);
    // Read back without training; the other cells were never run and say so.
    const again = cli('bench-paper', ...args);
    expect(again.code, again.stderr).toBe(0);
    const out = JSON.parse(again.last) as Out;
    expect(subjRand(out)).toMatchObject({ n: 1 });
    expect(out.cells.filter((c) => c.n === 0)).toHaveLength(19);
    expect(again.stderr).toMatch(
      /CNN-rand \(ours\)\s+not run\s+not run\s+not run\s+\d+\.\d \(1 of 10 folds\)\s+not run/,
    );
    expect(cli('bench-paper', '--sets', 'Subj', ...args).stderr).toMatch(
      /--sets and --variants choose what --run trains/,
    );
  });

  it('train --variant non-static --embeddings <file> --json ends with testAccuracy; predict and eval read the model', () => {
    const vectors = join(dir, 'vectors.txt');
    const words = ['a', 'truly', 'great', 'film', 'dull', 'boring', 'number', 'superb'];
    writeFileSync(
      vectors,
      words
        .map((w, i) => `${w} ${Array.from({ length: 10 }, (_, d) => ((i * 7 + d) % 11) / 10 - 0.5).join(' ')}`)
        .join('\n'),
    );
    const nonStatic = join(dir, 'non-static');
    const env = { CNN_LAB_CACHE: join(dir, 'cache') };
    const r = cliEnv(
      env,
      'train',
      '--data-file',
      dataFile,
      '--variant',
      'non-static',
      '--embeddings',
      vectors,
      '--seed',
      '1',
      '--epochs',
      '1',
      '--model-dir',
      nonStatic,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.last)).toHaveProperty('testAccuracy');
    // "superb" never occurs in the data: the vectors' words join the vocabulary with their rows.
    expect(r.stderr).toMatch(
      /word vectors .*vectors\.txt: 8 of \d+ words have one, 1 of them added from the vectors' 20000 most frequent \(7 of the \d+ training words, [\d.]+%\); dim 10; per-dimension std 0\.\d+, rescaled x[\d.]+ to 0\.144 \(--vector-scale word2vec\); the rest U\(-0\.250, 0\.250\)/,
    );
    expect(vocabularyOf(nonStatic)).toContain('superb');
    const metadata = JSON.parse(readFileSync(join(nonStatic, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      variant: 'non-static',
      embeddings: vectors,
      vectorWords: 20000,
      vectorScale: 'word2vec',
      vectorAliases: false,
    });
    const p = cli('predict', 'a superb film', '--model-dir', nonStatic, '--json');
    expect(p.code, p.stderr).toBe(0);
    // Vectors without "a" but with "an": with --vector-aliases "a" takes the row of "an".
    const withoutA = join(dir, 'vectors-an.txt');
    writeFileSync(withoutA, readFileSync(vectors, 'utf8').replace(/^a /, 'an '));
    const multi = join(dir, 'multichannel');
    const m = cliEnv(
      env,
      'train',
      '--data-file',
      dataFile,
      '--variant',
      'multichannel',
      '--embeddings',
      withoutA,
      '--vector-words',
      '0',
      '--vector-scale',
      'none',
      '--vector-aliases',
      '--embedding-dim',
      '16',
      '--epochs',
      '1',
      '--model-dir',
      multi,
      '--json',
    );
    expect(m.code, m.stderr).toBe(0);
    expect(m.stderr).toMatch(
      /per-dimension std 0\.\d+ \(--vector-scale none\); 1 word takes a stand-in's row \(--vector-aliases: a -> an\); the rest U\(-0\.250, 0\.250\)/,
    );
    expect(m.stderr).toMatch(/rows widened from 10 to 16 values: the vectors' 10, then 6 from U\(-0\.250, 0\.250\)/);
    expect(JSON.parse(readFileSync(join(multi, 'metadata.json'), 'utf8'))).toMatchObject({
      vectorAliases: true,
      protocol: { embeddingDim: 16 },
    });
    expect(vocabularyOf(multi)).not.toContain('superb');
    expect(cli('eval', '--model-dir', multi, '--json').code).toBe(0);
    expect(cli('predict', 'a truly great film', '--model-dir', multi, '--json').code).toBe(0);
    const narrow = cliEnv(
      env,
      'train',
      '--data-file',
      dataFile,
      '--variant',
      'static',
      '--embeddings',
      vectors,
      '--embedding-dim',
      '4',
      '--model-dir',
      join(dir, 'narrow'),
    );
    expect(narrow.code).toBe(2);
    expect(narrow.stderr).toMatch(/--embedding-dim 4: the vectors' rows hold 10 values; give at least 10/);
  });

  it('a pretrained variant without --embeddings, or rand with them, is a usage error naming the flag', () => {
    const a = cli('train', '--data-file', dataFile, '--variant', 'static', '--model-dir', join(dir, 'x'));
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--variant static needs --embeddings \(glove-100d or a word-vector file\)/);
    const b = cli('train', '--data-file', dataFile, '--embeddings', 'glove-100d', '--model-dir', join(dir, 'x'));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--embeddings: CNN-rand learns its word vectors/);
    const c = cli('train', '--data-file', dataFile, '--vector-scale', 'none', '--model-dir', join(dir, 'x'));
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--vector-scale: CNN-rand has no pretrained vectors/);
    const e = cli('train', '--data-file', dataFile, '--vector-aliases', '--model-dir', join(dir, 'x'));
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/--vector-aliases: CNN-rand has no pretrained vectors/);
    const d = cli('train', '--data-file', dataFile, '--vector-scale', 'huge', '--model-dir', join(dir, 'x'));
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/--vector-scale.*expected one of word2vec, word2vec-length, matched, none, got 'huge'/);
    const w = cli('train', '--data-file', dataFile, '--embedding-dim', '5000', '--model-dir', join(dir, 'x'));
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/--embedding-dim.*expected an integer in 1\.\.1000, got '5000'/);
  });

  it('a missing data file is an error naming it, as the JSON line too, exit code 1', () => {
    const r = cli('train', '--data-file', join(dir, 'nope.txt'), '--model-dir', modelDir, '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: .*nope\.txt: no such file \(--data-file\)/);
    expect(JSON.parse(r.last)).toMatchObject({ kind: 'DataError' });
  });

  it('predict into a reader that closes early (| head -1) exits 0 with no stack trace', () => {
    const err = join(dir, 'predict-head.err');
    const out = join(dir, 'predict-head.out');
    // 3,000 sentences on stdin, each answered with several lines; the reader keeps one line and closes the pipe.
    const cmd = `yes "a stirring , funny film" | head -3000 | ${tsx} src/cli.ts predict - 2>${err} | head -1 >${out}; echo \${PIPESTATUS[2]}`;
    const r = spawnSync('bash', ['-c', cmd], { cwd: appDir, encoding: 'utf8', timeout: 300_000 });
    expect(readFileSync(out, 'utf8')).toBe('a stirring , funny film\n');
    expect(r.stdout.trim()).toBe('0');
    expect(readFileSync(err, 'utf8')).not.toMatch(/EPIPE|\bat |Error/);
  }, 300_000);
});
