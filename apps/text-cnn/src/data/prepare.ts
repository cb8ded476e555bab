import type { Example } from './example.js';
import type { Encoded } from './sequences.js';
import type { Split } from './splits.js';
import { tokenize, Vocabulary, type TokenizerName } from '../text/index.js';

/** Label strings in a stable order: numerically when they are all integers (0..k-1 for the benchmarks). */
export function classNames(labels: Iterable<string>): string[] {
  const unique = [...new Set(labels)];
  const numeric = unique.every((l) => /^-?\d+$/.test(l));
  return unique.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
}

export interface PreparedSplit {
  vocab: Vocabulary;
  classes: string[];
  tokenizer: TokenizerName;
  train: Encoded[];
  dev: Encoded[];
  test: Encoded[];
  /** Dev/test examples whose label never occurs in train: dropped, since the model cannot predict them. */
  unseenLabel: number;
}

export interface PrepareOptions {
  tokenizer: TokenizerName;
  minCount?: number;
  maxVocab?: number;
  /** Fixed class list (a benchmark's); otherwise the labels found in train. */
  classes?: readonly string[];
}

/** Tokenises a split and encodes it with a vocabulary built from its training part only. */
export function prepareSplit(split: Split<Example>, opts: PrepareOptions): PreparedSplit {
  const tok = (examples: Example[]) =>
    examples.map((e) => ({ label: e.label, tokens: tokenize(e.text, opts.tokenizer) }));
  const train = tok(split.train);
  const vocab = Vocabulary.build(
    train.map((t) => t.tokens),
    {
      ...(opts.minCount !== undefined ? { minCount: opts.minCount } : {}),
      ...(opts.maxVocab !== undefined ? { maxSize: opts.maxVocab } : {}),
    },
  );
  const classes = opts.classes ? [...opts.classes] : classNames(train.map((t) => t.label));
  const index = new Map(classes.map((c, i) => [c, i]));
  let unseenLabel = 0;
  const encode = (items: Array<{ label: string; tokens: string[] }>): Encoded[] =>
    items.flatMap(({ label, tokens }) => {
      const y = index.get(label);
      if (y === undefined) {
        unseenLabel++;
        return [];
      }
      return [{ ids: vocab.encode(tokens), label: y }];
    });
  return {
    vocab,
    classes,
    tokenizer: opts.tokenizer,
    train: encode(train),
    dev: encode(tok(split.dev)),
    test: encode(tok(split.test)),
    unseenLabel,
  };
}
