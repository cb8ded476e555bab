import type { Vocabulary } from '../text/index.js';
import { describeWindow, type Explanation } from './explainer.js';

/** An explanation as lines for a terminal: the label and its probabilities, unknown words, the winning n-grams. */
export function formatExplanation(e: Explanation, vocab: Vocabulary): string[] {
  const probs = Object.entries(e.probabilities)
    .map(([c, p]) => `${c}: ${(100 * p).toFixed(1)}%`)
    .join('  ');
  const lines = [`label ${e.label}   (${probs})`];
  const unknown = e.tokens.filter((t) => !vocab.has(t));
  if (unknown.length) lines.push(`unknown words: ${unknown.join(' ')}`);
  if (e.ngrams.length === 0) lines.push('no filter fired on these words');
  for (const g of e.ngrams) {
    lines.push(
      `  "${g.ngram}"  (${describeWindow(g)}, filter #${g.filter}, feature ${g.activation.toFixed(2)}, pushes ${e.label} by ${g.contribution.toFixed(2)})`,
    );
  }
  return lines;
}
