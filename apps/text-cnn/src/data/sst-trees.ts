// The Stanford Sentiment Treebank as labelled parse trees (PTB brackets, a label 0-4 on every phrase), read into
// Kim's training examples: every labelled phrase of the train trees, its words written as the sentence files
// (stsa.*) write them.
import { DataError } from '@cnn-lab/core';
import { byteLines, decodeLine, emptyReport, noteSkip, type Example, type LoadReport } from './example.js';

/** A phrase of a tree: its label (0-4) and its words in order. */
export interface Phrase {
  label: number;
  words: string[];
}

/**
 * The phrases of one tree line, `(3 (2 (2 The) (2 Rock)) (4 ...))`, root first. A DataError names `where`
 * (file:line) and what is wrong.
 */
export function parseTree(line: string, where: string): Phrase[] {
  const phrases: Phrase[] = [];
  let at = 0;
  const fail = (why: string): never => {
    throw new DataError(where, `${why} at character ${at + 1}`);
  };
  const skipSpace = () => {
    while (at < line.length && /\s/.test(line[at] as string)) at++;
  };
  // Returns the words the node spans; records the node's phrase (pre-order: a node before its children).
  const node = (): string[] => {
    skipSpace();
    if (line[at] !== '(') fail(`expected '('`);
    at++;
    const labelMatch = /^([0-4])\s+/.exec(line.slice(at, at + 3));
    if (!labelMatch) fail('expected a label 0-4 after "("');
    const label = Number((labelMatch as RegExpExecArray)[1]);
    at += (labelMatch as RegExpExecArray)[0].length;
    const slot = phrases.length;
    phrases.push({ label, words: [] });
    const words: string[] = [];
    skipSpace();
    if (line[at] === '(') {
      while (line[at] === '(') {
        words.push(...node());
        skipSpace();
      }
    } else {
      // A leaf's text runs to its ')' and may hold a space: the treebank has "(2 8 1\/2)" (8 1/2, the film, with a
      // no-break space), kept as the sentence files keep it.
      const start = at;
      while (at < line.length && line[at] !== ')' && line[at] !== '(') at++;
      const leaf = line.slice(start, at).trim();
      if (leaf === '') fail('expected a word or a child phrase');
      words.push(leaf);
    }
    if (line[at] !== ')') fail(`expected ')'`);
    at++;
    (phrases[slot] as Phrase).words = words;
    return words;
  };
  node();
  skipSpace();
  if (at !== line.length) fail('text after the tree');
  return phrases;
}

/**
 * A tree's words as the sentence files (stsa.fine.*, stsa.binary.*) write them: lower-cased, the PTB escapes
 * (-LRB-, \/, ``) kept as they are. clean_str_sst then treats phrases and sentences alike.
 */
export function sentenceText(words: readonly string[]): string {
  return words.join(' ').toLowerCase();
}

/** SST-1 keeps the five labels; SST-2 drops neutral (2) and maps 0-1 to 0 and 3-4 to 1. */
export type PhraseLabels = 'fine' | 'binary';

export function phraseLabel(label: number, labels: PhraseLabels): string | undefined {
  if (labels === 'fine') return String(label);
  if (label === 2) return undefined;
  return label < 2 ? '0' : '1';
}

export interface PhraseExamples {
  examples: Example[];
  report: LoadReport;
  /** Trees (sentences) read. */
  trees: number;
  /** Labelled nodes in them. */
  nodes: number;
  /** Nodes whose text was already taken (the same phrase met again: one example each). */
  repeated: number;
  /** Nodes without a label in this scheme (neutral, for SST-2). */
  dropped: number;
}

/**
 * Kim's training examples from a file of trees: every labelled phrase (every node, the whole sentence included),
 * each distinct phrase once, in the order met. Lines that are not trees are a DataError naming file:line.
 */
export function phrasesFromTrees(bytes: Uint8Array, file: string, labels: PhraseLabels): PhraseExamples {
  const report = emptyReport(file);
  const examples: Example[] = [];
  const seen = new Set<string>();
  let trees = 0;
  let nodes = 0;
  let repeated = 0;
  let dropped = 0;
  let lineNo = 0;
  for (const raw of byteLines(bytes)) {
    lineNo++;
    report.lines++;
    const decoded = decodeLine(raw, 'utf8');
    if (!decoded) {
      noteSkip(report, 'badEncoding', lineNo, 'not UTF-8');
      continue;
    }
    const line = decoded.text.trim();
    if (line === '') {
      noteSkip(report, 'empty', lineNo, 'empty line');
      continue;
    }
    const phrases = parseTree(line, `${file}:${lineNo}`);
    trees++;
    for (const p of phrases) {
      nodes++;
      const label = phraseLabel(p.label, labels);
      if (label === undefined) {
        dropped++;
        continue;
      }
      const text = sentenceText(p.words);
      if (seen.has(text)) {
        repeated++;
        continue;
      }
      seen.add(text);
      examples.push({ label, text, source: `${file}:${lineNo}` });
    }
  }
  report.kept = examples.length;
  return { examples, report, trees, nodes, repeated, dropped };
}

export function describePhrases(p: PhraseExamples): string {
  return `${p.report.file}: ${p.examples.length} distinct labelled phrases from ${p.trees} trees (${p.nodes} labelled nodes; ${p.repeated} repeats${p.dropped ? `, ${p.dropped} neutral dropped` : ''})`;
}
