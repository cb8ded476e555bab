// The CLI as a user runs it: a tiny training run on fixture games, then eval and predict on its model.
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const app = join(import.meta.dirname, '..');
const tsx = join(app, '..', '..', 'node_modules', '.bin', 'tsx');
/** Where runs go when a command names no folder (core's runsRoot honours CNN_LAB_RUNS). */
const runs = mkdtempSync(join(tmpdir(), 'go-policy-runs-'));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, CNN_LAB_DATA: '', CNN_LAB_RUNS: runs };
    execFile(tsx, [join(app, 'src', 'cli.ts'), ...args], { cwd: app, timeout: 280_000, env }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The last line of stdout, which under --json must be the one JSON object. */
function jsonLine(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;
}

function game(moves: string[]): string {
  return `(;GM[1]FF[4]SZ[19]KM[650]RE[B+R]${moves.map((m, i) => `;${i % 2 ? 'W' : 'B'}[${m}]`).join('')})`;
}

function fixtures(): string {
  const dir = mkdtempSync(join(tmpdir(), 'go-policy-cli-'));
  mkdirSync(join(dir, '5p'));
  writeFileSync(join(dir, '5p', 'one.sgf'), game(['pd', 'dp', 'pp', 'dd', 'fq', 'cn']));
  writeFileSync(join(dir, '5p', 'two.sgf'), game(['qd', 'dc', 'pq', 'oc', 'cp']));
  writeFileSync(join(dir, '5p', 'three.sgf'), game(['dd', 'pp', 'dp', 'pd', 'fc', 'nq', 'qf']));
  writeFileSync(join(dir, '5p', 'bad.sgf'), '(;GM[1]SZ[19];B[pd];W[pd])'); // an illegal move
  return dir;
}

/** sha256 of every file of the shipped model, by name. */
function shippedHashes(): Record<string, string> {
  const dir = join(app, 'models', 'default');
  return Object.fromEntries(
    readdirSync(dir).map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex'),
    ]),
  );
}

