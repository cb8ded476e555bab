// Seeded, time-bounded fuzzing of what a user can hand go-policy: SGF text (readSgf, which predict, eval, train's
// data and the page's replay use), GTP command lines, and HTTP requests to the page. Each input gets a value or a
// clear refusal (a typed skip reason, a "?" answer, a 4xx or 503), within a bounded time, never an exception, a
// crash, a 500 or a hang. A stand-in policy replaces the network: these properties are about parsing and bounds.
// Change SEED to explore; a failure prints the seed and the shrunk input.
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyEngine } from '../src/play/engine.js';
import { answer } from '../src/play/gtp.js';
import { readSgf } from '../src/sgf/read.js';
import { SKIP_REASONS } from '../src/sgf/game.js';
import { createWebServer } from '../src/web/server.js';

const SEED = 20261204;
const BUDGET_MS = 2000;
const PER_INPUT_MS = 1500;
const runs = { seed: SEED, numRuns: 100_000, interruptAfterTimeLimit: BUDGET_MS };

const uniform = (): Float32Array => new Float32Array(361).fill(1 / 361);

/** SGF-shaped text: real properties, moves, variations, escapes, and noise between them. */
const sgfText = fc
  .array(
    fc.oneof(
      fc.constantFrom('(', ')', ';', '(;', ')(', '[', ']', '\\', '\n', ' '),
      fc.constantFrom(
        'SZ[19]',
        'SZ[9]',
        'SZ[19:13]',
        'SZ[x]',
        'KM[6.5]',
        'KM[375]',
        'KM[]',
        'HA[2]',
        'HA[-1]',
        'HA[99]',
      ),
      fc.constantFrom(
        'AB[dd][pp]',
        'AW[aa:ss]',
        'AB[zz]',
        'AE[dd]',
        'PB[x\\]y]',
        'C[a\\\nb]',
        'RE[B+R]',
        'AddBlack[cc]',
      ),
      fc
        .tuple(
          fc.constantFrom('B', 'W'),
          fc.constantFrom('', 'tt', 'zz', 'a', 'aaa'),
          fc.integer({ min: 0, max: 18 }),
          fc.integer({ min: 0, max: 18 }),
        )
        .map(([c, odd, x, y]) => `;${c}[${odd || String.fromCharCode(97 + x, 97 + y)}]`),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 120 },
  )
  .map((parts) => `(;GM[1]${parts.join('')}`);

/** Deep or long shapes, the ones that used to overflow the stack or take seconds. */
const bigSgf = fc.oneof(
  fc.integer({ min: 1, max: 200_000 }).map((n) => `${'('.repeat(n)};${')'.repeat(n)}`),
  fc.integer({ min: 1, max: 50_000 }).map((n) => `(;SZ[19];B[pd]${'(;W[dd]'.repeat(n)}${')'.repeat(n)})`),
  fc.integer({ min: 1, max: 100_000 }).map((n) => `(;SZ[19]${';B[];W[]'.repeat(n)})`),
  fc.integer({ min: 0, max: 2_000_000 }).map((n) => `(;SZ[19]C[${'x'.repeat(n)}];B[pd])`),
);

describe('fuzz: readSgf', () => {
  const check = (text: string): void => {
    const t0 = performance.now();
    const r = readSgf(text);
    expect(performance.now() - t0).toBeLessThan(PER_INPUT_MS);
    if (r.ok) {
      expect(r.game.moves.length).toBeGreaterThan(0);
      expect(r.game.size).toBeGreaterThanOrEqual(5);
    } else {
      expect(SKIP_REASONS).toContain(r.reason);
      expect(r.detail.length).toBeGreaterThan(0);
    }
  };

  it('SGF-shaped text: a game or a typed reason', () => {
    fc.assert(fc.property(sgfText, check), runs);
  });

  it('deep nesting, long main lines and huge comments: bounded time, no stack overflow', () => {
    fc.assert(fc.property(bigSgf, check), { ...runs, numRuns: 40 });
  });

  it('any text and any bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 500 }), fc.uint8Array({ maxLength: 500 })), (x) =>
        check(typeof x === 'string' ? x : Buffer.from(x).toString('latin1')),
      ),
      runs,
    );
  });
});

