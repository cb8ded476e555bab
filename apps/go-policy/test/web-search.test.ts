// The page with the tree search behind it: the API's checks on the search's requests, the count with dead
// stones, and in Chromium a game played on from an uploaded endgame to two passes, the count shown with the
// dead stones marked, the win-rate graph, the SGF download read back with @sabaki/sgf, the replay's players,
// result, komi and comments, messages for players cleared on undo, and the page at 400 px wide. A tiny
// random net and the shipped rollout policy with 0.2 s a move keep it to seconds.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import sgf from '@sabaki/sgf';
import { initBackend, withSeed } from '@cnn-lab/core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLACK, Board, PASS, WHITE, formatVertex, parseVertex } from '../src/board/index.js';
import { planesOf } from '../src/data/positions.js';
import { SHIPPED_MODEL } from '../src/model/load.js';
import { buildPolicyNet } from '../src/model/policy.js';
import { networkPolicy } from '../src/model/predict.js';
import { RolloutTables, loadRollout } from '../src/rollout/policy.js';
import { LocalSearcher } from '../src/search/searcher.js';
import { MAX_SECONDS, MIN_SECONDS, modelFolderName } from '../src/web/routes.js';
import { createWebServer } from '../src/web/server.js';
import { filledBoard } from './search-positions.js';

let model: tf.LayersModel;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  model = withSeed(5, () => buildPolicyNet({ planes: planesOf('alphago'), filters: 4, layers: 3 }));
  const tables = new RolloutTables((await loadRollout(SHIPPED_MODEL)).weights);
  const searcher = new LocalSearcher(tables, model, 'alphago', planesOf('alphago'), { komi: 7.5, seed: 1 });
  app = createWebServer({ policy: networkPolicy(model, 'alphago'), modelName: 'tiny test net', searcher });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app.close();
  model.dispose();
});

const COLS = 'ABCDEFGHJKLMNOPQRST';
const SGF_COLS = 'abcdefghijklmnopqrs';
const sgfPoint = (v: string): string => `${SGF_COLS[COLS.indexOf(v[0]!)]}${SGF_COLS[19 - Number(v.slice(1))]}`;

/**
 * An endgame as a game record: the search tests' played-out board (black owns columns A-K, white L-T,
 * every chain alive with one-point eyes), with a hole in black's top-left corner where black captured a
 * white stone at A19 and a white stone at B18 stands dead. The stones are played row by row, the captures
 * first; white passes while black has more stones to place. White to move; black wins by 11.5 with komi.
 */
function endgameMoves(): string[] {
  const board = filledBoard(['.X.', 'XO.', '...'], 0, 0, WHITE);
  const black: string[] = ['B19', 'A18'];
  const white: string[] = ['A19'];
  for (let p = 0; p < board.area; p++) {
    const v = formatVertex(p, 19);
    if (board.cells[p] === BLACK && !black.includes(v)) black.push(v);
    if (board.cells[p] === WHITE) white.push(v);
  }
  const moves = black.flatMap((b, i) => (i < black.length - 1 ? [b, white[i] ?? 'pass'] : [b]));
  // Every move legal on a real board, and the one capture the record means.
  const check = new Board(19, { koRule: 'positional-superko' });
  moves.forEach((v, i) => {
    const colour = i % 2 === 0 ? BLACK : WHITE;
    const p = v === 'pass' ? PASS : parseVertex(v, 19);
    if (p !== PASS) expect(check.whyIllegal(p, colour), `${i}: ${v}`).toBeNull();
    check.play(p, colour);
  });
  expect(check.prisoners).toEqual({ black: 1, white: 0 });
  expect(Array.from(check.cells)).toEqual(Array.from(board.cells));
  return moves;
}
const ENDGAME = endgameMoves();

