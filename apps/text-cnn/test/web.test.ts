// The page's API, injected into the server that `start` listens on and into a site that mounts it under a prefix.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@cnn-lab/core';
import { APP_DIR } from '../src/app.js';
import { KIM_DEFAULTS, buildKimCnn } from '../src/model/index.js';
import { saveTextModel } from '../src/model/save.js';
import { Vocabulary } from '../src/text/index.js';
import { ModelShelf, shippedModels, withModel } from '../src/web/models.js';
import { LIMITS, webRoutes, type SentenceAnswer } from '../src/web/routes.js';
import { buildServer } from '../src/web/server.js';

let app: FastifyInstance;
let trecDir: string;

const post = (body: unknown, target = app, url = '/api/predict') =>
  target.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  // A small untrained question-type model that stores its class names, offered beside the shipped one.
  trecDir = join(mkdtempSync(join(tmpdir(), 'text-cnn-web-')), 'trec-small');
  const vocab = Vocabulary.build([['what', 'is', 'who', 'wrote', '?']]);
  const model = buildKimCnn({
    ...KIM_DEFAULTS,
    embeddingDim: 8,
    featureMaps: 4,
    vocabSize: vocab.size,
    classes: 3,
    variant: 'rand',
    seed: 1,
  });
  await saveTextModel(model, trecDir, vocab, {
    classes: ['0', '1', '2'],
    classNames: ['description (DESC)', 'entity (ENTY)', 'human (HUM)'],
    tokenizer: 'kim-case',
  });
  model.dispose();
  app = await buildServer({ models: withModel(shippedModels(), trecDir) });
});

afterAll(async () => {
  await app.close();
});

