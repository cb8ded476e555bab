import { readFile } from 'node:fs/promises';
import {
  DataError,
  UsageError,
  parseIntIn,
  resolveModelDir,
  resolveUserPath,
  runAction,
  withCommonOptions,
  writePng,
  type CommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { APP, APP_DIR } from '../app.js';
import { MAX_LINE_BYTES, byteLines, decodeLine, tooLongWhy } from '../data/example.js';
import { Explainer, type Explanation } from '../explain/explainer.js';
import { formatExplanation } from '../explain/format.js';
import { renderExplanation } from '../explain/picture.js';
import { loadTextModel } from '../model/load.js';
import { tokenize, type TokenizerName } from '../text/index.js';

interface PredictFlags extends CommonOptions {
  top?: number;
  out?: string;
  file?: string;
}

/** A sentence to label and, for messages, the file (or "stdin") and line it came from; none for the argument. */
export interface SentenceInput {
  text: string;
  file?: string;
  line?: number;
}

export function registerPredict(program: Command): void {
  const cmd = program
    .command('predict')
    .description(
      'label sentences and show the n-grams that won the max-pooling for the most influential filters; ' +
        'one sentence as the argument, or one per line from --file or stdin',
    )
    .argument('[sentence...]', "the sentence (quote it); '-' or none with piped input: read stdin, one per line")
    .option('--file <file>', 'read sentences from a file, one per line (blank lines skipped)')
    .option('--top <n>', 'how many n-grams to show', parseIntIn(1, 50), 5)
    .option('--out <png>', 'also draw the explanation (one sentence): words shaded by their share, n-grams with bars');
  withCommonOptions(cmd, ['modelDir', 'json', 'backend']).action(
    runAction<PredictFlags>(async ({ opts, args, log }) => predict(await readInputs(args, opts.file), opts, log)),
  );
}

/**
 * The sentences of a file or of stdin: one per line (\n or \r\n, UTF-8, or Latin-1 where a line is not UTF-8), blank
 * lines skipped. A line that is not text (control characters, a binary file) or longer than a data file's lines may
 * be (MAX_LINE_BYTES) is a DataError naming `name` and the line: one 10 MB line took 1.3 GB to tokenise and explain.
 */
export function sentencesFromBytes(bytes: Uint8Array, name: string): SentenceInput[] {
  const out: SentenceInput[] = [];
  let line = 0;
  for (const raw of byteLines(bytes)) {
    line++;
    if (raw.length > MAX_LINE_BYTES) throw new DataError(name, tooLongWhy(raw.length), line);
    const decoded = decodeLine(raw, 'auto');
    if (!decoded) throw new DataError(name, 'not a line of text (control characters; is this a binary file?)', line);
    const text = (line === 1 ? decoded.text.replace(/^\uFEFF/, '') : decoded.text).trim();
    if (text !== '') out.push({ text, file: name, line });
  }
  if (out.length === 0) throw new DataError(name, 'no sentences (every line is blank)');
  return out;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * Where the sentences come from: the words given as arguments (one sentence), `--file`, or stdin (`-`, or no
 * argument while stdin is not a terminal).
 */
export async function readInputs(
  args: readonly string[],
  file: string | undefined,
  stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
): Promise<SentenceInput[]> {
  const fromStdin = (args.length === 1 && args[0] === '-') || (args.length === 0 && file === undefined && !stdin.isTTY);
  if (file !== undefined && args.length > 0)
    throw new UsageError('predict: give sentences either as the argument or with --file, not both');
  if (file !== undefined) {
    const path = resolveUserPath(file);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(
        `--file: cannot read '${file}' (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder' : (code ?? String(err))})`,
      );
    }
    return sentencesFromBytes(bytes, file);
  }
  if (fromStdin) return sentencesFromBytes(await readStream(stdin), 'stdin');
  const sentence = args.join(' ').trim();
  if (sentence === '')
    throw new UsageError(
      'predict: give a sentence, e.g. predict "a gripping, beautifully acted film", or --file F, or pipe lines into it',
    );
  return [{ text: sentence }];
}

/** Tokens of each input; an input with no words left is an error naming where it came from. */
function tokenizeAll(inputs: readonly SentenceInput[], tokenizer: TokenizerName): string[][] {
  return inputs.map(({ text, file, line }) => {
    const tokens = tokenize(text, tokenizer);
    if (tokens.length > 0) return tokens;
    const problem = `no words left of '${text.slice(0, 60)}' after tokenising (it keeps ASCII letters, digits and ( ) , ! ? ' \`)`;
    if (file === undefined) throw new UsageError(`predict: ${problem}`);
    throw new DataError(file, problem, line);
  });
}

export async function predict(inputs: readonly SentenceInput[], opts: PredictFlags, log: (message: string) => void) {
  if (opts.out !== undefined && inputs.length !== 1)
    throw new UsageError(`--out draws one sentence's explanation; got ${inputs.length} sentences`);
  const loading = performance.now();
  const { model, metadata, classNames, vocab } = await loadTextModel(
    resolveModelDir({ app: APP, appDir: APP_DIR, flag: opts.modelDir, mode: 'read' }),
  );
  try {
    const explainer = new Explainer(model, vocab, classNames);
    // Loading includes one pass on a fixed sentence: tfjs sets up each kernel on its first call.
    explainer.explain(['warm', 'up']);
    const loadMs = performance.now() - loading;
    const tokens = tokenizeAll(inputs, metadata.tokenizer);
    const started = performance.now();
    const explanations = explainer.explainMany(tokens, opts.top ?? 5);
    const ms = performance.now() - started;
    explanations.forEach((e, i) => {
      if (inputs.length > 1) log(`${i > 0 ? '\n' : ''}${(inputs[i] as SentenceInput).text}`);
      for (const line of formatExplanation(e, vocab)) log(line);
    });
    const what = inputs.length === 1 ? '' : ` ${inputs.length} sentences`;
    log(`(answered${what} in ${ms.toFixed(0)} ms after loading the model in ${loadMs.toFixed(0)} ms)`);
    const picture = opts.out !== undefined ? resolveUserPath(opts.out) : undefined;
    if (picture) {
      await writePng(picture, renderExplanation(explanations[0] as Explanation));
      log(`picture: ${picture}`);
    }
    return {
      classes: classNames,
      results: explanations.map((e, i) => ({
        sentence: (inputs[i] as SentenceInput).text,
        label: e.label,
        probabilities: e.probabilities,
        ngrams: e.ngrams,
        tokens: e.tokens,
        unknown: e.tokens.filter((t) => !vocab.has(t)),
      })),
      ms: Number(ms.toFixed(1)),
      loadMs: Number(loadMs.toFixed(0)),
      ...(picture ? { picture } : {}),
    };
  } finally {
    model.dispose();
  }
}