describe('fuzz: GTP command lines', () => {
  const words = fc.constantFrom(
    'protocol_version',
    'name',
    'version',
    'known_command',
    'list_commands',
    'boardsize',
    'clear_board',
    'komi',
    'play',
    'genmove',
    'undo',
    'showboard',
    'final_score',
    'fixed_handicap',
    'final_status_list',
    'time_settings',
    'time_left',
    'black',
    'white',
    'b',
    'w',
    'pass',
    'resign',
    'D4',
    'T19',
    'Z99',
    'A0',
    '19',
    '25',
    '-1',
    '7.5',
    'NaN',
    '1e309',
    'dead',
    '#',
  );
  const line = fc.oneof(
    fc.array(words, { minLength: 1, maxLength: 5 }).map((w) => w.join(' ')),
    fc.tuple(fc.nat(999), fc.array(words, { minLength: 1, maxLength: 4 })).map(([id, w]) => `${id} ${w.join(' ')}`),
    fc.string({ maxLength: 80 }),
  );

  it('every line gets "=" or "?" (or nothing for a blank line), and the engine keeps answering', async () => {
    const engine = new PolicyEngine({ policy: uniform, temperature: 0, random: () => 0.5 });
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 12 }), async (lines) => {
        for (const l of lines) {
          const t0 = performance.now();
          const reply = await answer(engine, l);
          expect(performance.now() - t0).toBeLessThan(PER_INPUT_MS);
          if (reply) expect(reply.text).toMatch(/^[=?]/);
        }
        const name = await answer(engine, 'name');
        expect(name?.text).toMatch(/^=/);
      }),
      runs,
    );
  });
});

describe('fuzz: the page over HTTP', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = createWebServer({ policy: uniform, modelName: 'stand-in', bodyLimit: 64_000 });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
  });

  const json = fc.jsonValue({ maxDepth: 3 });
  const movesBody = fc.record(
    {
      moves: fc.oneof(
        fc.array(fc.constantFrom('D4', 'Q16', 'pass', 'resign', 'T19', 'A1', 'Z9', '', 'd4', 'K10'), { maxLength: 30 }),
        json,
      ),
      handicap: fc.oneof(
        fc.array(fc.constantFrom('D4', 'Q16', 'pass', 'Q4', 'D16', 'K10', 'x'), { maxLength: 12 }),
        json,
      ),
    },
    { requiredKeys: [] },
  );

  it('/api/analyse and /api/genmove: 200 or a 4xx with an error message, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/analyse', '/api/genmove'),
        fc.oneof(
          movesBody.map((b) => JSON.stringify(b)),
          json.map((j) => JSON.stringify(j)),
          fc.string({ maxLength: 200 }),
        ),
        fc.constantFrom('application/json', 'text/plain', 'application/x-go-sgf', 'application/octet-stream'),
        async (url, payload, type) => {
          const res = await app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload });
          expect(res.statusCode === 200 || (res.statusCode >= 400 && res.statusCode < 500)).toBe(true);
          if (res.statusCode !== 200) expect(typeof res.json<{ error?: unknown }>().error).toBe('string');
        },
      ),
      runs,
    );
  });

  it('/api/replay with any SGF-shaped body: 200, 4xx or 503, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(sgfText, fc.string({ maxLength: 300 })), async (payload) => {
        const t0 = performance.now();
        const res = await app.inject({
          method: 'POST',
          url: '/api/replay',
          headers: { 'content-type': 'application/x-go-sgf' },
          payload,
        });
        expect(performance.now() - t0).toBeLessThan(PER_INPUT_MS * 2);
        expect([200, 400, 413, 415, 503]).toContain(res.statusCode);
      }),
      runs,
    );
  });
});
