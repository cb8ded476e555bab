import { createInterface } from 'node:readline';
import { resolveModelDir, runAction, withCommonOptions, type CommonOptions } from '@cnn-lab/core';
import type { Command } from 'commander';
import { APP, APP_DIR } from '../app.js';
import { Explainer } from '../explain/explainer.js';
import { formatExplanation } from '../explain/format.js';
import { loadTextModel } from '../model/load.js';
import { MAX_LINE_BYTES, tooLongWhy } from '../data/example.js';
import { tokenize } from '../text/index.js';

export function registerRepl(program: Command): void {
  const cmd = program
    .command('repl')
    .description('a prompt in the terminal: type sentences, see labels and the n-grams behind them (the page: start)');
  withCommonOptions(cmd, ['modelDir', 'json', 'backend']).action(
    runAction<CommonOptions>(({ opts, log }) => repl(opts, log)),
  );
}

/** Reads sentences from stdin until an empty line or end of input, answering each. */
export async function repl(opts: CommonOptions, log: (message: string) => void) {
  const { model, metadata, classNames, vocab, dir } = await loadTextModel(
    resolveModelDir({ app: APP, appDir: APP_DIR, flag: opts.modelDir, mode: 'read' }),
  );
  const explainer = new Explainer(model, vocab, classNames);
  log(`${APP} (${dir}, classes ${classNames.join(', ')}): type a sentence, an empty line or Ctrl-D ends`);
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    prompt: '> ',
    terminal: process.stdin.isTTY,
  });
  let answered = 0;
  rl.prompt();
  for await (const line of rl) {
    if (line.trim() === '') break;
    if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
      log(`(${tooLongWhy(Buffer.byteLength(line))})`);
      rl.prompt();
      continue;
    }
    const tokens = tokenize(line, metadata.tokenizer);
    if (tokens.length === 0) log('(no words left after tokenising)');
    else {
      for (const out of formatExplanation(explainer.explain(tokens), vocab)) log(out);
      answered++;
    }
    rl.prompt();
  }
  rl.close();
  model.dispose();
  return { answered };
}