function endgameSgf(): string {
  const nodes = ENDGAME.map((v, i) => {
    const comment = i === 0 ? 'C[black starts in the corner]' : i === ENDGAME.length - 1 ? 'C[the last move]' : '';
    return `;${i % 2 === 0 ? 'B' : 'W'}[${v === 'pass' ? '' : sgfPoint(v)}]${comment}`;
  });
  return `(;GM[1]FF[4]SZ[19]KM[7.5]PB[Ann Black]PW[Bo White]RE[B+11.5]${nodes.join('')})`;
}

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await app.inject({ method: 'POST', url: path, payload: body as object });
  return { status: res.statusCode, json: res.json() };
}

describe('the search API', () => {
  it('shows a model folder by its name, never its absolute path', () => {
    expect(modelFolderName(SHIPPED_MODEL)).toBe('models/default');
    expect(modelFolderName('/somewhere/else/my-run')).toBe('my-run');
  });

  it('refuses an unknown engine and seconds or komi out of range, saying what it expected', async () => {
    const engine = await post('/api/genmove', { moves: [], engine: 'gnugo' });
    expect(engine.status).toBe(400);
    expect(engine.json.error).toBe('engine: expected "search" or "policy", got "gnugo"');
    for (const seconds of [0, MIN_SECONDS / 2, MAX_SECONDS + 1, '2', null]) {
      const r = await post('/api/genmove', { moves: [], engine: 'search', seconds });
      expect(r.status, String(seconds)).toBe(400);
      expect(r.json.error).toBe(`seconds: expected a number from ${MIN_SECONDS} to ${MAX_SECONDS}`);
    }
    const komi = await post('/api/genmove', { moves: [], engine: 'search', seconds: 0.2, komi: 1000 });
    expect(komi.status).toBe(400);
    expect(komi.json.error).toMatch(/^komi: expected a number/);
    const scoreKomi = await post('/api/score', { moves: ['D4'], komi: 'seven' });
    expect(scoreKomi.status).toBe(400);
    expect(scoreKomi.json.error).toMatch(/^komi: expected a number/);
    const scoreMoves = await post('/api/score', { moves: ['D4', 'D4'] });
    expect(scoreMoves.status).toBe(400);
    expect(scoreMoves.json.error).toMatch(/moves\[1\] \(D4\) is illegal: occupied/);
  });

  it('plays a searched move with its win rate', async () => {
    const { status, json } = await post('/api/genmove', { moves: ['D4'], engine: 'search', seconds: 0.2 });
    expect(status).toBe(200);
    expect(json.engine).toBe('search');
    expect(json.move).toMatch(/^([A-HJ-T]\d{1,2}|pass)$/);
    expect(json.winrate).toBeGreaterThanOrEqual(0);
    expect(json.winrate).toBeLessThanOrEqual(1);
    expect(json.playouts).toBeGreaterThan(0);
  });

  it('counts the endgame with the stone in the hole dead: black 190, white 171 and komi', async () => {
    const { status, json } = await post('/api/score', { moves: ENDGAME, komi: 7.5 });
    expect(status).toBe(200);
    expect(json.dead).toEqual(['B18']);
    expect(json).toMatchObject({ result: 'B+11.5', black: 190, white: 178.5, komi: 7.5 });
  });
});

