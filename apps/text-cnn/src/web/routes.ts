// text-cnn's page and its API, as a fastify plugin: `start` registers it at `/`, the lab site under `/text-cnn`.
// Every URL the page uses is relative, so it works wherever the plugin is mounted.
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { alignTokens } from '../explain/align.js';
import { describeWindow, wordWeights } from '../explain/explainer.js';
import { tokenize } from '../text/index.js';
import { ModelShelf, ModelUnavailable, shippedModels, type ModelChoice } from './models.js';

export interface WebOptions {
  /** The models to offer, the first as the default; without it, the shipped models (apps/text-cnn/models/*). */
  models?: readonly ModelChoice[];
  /** The shelf to take them from (start builds one and loads the default before it listens). */
  shelf?: ModelShelf;
  /** Most sentences in one request. */
  maxSentences?: number;
  /** Most characters in one sentence. */
  maxChars?: number;
  /** Winning n-grams per sentence. */
  top?: number;
}

export const LIMITS = { maxSentences: 20, maxChars: 1000, top: 5 } as const;

const PAGE = new URL('./page.html', import.meta.url);

/** A request the page (or a script) got wrong; its message says what was expected. */
class BadRequest extends Error {
  statusCode = 400;
}

/** One labelled sentence as the page draws it. */
export interface SentenceAnswer {
  sentence: string;
  /** The words the model saw, and where each lies in `sentence` (null where the tokenizer rewrote it). */
  tokens: string[];
  spans: ({ start: number; end: number } | null)[];
  /** Whether each token is in the model's vocabulary (unknown ones all share one vector). */
  known: boolean[];
  label: string;
  classIndex: number;
  /** One per class, in the order of the answer's `classes`. */
  probabilities: number[];
  /** The winning n-grams, strongest first: words start..start+length-1 of `tokens`, never padding. */
  ngrams: {
    text: string;
    start: number;
    length: number;
    window: number;
    edge: 'start' | 'end' | 'both' | null;
    description: string;
    contribution: number;
  }[];
  /** Each token's share of the predicted class's logit from the shown n-grams (0 for words in none). */
  weights: number[];
}

/** The checked body of POST api/predict. */
export function parsePredictBody(
  body: unknown,
  opts: { names: readonly string[]; defaultName: string; maxSentences: number; maxChars: number },
): { model: string; sentences: string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BadRequest('expected a JSON object {"model": "<name>", "sentences": ["...", ...]}');
  const { model, sentences } = body as Record<string, unknown>;
  if (model !== undefined && (typeof model !== 'string' || !opts.names.includes(model)))
    throw new BadRequest(`model: ${JSON.stringify(model)?.slice(0, 60)} is not one of ${opts.names.join(', ')}`);
  if (!Array.isArray(sentences) || !sentences.every((s) => typeof s === 'string'))
    throw new BadRequest('sentences: expected a list of strings, one sentence each');
  if (sentences.length === 0) throw new BadRequest('sentences: give at least one sentence');
  if (sentences.length > opts.maxSentences)
    throw new BadRequest(`sentences: at most ${opts.maxSentences} in one request, got ${sentences.length}`);
  const texts = sentences.map((s) => s.trim());
  texts.forEach((s, i) => {
    if (s === '') throw new BadRequest(`sentences[${i}] is blank`);
    if (s.length > opts.maxChars)
      throw new BadRequest(`sentences[${i}] has ${s.length} characters; at most ${opts.maxChars}`);
  });
  return { model: model ?? opts.defaultName, sentences: texts };
}

export async function webRoutes(app: FastifyInstance, opts: WebOptions = {}): Promise<void> {
  const shelf = opts.shelf ?? new ModelShelf(opts.models ?? shippedModels());
  const limits = {
    maxSentences: opts.maxSentences ?? LIMITS.maxSentences,
    maxChars: opts.maxChars ?? LIMITS.maxChars,
    top: opts.top ?? LIMITS.top,
  };
  // The largest body a valid request can be: every character escaped as \uXXXX, plus the JSON around them.
  const bodyLimit = limits.maxSentences * (limits.maxChars * 6 + 8) + 1024;
  const page = readFileSync(PAGE, 'utf8');

  app.get('/', async (req: FastifyRequest, reply: FastifyReply) => {
    // Relative URLs in the page need the trailing slash: /text-cnn -> /text-cnn/.
    const [path, query] = req.url.split('?', 2) as [string, string | undefined];
    if (!path.endsWith('/')) return reply.redirect(`${path}/${query !== undefined ? `?${query}` : ''}`, 308);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  });

  app.get('/api/models', async () => ({
    models: await Promise.all(shelf.names.map((name) => shelf.info(name))),
    default: shelf.defaultName,
    limits: { maxSentences: limits.maxSentences, maxChars: limits.maxChars },
  }));

  app.post('/api/predict', { bodyLimit }, async (req) => {
    const { model, sentences } = parsePredictBody(req.body, {
      names: shelf.names,
      defaultName: shelf.defaultName,
      ...limits,
    });
    const m = await shelf.get(model);
    const started = performance.now();
    const tokens = sentences.map((s) => tokenize(s, m.metadata.tokenizer));
    const withWords = tokens.flatMap((t, i) => (t.length > 0 ? [i] : []));
    const explanations = m.explainer.explainMany(
      withWords.map((i) => tokens[i] as string[]),
      limits.top,
    );
    const answers = new Map(withWords.map((i, k) => [i, explanations[k]]));
    const results = sentences.map((sentence, i) => {
      const e = answers.get(i);
      if (!e)
        return {
          sentence,
          error: "no words left after tokenising (the model reads ASCII letters, digits and ( ) , ! ? ' `)",
        };
      const answer: SentenceAnswer = {
        sentence,
        tokens: e.tokens,
        spans: alignTokens(sentence, e.tokens),
        known: e.tokens.map((t) => m.vocab.has(t)),
        label: e.label,
        classIndex: e.classIndex,
        probabilities: m.classNames.map((c) => round(e.probabilities[c] ?? 0, 5)),
        ngrams: e.ngrams.map((g) => ({
          text: g.ngram,
          start: g.start,
          length: g.length,
          window: g.window,
          edge: g.edge ?? null,
          description: describeWindow(g),
          contribution: round(g.contribution, 4),
        })),
        weights: wordWeights(e).map((w) => round(w, 4)),
      };
      return answer;
    });
    return { model, classes: m.classNames, results, ms: round(performance.now() - started, 1) };
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (err instanceof ModelUnavailable) req.log.error(err.detail);
    const code = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (code === 500) req.log.error(err);
    return reply.code(code).send({ error: code === 500 ? 'internal error' : err.message });
  });
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
