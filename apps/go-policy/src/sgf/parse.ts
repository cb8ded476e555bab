// The main line of an SGF record, read in one pass without recursion: a record nested 100,000 "(" deep, a 5 MB
// comment or a 400,000-move game costs time and memory in proportion to its bytes (and the main line is capped),
// never the call stack. @sabaki/sgf, used before, recursed once per variation (a stack overflow at a few thousand)
// and matched each value with a backtracking regex (a stack overflow on a 5 MB comment).
//
// Grammar (FF[4]): Collection = GameTree+; GameTree = "(" Sequence GameTree* ")"; Sequence = Node+;
// Node = ";" Property*; Property = PropIdent PropValue+; PropIdent = upper-case letters (FF[3] lower-case letters
// are dropped); PropValue = "[" text "]" with "\" escaping the next character and "\" + newline a soft break.
// Other characters between tokens are ignored, as @sabaki/sgf did. The main line is the first game tree's
// sequence followed, at each branching, by the first variation.

/** One node of the main line: its properties, each with its values (unescaped). */
export interface MainLineNode {
  data: Record<string, string[]>;
}

export type ParseResult =
  { ok: true; nodes: MainLineNode[] } | { ok: false; reason: 'not-sgf' | 'truncated' | 'too-long'; detail: string };

/** More nodes on the main line than any game has (the longest professional games run to about 400 moves). */
export const MAX_MAIN_LINE_NODES = 2000;

const OPEN = 0x28; // (
const CLOSE = 0x29; // )
const SEMI = 0x3b; // ;
const LBRACKET = 0x5b; // [
const RBRACKET = 0x5d; // ]
const BACKSLASH = 0x5c;

const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
const isLower = (c: number): boolean => c >= 0x61 && c <= 0x7a;
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

function unescape(raw: string): string {
  if (!raw.includes('\\') && !raw.includes('\r')) return raw;
  let out = '';
  const s = raw.replace(/\r/g, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '\\') out += c;
    else if (i + 1 < s.length) {
      i++;
      if (s[i] !== '\n') out += s[i]; // "\" + newline: a soft line break, removed
    }
  }
  return out;
}

/** The main line of the first game tree in `text`; a typed reason when there is none or it is cut off. */
export function parseMainLine(text: string): ParseResult {
  const n = text.length;
  let i = 0;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  // Like @sabaki/sgf: anything before the first parenthesis is ignored, but the first must open a tree with a node.
  const first = text.slice(i).search(/[()]/);
  if (first < 0 || text[i + first] !== '(')
    return { ok: false, reason: 'not-sgf', detail: 'no game tree: expected "(;" at the start' };
  i += first + 1;
  let j = i;
  while (j < n && isSpace(text.charCodeAt(j))) j++;
  if (text.charCodeAt(j) !== SEMI)
    return { ok: false, reason: 'not-sgf', detail: 'no game tree: expected "(;" at the start' };

  const nodes: MainLineNode[] = [];
  // Per open game tree: is it on the main line, and has a variation opened inside it yet?
  const onMain: boolean[] = [true];
  const branched: boolean[] = [false];
  let depth = 1;
  let seenRoot = false; // the first tree has closed: later trees are not the main line
  let node: MainLineNode | null = null;
  let property: string[] | null = null;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === LBRACKET) {
      // A value: up to the first "]" not escaped.
      let k = i + 1;
      while (k < n) {
        const d = text.charCodeAt(k);
        if (d === BACKSLASH) k += 2;
        else if (d === RBRACKET) break;
        else k++;
      }
      if (k >= n) {
        if (seenRoot) break; // after the first game tree: trailing text, not part of the game
        return { ok: false, reason: 'truncated', detail: 'an unclosed "[" at the end of the file' };
      }
      if (property) property.push(unescape(text.slice(i + 1, k)));
      i = k + 1;
      continue;
    }
    if (isUpper(c) || isLower(c)) {
      let k = i;
      let id = '';
      while (k < n && (isUpper(text.charCodeAt(k)) || isLower(text.charCodeAt(k)))) {
        if (isUpper(text.charCodeAt(k))) id += text[k];
        k++;
      }
      property = null;
      if (depth > 0 && onMain[depth - 1] && !branched[depth - 1] && !seenRoot && id !== '') {
        if (!node) {
          node = { data: {} };
          nodes.push(node);
        }
        property = node.data[id] ??= [];
      }
      i = k;
      continue;
    }
    if (c === SEMI) {
      property = null;
      node = null;
      if (depth > 0 && onMain[depth - 1] && !branched[depth - 1] && !seenRoot) {
        if (nodes.length >= MAX_MAIN_LINE_NODES) {
          return { ok: false, reason: 'too-long', detail: `more than ${MAX_MAIN_LINE_NODES} nodes on the main line` };
        }
        node = { data: {} };
        nodes.push(node);
      }
    } else if (c === OPEN) {
      property = null;
      node = null;
      const parentMain = depth > 0 && (onMain[depth - 1] as boolean) && !branched[depth - 1] && !seenRoot;
      if (depth > 0) branched[depth - 1] = true;
      onMain[depth] = parentMain;
      branched[depth] = false;
      depth++;
    } else if (c === CLOSE) {
      property = null;
      node = null;
      if (depth > 0) {
        depth--;
        if (depth === 0) seenRoot = true;
      }
    }
    i++;
  }
  if (depth > 0) return { ok: false, reason: 'truncated', detail: `${depth} unclosed "(" at the end of the file` };
  return { ok: true, nodes };
}