describe('go-policy CLI', () => {
  it('trains a tiny model into a new runs folder, then eval --split all --json scores every game and ends with one JSON line', async () => {
    const data = fixtures();
    const before = shippedHashes();
    const train = await cli([
      'train',
      '--data-dir',
      data,
      '--epochs',
      '1',
      '--filters',
      '2',
      '--layers',
      '2',
      '--batch-size',
      '4',
      '--val-games',
      '1',
      '--train-workers',
      '1',
      '--json',
    ]);
    expect(train.code, train.stderr).toBe(0);
    const result = jsonLine(train.stdout);
    expect(result).toMatchObject({ epochs: 1 });
    // Without --model-dir: a new folder runs/go-policy/<time>, never the shipped model.
    const modelDir = result.modelDir as string;
    expect(modelDir).toMatch(new RegExp(`^${runs}/go-policy/\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d`));
    expect(readdirSync(modelDir)).toEqual(
      expect.arrayContaining(['model.json', 'history.json', 'history.png', 'checkpoints']),
    );
    expect(shippedHashes()).toEqual(before);

    const ev = await cli(['eval', '--data-dir', data, '--model-dir', modelDir, '--split', 'all', '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    const r = jsonLine(ev.stdout);
    expect(r.games).toBe(3);
    expect(r.positions).toBe(18);
    expect(r.skipped).toEqual({ 'illegal-move': 1 });
    for (const k of ['top1', 'top5', 'logLoss']) expect(typeof r[k]).toBe('number');
    expect(r.top5 as number).toBeGreaterThanOrEqual(r.top1 as number);
    expect(ev.stderr).toMatch(/accuracy by move number/);

    const pr = await cli([
      'predict',
      '--model-dir',
      modelDir,
      '--sgf',
      join(data, '5p', 'one.sgf'),
      '--move',
      '3',
      '--json',
    ]);
    expect(pr.code, pr.stderr).toBe(0);
    const p = jsonLine(pr.stdout);
    expect(p.played).toBe('Q4');
    expect(p.toPlay).toBe('black');
    expect((p.top as unknown[]).length).toBe(5);

    // match without --out keeps its SGFs in a new runs/go-policy/match-<time> folder.
    const opponent = join(mkdtempSync(join(tmpdir(), 'go-policy-opponent-')), 'resigns.mjs');
    writeFileSync(
      opponent,
      `import { createInterface } from 'node:readline';
for await (const line of createInterface({ input: process.stdin })) {
  const cmd = line.trim().split(/\\s+/)[0];
  process.stdout.write(cmd === 'genmove' ? '= resign\\n\\n' : '=\\n\\n');
  if (cmd === 'quit') break;
}
`,
    );
    const m = await cli(['match', '--model-dir', modelDir, '--opponent', `node ${opponent}`, '--games', '2', '--json']);
    expect(m.code, m.stderr).toBe(0);
    const mr = jsonLine(m.stdout);
    expect(mr).toMatchObject({ games: 2, wins: 2 });
    expect(mr.sgfDir as string).toMatch(new RegExp(`^${runs}/go-policy/match-`));
    expect(readdirSync(mr.sgfDir as string).sort()).toEqual(['game-001.sgf', 'game-002.sgf']);

    // The same folder again: refused without --resume (nothing is overwritten); with it, only game 3 is played.
    const again = ['match', '--model-dir', modelDir, '--opponent', `node ${opponent}`, '--out', mr.sgfDir as string];
    const refused = await cli([...again, '--games', '3']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already holds a match .*--resume/);
    const resumed = await cli([...again, '--games', '3', '--resume', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming .*: 2 games played \(2 wins, 0 losses, 0 unfinished\)/);
    expect(resumed.stderr).not.toMatch(/game 2\/3/);
    expect(jsonLine(resumed.stdout)).toMatchObject({ games: 3, wins: 3 });
    expect(readdirSync(mr.sgfDir as string).sort()).toEqual(['game-001.sgf', 'game-002.sgf', 'game-003.sgf']);
    const other = await cli([...again, '--games', '4', '--resume', '--opponent', 'gnugo --mode gtp']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/game-001\.sgf.*opponent was/);
    expect(shippedHashes()).toEqual(before);
  }, 900_000);

  it('plays with models/large by default; --model-dir names another', async () => {
    const bench = await cli(['bench', '--moves', '10', '--engine', 'policy', '--json']);
    expect(bench.code, bench.stderr).toBe(0);
    expect(bench.stderr).toMatch(/models\/large: 128 filters x 12 layers/);
    const named = await cli(['bench', '--moves', '10', '--model-dir', join(app, 'models', 'default')]);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stdout + named.stderr).toMatch(/models\/default: 32 filters x 5 layers/);
  }, 120_000);

  it('says what is missing: a data folder, a model, an SGF', async () => {
    const noData = await cli(['eval', '--data-dir', '/nonexistent/folder', '--model-dir', '/nonexistent/model']);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toMatch(/--data-dir: '\/nonexistent\/folder' is not a folder/);
    const noModel = await cli(['predict', '--model-dir', '/nonexistent/model']);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/--model-dir: no model in \/nonexistent\/model \(expected model.json/);
    const badFlag = await cli(['train', '--filters', 'many']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/--filters.*expected an integer/);
  }, 600_000);

  it('gtp into a reader that closes early (| head -c5) exits 0 with no stack trace', () => {
    const err = join(runs, 'gtp-head.err');
    const out = join(runs, 'gtp-head.out');
    // PIPESTATUS[2] is gtp's exit code; the reader keeps 5 bytes and closes the pipe on 2,000 showboards.
    const cmd = `yes showboard | head -2000 | ${tsx} src/cli.ts gtp --engine policy 2>${err} | head -c5 >${out}; echo \${PIPESTATUS[2]}`;
    const r = spawnSync('bash', ['-c', cmd], { cwd: app, encoding: 'utf8', timeout: 280_000 });
    expect(readFileSync(out, 'utf8')).toBe('= \n  ');
    expect(r.stdout.trim()).toBe('0');
    expect(readFileSync(err, 'utf8')).not.toMatch(/EPIPE|\bat |Error/);
  }, 300_000);
});