describe('the page and its API', () => {
  it('serves the page, which asks for its API by relative URLs only', async () => {
    const r = await app.inject({ method: 'GET', url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.body).toContain("fetch('api/predict'");
    expect(r.body).toContain("fetch('api/models')");
    expect(r.body).not.toMatch(/['"`]\/api\//);
  });

  it('lists the models by name and set, with their class names, and no folder', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/models' });
    expect(r.statusCode).toBe(200);
    const body = r.json<{ models: { name: string; set: string; classes: string[] }[]; default: string }>();
    expect(body.default).toBe('trec-small');
    expect(body.models.map((m) => [m.name, m.set, m.classes])).toEqual([
      ['trec-small', 'own data', ['description (DESC)', 'entity (ENTY)', 'human (HUM)']],
      ['default', 'MR', ['negative', 'positive']],
      ['rand-4k', 'MR', ['negative', 'positive']],
    ]);
    expect(r.body).not.toContain(APP_DIR);
    expect(r.body).not.toContain(trecDir);
  });

  it('labels several sentences by class name, with probabilities and highlighted words from the sentence', async () => {
    const sentences = ['A gorgeous, witty and moving film.', 'the plot is a dull , tedious mess', 'a'];
    const r = await post({ model: 'default', sentences });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json<{ classes: string[]; results: SentenceAnswer[] }>();
    expect(body.classes).toEqual(['negative', 'positive']);
    expect(body.results.map((x) => x.sentence)).toEqual(sentences);
    const [good, bad, single] = body.results as [SentenceAnswer, SentenceAnswer, SentenceAnswer];
    expect(good.label).toBe('positive');
    expect(bad.label).toBe('negative');
    for (const x of body.results) {
      expect(x.probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 3);
      expect(x.label).toBe(body.classes[x.classIndex]);
      expect(x.probabilities[x.classIndex]).toBe(Math.max(...x.probabilities));
      // Each token is found in the sentence as typed (case aside): the page highlights the user's own words.
      x.tokens.forEach((t, i) => expect(x.sentence.slice(x.spans[i]!.start, x.spans[i]!.end).toLowerCase()).toBe(t));
      // The shaded words are exactly the words of the shown n-grams, and no n-gram holds padding.
      const covered = new Set(x.ngrams.flatMap((g) => Array.from({ length: g.length }, (_, k) => g.start + k)));
      x.weights.forEach((w, i) => expect(w > 0).toBe(covered.has(i)));
      for (const g of x.ngrams) {
        expect(g.text).toBe(x.tokens.slice(g.start, g.start + g.length).join(' '));
        expect(g.text).not.toContain('<pad>');
        expect(g.length).toBeLessThanOrEqual(g.window);
        expect(g.edge === null).toBe(g.length === g.window);
      }
    }
    expect(good.tokens).toEqual(['a', 'gorgeous', ',', 'witty', 'and', 'moving', 'film']);
    expect(good.ngrams.length).toBeGreaterThan(0);
    // "a" alone: whatever filter wins covers one word and padding, and is described as one word, not as a 5-gram.
    for (const g of single.ngrams) {
      expect(g).toMatchObject({ text: 'a', start: 0, length: 1 });
      expect(g.description).toMatch(/^1 word /);
    }
  });

  it('answers a sentence with no words left by itself, and labels the others', async () => {
    const r = await post({ model: 'default', sentences: ['...', 'a fine film'] });
    expect(r.statusCode).toBe(200);
    const [none, fine] = r.json<{ results: Array<Partial<SentenceAnswer> & { error?: string }> }>().results;
    expect(none).toEqual({ sentence: '...', error: expect.stringMatching(/no words left/) });
    expect(fine?.label).toMatch(/^(negative|positive)$/);
  });

  it('uses the chosen model and its stored class names', async () => {
    const r = await post({ model: 'trec-small', sentences: ['Who wrote Hamlet ?'] });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json<{ model: string; classes: string[]; results: SentenceAnswer[] }>();
    expect(body.model).toBe('trec-small');
    expect(body.classes).toContain(body.results[0]?.label);
    // TREC keeps case: the tokens are as typed.
    expect(body.results[0]?.tokens).toEqual(['Who', 'wrote', 'Hamlet', '?']);
    expect(body.results[0]?.known).toEqual([false, true, false, true]);
  });

  it('refuses bad requests with a message that says what was expected', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [[], /expected a JSON object/],
      [{}, /sentences: expected a list of strings/],
      [{ sentences: 'one' }, /sentences: expected a list of strings/],
      [{ sentences: [1] }, /sentences: expected a list of strings/],
      [{ sentences: [] }, /give at least one sentence/],
      [{ sentences: ['ok', '   '] }, /sentences\[1\] is blank/],
      [{ sentences: Array(LIMITS.maxSentences + 1).fill('ok') }, /at most 20 in one request, got 21/],
      [{ sentences: ['ok', 'x'.repeat(LIMITS.maxChars + 1)] }, /sentences\[1\] has 1001 characters; at most 1000/],
      [
        { model: '../../etc', sentences: ['ok'] },
        /model: "\.\.\/\.\.\/etc" is not one of trec-small, default, rand-4k/,
      ],
    ];
    for (const [body, message] of cases) {
      const r = await post(body);
      expect(r.statusCode, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(r.json<{ error: string }>().error).toMatch(message);
    }
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/predict',
      headers: { 'content-type': 'application/json' },
      payload: '{"sentences": [',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json<{ error: string }>().error).toMatch(/not valid JSON/);
  });

  it('refuses a body larger than any valid request before reading it', async () => {
    const r = await post({ sentences: ['x'.repeat(200_000)] });
    expect(r.statusCode).toBe(413);
    expect(r.json<{ error: string }>().error).toMatch(/too large/i);
  });

  it('serves page and API under a prefix when a site mounts the routes, sending /text-cnn to /text-cnn/', async () => {
    const site = Fastify();
    await site.register(webRoutes, { prefix: '/text-cnn', shelf: new ModelShelf(shippedModels()) });
    try {
      const bare = await site.inject({ method: 'GET', url: '/text-cnn' });
      expect(bare.statusCode).toBe(308);
      expect(bare.headers.location).toBe('/text-cnn/');
      const page = await site.inject({ method: 'GET', url: '/text-cnn/' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<title>text-cnn');
      const models = await site.inject({ method: 'GET', url: '/text-cnn/api/models' });
      expect(models.json<{ default: string }>().default).toBe('default');
      const r = await post({ sentences: ['a witty film'] }, site, '/text-cnn/api/predict');
      expect(r.statusCode).toBe(200);
      expect(r.json<{ results: SentenceAnswer[] }>().results[0]?.label).toMatch(/^(negative|positive)$/);
    } finally {
      await site.close();
    }
  });

  it('says a model cannot be loaded without naming its folder', async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'text-cnn-broken-')), 'broken');
    const site = await buildServer({ models: [{ name: 'broken', dir: broken }] });
    try {
      const r = await post({ sentences: ['a film'] }, site);
      expect(r.statusCode).toBe(503);
      expect(r.json()).toEqual({ error: "model 'broken' cannot be loaded on this server" });
      expect(r.body).not.toContain(broken);
    } finally {
      await site.close();
    }
  });
});
