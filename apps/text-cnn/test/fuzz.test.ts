// Seeded, time-bounded fuzzing of what a user can hand text-cnn: data files (label-first lines and CSV/TSV), the
// lines predict reads from a file or stdin, a vocabulary file, sentences for the model, and HTTP requests to the
// page. Each input gets a value or a clear error (a DataError naming the file, a 4xx with a message), within a
// bounded time, never a crash or a 500.
// Change SEED to explore; a failure prints the seed and the shrunk input.
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { DataError, initBackend } from '@cnn-lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sentencesFromBytes } from '../src/commands/predict.js';
import { MAX_LINE_BYTES } from '../src/data/example.js';
import { MAX_SENTENCE_TOKENS } from '../src/data/sequences.js';
import { padBatch, parseDelimited, parseLabelFirst } from '../src/data/index.js';
import { TOKENIZERS, Vocabulary, tokenize } from '../src/text/index.js';
import { buildServer } from '../src/web/server.js';

const SEED = 20261204;
const BUDGET_MS = 2000;
const PER_INPUT_MS = 1500;
const runs = { seed: SEED, numRuns: 100_000, interruptAfterTimeLimit: BUDGET_MS };

function timed<T>(fn: () => T): T {
  const t0 = performance.now();
  const value = fn();
  expect(performance.now() - t0).toBeLessThan(PER_INPUT_MS);
  return value;
}

/** Lines of a data file: labelled sentences, blank lines, control bytes, Latin-1, CRLF, and now and then a huge line. */
const fileBytes = fc
  .array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .tuple(fc.constantFrom('0', '1', 'pos', ''), fc.string({ maxLength: 60 }))
          .map(([l, t]) => `${l} ${t}`),
      },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
      { weight: 1, arbitrary: fc.constantFrom('', '\r', '\t', '"', '"a,b"', ',,,', '\u0000') },
      {
        weight: 1,
        arbitrary: fc
          .integer({ min: MAX_LINE_BYTES - 2, max: MAX_LINE_BYTES * 3 })
          .map((n) => `1 ${'w '.repeat(n / 2)}`),
      },
    ),
    { maxLength: 60 },
  )
  .chain((lines) =>
    fc
      .tuple(fc.constant(lines), fc.constantFrom('\n', '\r\n'), fc.uint8Array({ maxLength: 8 }))
      .map(([ls, eol, junk]) => {
        const text = new TextEncoder().encode(ls.join(eol));
        const out = new Uint8Array(text.length + junk.length);
        out.set(text);
        out.set(junk, text.length);
        return out;
      }),
  );

