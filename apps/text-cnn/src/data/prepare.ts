import type { Example } from './example.js';
import type { Encoded } from './sequences.js';
import type { Split } from './splits.js';
import { PAD, UNK, tokenize, Vocabulary, type TokenizerName } from '../text/index.js';

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
  /** Words of `extraWords` added after the training words. */
  addedWords: number;
}

export interface PrepareOptions {
  tokenizer: TokenizerName;
  minCount?: number;
  maxVocab?: number;
  /** Fixed class list (a benchmark's); otherwise the labels found in train. */
  classes?: readonly string[];
  /**
   * Words to add after the training words (those not already there): pretrained vectors' most frequent words, so
   * that a model knows words its training data never showed it. Not cut by maxVocab.
   */
  extraWords?: readonly string[];
}

/** Tokenises a split and encodes it with a vocabulary built from its training part only. */
export function prepareSplit(split: Split<Example>, opts: PrepareOptions): PreparedSplit {
  const tok = (examples: Example[]) =>
    examples.map((e) => ({ label: e.label, tokens: tokenize(e.text, opts.tokenizer) }));
  const train = tok(split.train);
  let vocab = Vocabulary.build(
    train.map((t) => t.tokens),
    {
      ...(opts.minCount !== undefined ? { minCount: opts.minCount } : {}),
      ...(opts.maxVocab !== undefined ? { maxSize: opts.maxVocab } : {}),
    },
  );
  let addedWords = 0;
  if (opts.extraWords?.length) {
    const added = [...new Set(opts.extraWords)].filter((w) => !vocab.has(w) && w !== PAD && w !== UNK);
    vocab = Vocabulary.fromJSON({ words: [...vocab.words, ...added], minCount: vocab.minCount }, 'vocabulary');
    addedWords = added.length;
  }
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
    addedWords,
  };
}