describe('start', () => {
  it('exits 2 naming --port when the port is busy, and prints no path', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const appDir = join(import.meta.dirname, '..');
      const tsx = join(appDir, '..', '..', 'node_modules', '.bin', 'tsx');
      const run = spawnSync(tsx, ['src/cli.ts', 'start', '--port', String(port)], {
        cwd: appDir,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain(`--port ${port}: 127.0.0.1:${port} is already in use`);
      expect(run.stdout + run.stderr).not.toContain(appDir);
    } finally {
      busy.close();
    }
  });
});

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.skipIf(!existsSync(CHROMIUM))('the page with the search, in Chromium', () => {
  it('plays on from a replayed endgame to two passes, counts, graphs and downloads the game', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const context = await browser.newContext({ acceptDownloads: true });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${url}/`);
      await page.waitForFunction(() => document.querySelectorAll('#top tr').length === 5);
      await page.selectOption('#engine', 'search');
      await page.fill('#seconds', '0.2');

      // The replay: players, komi, result, comments.
      await page.setInputFiles('#sgf', {
        name: 'endgame.sgf',
        mimeType: 'application/x-go-sgf',
        buffer: Buffer.from(endgameSgf()),
      });
      await page.waitForFunction(() => /replaying endgame\.sgf/.test(document.getElementById('status')!.textContent));
      expect(await page.textContent('#result')).toBe(
        'Ann Black (black) against Bo White (white), komi 7.5, result B+11.5',
      );
      expect(await page.textContent('#info')).toBe('Comment: black starts in the corner');
      await page.click('#last');
      const n = ENDGAME.length;
      expect(await page.textContent('#moveinfo')).toMatch(
        new RegExp(`^move ${n}/${n}: black played ${ENDGAME.at(-1)}`),
      );
      expect(await page.textContent('#info')).toBe('Comment: the last move');

      // Play on from the end of the record: white (the side to move) against the search.
      await page.click('#playon');
      await page.waitForFunction(() => /your move \(white\)/.test(document.getElementById('status')!.textContent));
      expect(await page.textContent('#info')).toBe(
        `Move ${n} (last: black ${ENDGAME.at(-1)}). Captures: black 1, white 0.`,
      );

      const box = (await page.locator('#board').boundingBox())!;
      const step = (box.width * (620 - 60)) / 620 / 18;
      const margin = (box.width * 30) / 620;
      const click = (v: string): Promise<void> =>
        page.mouse.click(
          box.x + margin + COLS.indexOf(v[0]!) * step,
          box.y + margin + (19 - Number(v.slice(1))) * step,
        );
      const errorText = (): Promise<string | null> => page.textContent('#error');
      const moveNumber = async (): Promise<number> =>
        Number(/^Move (\d+)/.exec((await page.textContent('#info'))!)?.[1]);

      // A message for a player, not the server's wording.
      await click('B18');
      expect(await errorText()).toBe('There is already a stone there.');
      // White fills two of its own eyes (harmless: it has dozens); the search answers each.
      for (const [k, eye] of ['O15', 'R15'].entries()) {
        await click(eye);
        await page.waitForFunction(
          (m) => Number(/^Move (\d+)/.exec(document.getElementById('info')!.textContent)?.[1]) === m,
          n + 2 * (k + 1),
        );
        expect(await errorText()).toBe('');
      }
      expect(await page.textContent('#info')).toMatch(
        new RegExp(`^Move ${n + 4} \\(last: black (pass|[A-HJ-T]\\d+)\\)\\. Captures: black 1, white 0\\.$`),
      );

      // Pass until the game is over: the search passes once it wins the count.
      for (let i = 0; i < 6; i++) {
        if (await page.evaluate(() => document.body.dataset.result !== undefined)) break;
        const before = await moveNumber();
        await page.click('#pass');
        // Over, or the pass and the engine's reply on the board and the player to move again.
        await page.waitForFunction(
          (n) =>
            document.body.dataset.result !== undefined ||
            (Number(/^Move (\d+)/.exec(document.getElementById('info')!.textContent)?.[1]) >= n + 2 &&
              /your move/.test(document.getElementById('status')!.textContent)),
          before,
        );
      }
      const result = await page.evaluate(() => document.body.dataset.result);
      expect(result).toMatch(/^B\+\d+(\.5)?$/);
      const resultText = await page.textContent('#result');
      expect(resultText).toMatch(
        /^Game over: B\+[\d.]+ \(the engine wins\)\. Area: black \d+, white [\d.]+ \+ 7\.5 komi\./,
      );
      expect(resultText).toMatch(/\d+ dead stones? marked with x\./);

      // The dead stone at B18 carries the red x; the win-rate graph has the search's points in blue.
      const pixels = await page.evaluate(() => {
        const c = document.getElementById('board') as HTMLCanvasElement;
        const step = (620 - 60) / 18;
        const [x, y] = [30 + step, 30 + step];
        const centre = Array.from(c.getContext('2d')!.getImageData(Math.round(x), Math.round(y), 1, 1).data);
        const g = document.getElementById('graph') as HTMLCanvasElement;
        const d = g.getContext('2d')!.getImageData(0, 0, g.width, g.height).data;
        let blue = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i]! < 60 && d[i + 2]! > 150) blue++;
        return { centre, blue, points: Number(document.body.dataset.winrates) };
      });
      expect(pixels.centre[0]).toBeGreaterThan(180);
      expect(pixels.centre[1]).toBeLessThan(90);
      expect(pixels.points).toBeGreaterThanOrEqual(2);
      expect(pixels.blue).toBeGreaterThan(20);

      // The game as SGF: komi, result, every move, the search's win rates and the count in the comments.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
      const text = readFileSync(await download.path(), 'utf8');
      const [root] = sgf.parse(text);
      expect(root!.data.KM).toEqual(['7.5']);
      expect(root!.data.RE).toEqual([result]);
      expect(root!.data.PB).toEqual(['go-policy (search)']);
      expect(root!.data.PW).toEqual(['you']);
      const nodes: Record<string, string[]>[] = [];
      for (let n = root!.children[0]; n; n = n.children[0]) nodes.push(n.data);
      const played = nodes.map((d) => d.B ?? d.W);
      expect(played.length).toBeGreaterThanOrEqual(n + 5);
      expect(played.slice(0, n).map((m) => m![0])).toEqual(ENDGAME.map((v) => (v === 'pass' ? '' : sgfPoint(v))));
      expect(played.slice(-2)).toEqual([[''], ['']]);
      const comments = nodes.map((d) => d.C?.[0] ?? '');
      expect(comments[0]).toBe('black starts in the corner');
      expect(
        comments.filter((c) => /^win rate \d+\.\d% for black, \d+ playouts/.test(c)).length,
      ).toBeGreaterThanOrEqual(2);
      expect(comments.at(-1)).toMatch(
        /Count after two passes: B\+[\d.]+; area black \d+, white [\d.]+ .*dead stones .*B18/,
      );

      // After the end a click is answered for a player; undo takes it all back and clears the messages.
      await click('A1');
      expect(await errorText()).toBe('The game is over: start a new one, or undo to play on.');
      await page.click('#undo');
      await page.waitForFunction(() => document.body.dataset.result === undefined);
      expect(await errorText()).toBe('');
      expect(await page.textContent('#result')).toBe('');
      expect(await page.evaluate(() => document.body.innerText)).not.toMatch(/moves\[\d+\]|is illegal:/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('fits a 400 px wide screen: no sideways scrolling, and a tap on the smaller board plays there', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 400, height: 800 } });
      await page.goto(`${url}/`);
      await page.waitForFunction(() => document.querySelectorAll('#top tr').length === 5);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
      const box = (await page.locator('#board').boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(400);
      for (const id of ['#engine', '#seconds', '#pass', '#undo', '#download', '#new-white']) {
        const b = (await page.locator(id).boundingBox())!;
        expect(b.x + b.width, id).toBeLessThanOrEqual(400);
      }
      await page.selectOption('#engine', 'policy');
      // D4: the 4th line from the left and from the bottom, scaled to the board as drawn.
      const s = box.width / 620;
      await page.mouse.click(box.x + s * (30 + 3 * ((620 - 60) / 18)), box.y + s * (30 + 15 * ((620 - 60) / 18)));
      await page.waitForFunction(() => /engine played/.test(document.getElementById('status')!.textContent));
      expect(await page.textContent('#info')).toMatch(/^Move 2 \(last: white [A-HJ-T]\d+\)/);
      // The board's own pixels (620 a side whatever its size on screen): a black stone at D4.
      const d4 = await page.evaluate(() => {
        const c = document.getElementById('board') as HTMLCanvasElement;
        const step = (620 - 60) / 18;
        return Array.from(
          c.getContext('2d')!.getImageData(Math.round(30 + 3 * step), Math.round(30 + 15 * step) - 5, 1, 1).data,
        );
      });
      expect(d4.slice(0, 3).every((v) => v < 40)).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
