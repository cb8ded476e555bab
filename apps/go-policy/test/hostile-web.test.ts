// The page's API under hostile use: replays bounded in moves and in concurrency (extra ones are turned away at
// once with 503, and the page keeps answering while replays run), huge SGFs refused cheaply, a pass given as a
// handicap stone refused by name.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebServer } from '../src/web/server.js';
import { MAX_REPLAY_MOVES, REPLAYS_RUNNING, REPLAYS_WAITING } from '../src/web/replay.js';

let app: FastifyInstance;
let url: string;
let passes = 0;

/** A stand-in for the network: uniform, and as slow as a small forward pass (it blocks the thread, as tfjs does). */
function slowPolicy(): Float32Array {
  passes++;
  const end = performance.now() + 3;
  while (performance.now() < end);
  return new Float32Array(361).fill(1 / 361);
}

beforeAll(async () => {
  app = createWebServer({ policy: slowPolicy, modelName: 'stand-in', bodyLimit: 1_100_000 });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app.close();
});

/** A legal game of `n` moves: one stone, then passes. */
function game(n: number): string {
  const moves = [';B[pd]', ...Array.from({ length: n - 1 }, (_, i) => (i % 2 ? ';B[]' : ';W[]'))];
  return `(;GM[1]FF[4]SZ[19]KM[7.5]${moves.join('')})`;
}

const sgf = (body: string) =>
  fetch(`${url}/api/replay`, { method: 'POST', headers: { 'content-type': 'application/x-go-sgf' }, body });

describe('POST /api/replay', () => {
  it(`refuses more than ${MAX_REPLAY_MOVES} moves before any forward pass`, async () => {
    const before = passes;
    const res = await sgf(game(800));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(
      `the game has 800 moves; at most ${MAX_REPLAY_MOVES} are replayed`,
    );
    expect(passes).toBe(before);
  });

  it('refuses a 1 MB SGF of passes at once, without replaying it', async () => {
    const body = `(;GM[1]SZ[19]${';B[];W[]'.repeat(125_000)})`;
    expect(body.length).toBeGreaterThan(990_000);
    const t0 = performance.now();
    const rss = process.memoryUsage().rss;
    const res = await sgf(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/too-long/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 2 ** 20);
  });

  it('20 replays at once: a few are computed, the rest get 503 at once, and the page answers meanwhile', async () => {
    const t0 = performance.now();
    const replies = Array.from({ length: 20 }, () =>
      sgf(game(100)).then(async (r) => ({
        status: r.status,
        ms: performance.now() - t0,
        body: await r.json(),
      })),
    );
    await new Promise((r) => setTimeout(r, 300));
    const p0 = performance.now();
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(performance.now() - p0).toBeLessThan(2000);
    const done = await Promise.all(replies);
    const served = done.filter((d) => d.status === 200);
    const busy = done.filter((d) => d.status === 503);
    expect(served).toHaveLength(REPLAYS_RUNNING + REPLAYS_WAITING);
    expect(busy).toHaveLength(20 - served.length);
    // Turned away as soon as their request is read (milliseconds on an idle machine; a loaded CI one is slower).
    for (const b of busy) {
      expect(b.ms).toBeLessThan(5000);
      expect((b.body as { error: string }).error).toMatch(/^busy: /);
    }
    expect((served[0]?.body as { positions: unknown[] }).positions).toHaveLength(100);
  }, 60_000);
});

describe('POST /api/analyse', () => {
  it('a pass given as a handicap stone is a 400 naming it', async () => {
    const res = await fetch(`${url}/api/analyse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ moves: [], handicap: ['pass'] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(
      'handicap[0]: a handicap stone needs a point, not pass',
    );
  });
});
