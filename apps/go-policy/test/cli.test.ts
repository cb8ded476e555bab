// The CLI as a user runs it: a tiny training run on fixture games, then eval and predict on its model.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const app = join(import.meta.dirname, '..');
const tsx = join(app, '..', '..', 'node_modules', '.bin', 'tsx');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(tsx, [join(app, 'src', 'cli.ts'), ...args], { cwd: app, timeout: 280_000, env: { ...process.env, CNN_LAB_DATA: '' } }, (err, stdout, stderr) => {
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

describe('go-policy CLI', () => {
  it('trains a tiny model, then eval --split all --json scores every game and ends with one JSON line', async () => {
    const data = fixtures();
    const modelDir = join(mkdtempSync(join(tmpdir(), 'go-policy-model-')), 'm');
    const train = await cli(['train', '--data-dir', data, '--model-dir', modelDir, '--epochs', '1', '--filters', '2', '--layers', '2', '--batch-size', '4', '--val-games', '1', '--train-workers', '1', '--json']);
    expect(train.code, train.stderr).toBe(0);
    expect(jsonLine(train.stdout)).toMatchObject({ modelDir, epochs: 1 });

    const ev = await cli(['eval', '--data-dir', data, '--model-dir', modelDir, '--split', 'all', '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    const r = jsonLine(ev.stdout);
    expect(r.games).toBe(3);
    expect(r.positions).toBe(18);
    expect(r.skipped).toEqual({ 'illegal-move': 1 });
    for (const k of ['top1', 'top5', 'logLoss']) expect(typeof r[k]).toBe('number');
    expect(r.top5 as number).toBeGreaterThanOrEqual(r.top1 as number);
    expect(ev.stderr).toMatch(/accuracy by move number/);

    const pr = await cli(['predict', '--model-dir', modelDir, '--sgf', join(data, '5p', 'one.sgf'), '--move', '3', '--json']);
    expect(pr.code, pr.stderr).toBe(0);
    const p = jsonLine(pr.stdout);
    expect(p.played).toBe('Q4');
    expect(p.toPlay).toBe('black');
    expect((p.top as unknown[]).length).toBe(5);
  }, 900_000);

  it('says what is missing: a data folder, a model, an SGF', async () => {
    const noData = await cli(['eval', '--data-dir', '/nonexistent/folder', '--model-dir', '/nonexistent/model']);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toMatch(/--data-dir: '\/nonexistent\/folder' is not a folder/);
    const noModel = await cli(['predict', '--model-dir', '/nonexistent/model']);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/--model-dir: no model.json in '\/nonexistent\/model'/);
    const badFlag = await cli(['train', '--filters', 'many']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/--filters.*expected an integer/);
  }, 600_000);
});
