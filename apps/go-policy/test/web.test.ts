import { existsSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs';
import { initBackend, withSeed } from '@cnn-lab/core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planesOf } from '../src/data/positions.js';
import { buildPolicyNet } from '../src/model/policy.js';
import { networkPolicy } from '../src/model/predict.js';
import { createWebServer } from '../src/web/server.js';

let model: tf.LayersModel;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  model = withSeed(5, () => buildPolicyNet({ planes: planesOf('alphago'), filters: 4, layers: 3 }));
  app = createWebServer({ policy: networkPolicy(model, 'alphago'), modelName: 'tiny test net', bodyLimit: 64_000 });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app.close();
  model.dispose();
});

async function post(
  path: string,
  body: unknown,
  type = 'application/json',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': type },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('web API', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('gives the policy over legal points (occupied points zero) and the top 5', async () => {
    const { status, json } = await post('/api/analyse', { moves: ['D4', 'Q16'] });
    expect(status).toBe(200);
    const policy = json.policy as number[];
    expect(policy).toHaveLength(361);
    expect(policy.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(policy[15 * 19 + 3]).toBe(0); // D4 is occupied
    expect(json.toPlay).toBe('black');
    const top = json.top as { vertex: string; probability: number }[];
    expect(top).toHaveLength(5);
    expect(top[0]!.probability).toBeGreaterThanOrEqual(top[4]!.probability);
  });

  it("plays the network's move for the side to move", async () => {
    const { status, json } = await post('/api/genmove', { moves: ['D4'] });
    expect(status).toBe(200);
    expect(json.move).toMatch(/^[A-HJ-T]\d{1,2}$/);
    expect((json.after as { toPlay: string }).toPlay).toBe('black');
  });

  it('refuses bad positions with a message naming the move', async () => {
    const occupied = await post('/api/analyse', { moves: ['D4', 'D4'] });
    expect(occupied.status).toBe(400);
    expect(occupied.json.error).toMatch(/moves\[1\].*occupied/);
    const bad = await post('/api/analyse', { moves: ['D4', 'Z9'] });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/moves\[1\]/);
    expect((await post('/api/analyse', { moves: 'D4' })).status).toBe(400);
    expect((await post('/api/analyse', [1, 2])).status).toBe(400);
    expect((await post('/api/analyse', '{not json')).status).toBe(400);
  });

  it('caps the request size', async () => {
    const { status } = await post('/api/replay', `(;SZ[19]${';B[aa]'.repeat(20_000)})`, 'application/x-go-sgf');
    expect(status).toBe(413);
  });

  it('replays an uploaded SGF with the prediction beside each played move, and explains bad uploads', async () => {
    const { status, json } = await post(
      '/api/replay',
      '(;GM[1]FF[4]SZ[19]KM[650];B[pd];W[dp];B[pp];W[dd])',
      'application/x-go-sgf',
    );
    expect(status).toBe(200);
    const positions = json.positions as {
      played: string;
      colour: string;
      rank: number | null;
      top: unknown[];
      playedProbability: number;
    }[];
    expect(positions.map((p) => p.played)).toEqual(['Q16', 'D4', 'Q4', 'D16']);
    expect(positions[1]!.colour).toBe('white');
    for (const p of positions) {
      expect(p.top).toHaveLength(5);
      expect(p.playedProbability).toBeGreaterThan(0);
    }
    const nine = await post('/api/replay', '(;GM[1]SZ[9];B[cc])', 'application/x-go-sgf');
    expect(nine.status).toBe(400);
    expect(nine.json.error).toMatch(/board-size/);
    const junk = await post('/api/replay', 'hello, not a game', 'application/x-go-sgf');
    expect(junk.status).toBe(400);
    expect(junk.json.error).toMatch(/not a usable 19x19 game record/);
  });
});

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('in Chromium', () => {
  it('loads, plays a move, shows the reply and the heat map', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${url}/`);
      await page.waitForFunction(() => document.querySelectorAll('#top tr').length === 5, undefined, {
        timeout: 60_000,
      });
      // Click D4: column D is the 4th line from the left, row 4 the 4th from the bottom.
      const box = (await page.locator('#board').boundingBox())!;
      const step = (620 - 60) / 18;
      await page.mouse.click(box.x + 30 + 3 * step, box.y + 30 + 15 * step);
      await page.waitForFunction(
        () => /engine played/.test(document.getElementById('status')?.textContent ?? ''),
        undefined,
        { timeout: 60_000 },
      );
      const status = await page.textContent('#status');
      expect(status).toMatch(/engine played [A-HJ-T]\d{1,2}; your move \(black\)/);
      // Two stones on the board (ours and the reply), and red heat-map cells drawn on the canvas.
      const counts = await page.evaluate(() => {
        const c = document.getElementById('board') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let red = 0;
        let black = 0;
        let white = 0;
        for (let i = 0; i < d.length; i += 4) {
          const [r, g, b] = [d[i]!, d[i + 1]!, d[i + 2]!];
          if (r > 150 && g < 110 && b < 110) red++;
          if (r < 30 && g < 30 && b < 30) black++;
          if (r > 235 && g > 235 && b > 235) white++;
        }
        return { red, black, white };
      });
      expect(counts.red).toBeGreaterThan(500);
      expect(counts.black).toBeGreaterThan(300);
      expect(counts.white).toBeGreaterThan(300);
      expect(await page.locator('#top tr').count()).toBe(5);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