describe('fuzz: data files', () => {
  it('label-first: every line kept or counted as skipped, no example over the line cap', () => {
    fc.assert(
      fc.property(
        fileBytes,
        fc.constantFrom<'auto' | 'utf8' | 'latin1'>('auto', 'utf8', 'latin1'),
        (bytes, encoding) => {
          const { examples, report } = timed(() => parseLabelFirst(bytes, 'f.txt', { encoding }));
          expect(report.kept).toBe(examples.length);
          expect(report.kept + report.empty + report.unknownLabel + report.badEncoding + report.tooLong).toBe(
            report.lines,
          );
          for (const e of examples) {
            expect(e.text.length).toBeLessThanOrEqual(MAX_LINE_BYTES);
            expect(e.source).toMatch(/^f\.txt:\d+$/);
          }
        },
      ),
      runs,
    );
  });

  it('predict --file or stdin: sentences of at most a line cap each, or a DataError naming file:line', () => {
    fc.assert(
      fc.property(fileBytes, (bytes) => {
        const got = timed(() => {
          try {
            return sentencesFromBytes(bytes, 'in.txt');
          } catch (err) {
            return err;
          }
        });
        if (Array.isArray(got)) {
          for (const s of got) {
            expect(s.text.trim()).not.toBe('');
            expect(s.text.length).toBeLessThanOrEqual(MAX_LINE_BYTES);
            expect(s.file).toBe('in.txt');
          }
        } else {
          expect(got).toBeInstanceOf(DataError);
          expect((got as Error).message).toMatch(/^in\.txt(:\d+)?: /);
        }
      }),
      runs,
    );
  });

  it('CSV and TSV: examples or a DataError naming the file', () => {
    fc.assert(
      fc.property(fileBytes, fc.constantFrom(',', '\t'), fc.boolean(), (bytes, delimiter, header) => {
        try {
          const { examples, report } = timed(() =>
            parseDelimited(bytes, 'f.csv', {
              textColumn: header ? 'text' : '1',
              labelColumn: header ? 'label' : '0',
              delimiter,
              header,
            }),
          );
          expect(report.kept).toBe(examples.length);
        } catch (err) {
          if (!(err instanceof DataError)) throw err;
          expect(err.message.startsWith('f.csv')).toBe(true);
        }
      }),
      runs,
    );
  });

  it('a vocabulary file: a Vocabulary or an error naming the file', () => {
    const words = fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('<pad>', '<unk>')), { maxLength: 20 });
    const json = fc.oneof(
      words.map((w) => ({ words: w, minCount: 1 })),
      words.map((w) => ({ words: ['<pad>', '<unk>', ...w] })),
      fc.jsonValue({ maxDepth: 3 }),
    );
    fc.assert(
      fc.property(json, (j) => {
        try {
          const v = Vocabulary.fromJSON(j, 'vocab.json');
          expect(v.word(0)).toBe('<pad>');
          expect(new Set(v.words).size).toBe(v.size);
        } catch (err) {
          expect((err as Error).message.startsWith('vocab.json: ')).toBe(true);
        }
      }),
      runs,
    );
  });

  it('any sentence: tokens, and a model batch no longer than the sentence cap', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.integer({ min: 1, max: 5000 }).map((n) => 'ab '.repeat(n)),
        ),
        fc.constantFrom(...TOKENIZERS),
        (text, tokenizer) => {
          const tokens = timed(() => tokenize(text, tokenizer));
          const ids = Int32Array.from(tokens, (_, i) => 2 + (i % 5));
          const { shape } = padBatch([ids], 5);
          expect(shape[1]).toBeLessThanOrEqual(MAX_SENTENCE_TOKENS + 9);
        },
      ),
      runs,
    );
  });
});

describe('fuzz: the page over HTTP', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    app = await buildServer();
    await app.ready();
    // Load the default model once, outside the timed properties.
    await app.inject({ method: 'POST', url: '/api/predict', payload: { sentences: ['a fine film'] } });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  it('POST api/predict with any body: 200, or a 4xx with an error message, never 500', async () => {
    const sentence = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ minLength: 990, maxLength: 1100 }),
      fc.constant('  '),
    );
    const body = fc.oneof(
      fc
        .record({ sentences: fc.array(sentence, { maxLength: 25 }) }, { requiredKeys: [] })
        .map((b) => JSON.stringify(b)),
      fc
        .record({
          model: fc.oneof(fc.constantFrom('default', 'rand-4k', 'nope', '../default'), fc.jsonValue()),
          sentences: fc.jsonValue(),
        })
        .map((b) => JSON.stringify(b)),
      fc.jsonValue({ maxDepth: 3 }).map((j) => JSON.stringify(j)),
      fc.string({ maxLength: 200 }),
    );
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom('application/json', 'text/plain', 'application/octet-stream'),
        async (payload, type) => {
          const t0 = performance.now();
          const res = await app.inject({
            method: 'POST',
            url: '/api/predict',
            headers: { 'content-type': type },
            payload,
          });
          expect(performance.now() - t0).toBeLessThan(PER_INPUT_MS * 2);
          expect(res.statusCode === 200 || (res.statusCode >= 400 && res.statusCode < 500)).toBe(true);
          if (res.statusCode !== 200) expect(typeof res.json<{ error?: unknown }>().error).toBe('string');
        },
      ),
      runs,
    );
  });

  it('any path and method: an answer below 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'),
        fc
          .oneof(
            fc.webPath(),
            fc.string({ maxLength: 100 }).map((s) => encodeURIComponent(s)),
          )
          .map((p) => (p.startsWith('/') ? p : `/${p}`)),
        async (method, url) => {
          const res = await app.inject({ method: method as 'GET', url });
          expect(res.statusCode).toBeLessThan(500);
        },
      ),
      runs,
    );
  });
});
