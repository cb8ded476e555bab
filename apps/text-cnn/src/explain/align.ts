// Where each token lies in the text it came from, so that a page can highlight the words the user typed rather
// than the tokenizer's lower-cased, split-up copy of them.

/** A token's place in the original text: characters [start, end). */
export interface Span {
  start: number;
  end: number;
}

const lower = (code: number): number => (code >= 65 && code <= 90 ? code + 32 : code);

function matchesAt(text: string, at: number, token: string): boolean {
  if (at + token.length > text.length) return false;
  for (let k = 0; k < token.length; k++)
    if (lower(text.charCodeAt(at + k)) !== lower(token.charCodeAt(k))) return false;
  return true;
}

/**
 * Each token's span in `text`, found left to right (ASCII letters compared without case), or null for a token the
 * text does not hold as written. Kim's clean_str only removes characters, splits and lower-cases, so its tokens are
 * always found; a tokenizer that rewrites words (treebank quotes) may leave some null.
 */
export function alignTokens(text: string, tokens: readonly string[]): (Span | null)[] {
  let cursor = 0;
  return tokens.map((token) => {
    if (token === '') return null;
    for (let at = cursor; at + token.length <= text.length; at++) {
      if (matchesAt(text, at, token)) {
        cursor = at + token.length;
        return { start: at, end: cursor };
      }
    }
    return null;
  });
}
