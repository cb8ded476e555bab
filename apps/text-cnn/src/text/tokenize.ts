// The package root's types pull in natural's .ts sources, which do not compile under our strict settings.
import { TreebankWordTokenizer } from 'natural/lib/natural/tokenizers/index.js';
import { cleanStr, cleanStrSst } from './clean.js';

/**
 * How raw text becomes tokens. `kim` and `kim-case` are Kim's clean_str (TREC keeps case), `sst` his
 * clean_str_sst; `treebank` is for text that was never tokenised (CSV files, a user's sentence typed for a
 * model trained on such data): natural's Penn Treebank tokenizer, lower-cased, with clean_str's character filter.
 */
export const TOKENIZERS = ['kim', 'kim-case', 'sst', 'treebank'] as const;
export type TokenizerName = (typeof TOKENIZERS)[number];

const treebank = new TreebankWordTokenizer();

export function tokenize(text: string, scheme: TokenizerName): string[] {
  switch (scheme) {
    case 'kim':
      return words(cleanStr(text));
    case 'kim-case':
      return words(cleanStr(text, true));
    case 'sst':
      return words(cleanStrSst(text));
    case 'treebank':
      return treebank
        .tokenize(text.toLowerCase())
        .map((t) => t.replace(/[^a-z0-9(),!?'`]/g, ''))
        .filter((t) => t.length > 0);
  }
}

/** clean_str's output is single-space separated, so Kim's `.split()` is a plain split. */
function words(cleaned: string): string[] {
  return cleaned === '' ? [] : cleaned.split(' ');
}

export function isTokenizerName(name: string): name is TokenizerName {
  return (TOKENIZERS as readonly string[]).includes(name);
}
