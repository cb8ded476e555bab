/** One labelled sentence as read from a file, before tokenisation. */
export interface Example {
  label: string;
  text: string;
  /** Where it came from, for messages: "file:line". */
  source: string;
}

/** What a loader skipped and why: a batch job counts bad records and goes on. */
export interface LoadReport {
  file: string;
  lines: number;
  kept: number;
  empty: number;
  unknownLabel: number;
  badEncoding: number;
  /** Lines (or CSV fields) longer than MAX_LINE_BYTES: not a sentence, and no use to a model that reads sentences. */
  tooLong: number;
  /** Lines that were not UTF-8 and were read as Latin-1 (MR and Subj are Latin-1 files). */
  latin1: number;
  /** The first few skipped lines, "file:line: why", so a user can look. */
  samples: string[];
}

export type Encoding = 'auto' | 'utf8' | 'latin1';

export function emptyReport(file: string): LoadReport {
  return { file, lines: 0, kept: 0, empty: 0, unknownLabel: 0, badEncoding: 0, tooLong: 0, latin1: 0, samples: [] };
}

/**
 * The longest line (in bytes; in characters for a CSV field) a reader takes as an example; longer ones are skipped
 * and counted. A sentence, even a long review, is far shorter; one 10 MB line once made `train` try to pad every
 * sentence to its length (a 29 GB batch).
 */
export const MAX_LINE_BYTES = 64 * 1024;

const MAX_SAMPLES = 5;

export function noteSkip(
  report: LoadReport,
  kind: 'empty' | 'unknownLabel' | 'badEncoding' | 'tooLong',
  line: number,
  why: string,
): void {
  report[kind]++;
  if (report.samples.length < MAX_SAMPLES) report.samples.push(`${report.file}:${line}: ${why}`);
}

export function describeReport(r: LoadReport): string {
  const skipped = r.empty + r.unknownLabel + r.badEncoding + r.tooLong;
  const parts = [`${r.file}: ${r.kept} examples from ${r.lines} lines`];
  if (skipped > 0) {
    const long = r.tooLong > 0 ? `, too long ${r.tooLong}` : '';
    parts.push(
      `skipped ${skipped} (empty ${r.empty}, unknown label ${r.unknownLabel}, bad encoding ${r.badEncoding}${long})`,
    );
  }
  if (r.latin1 > 0) parts.push(`${r.latin1} lines read as Latin-1`);
  return parts.join('; ') + (r.samples.length ? `\n  e.g. ${r.samples.join('\n  e.g. ')}` : '');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/**
 * Decodes one line; undefined when it is not valid in `encoding`. `auto` tries UTF-8 and falls back to
 * Latin-1 (every byte sequence is valid Latin-1, so `auto` only fails on control characters).
 */
export function decodeLine(bytes: Uint8Array, encoding: Encoding): { text: string; latin1: boolean } | undefined {
  let text: string | undefined;
  let wasLatin1 = false;
  if (encoding !== 'latin1') {
    try {
      text = utf8.decode(bytes);
    } catch {
      text = undefined;
    }
  }
  if (text === undefined && encoding !== 'utf8') {
    text = latin1.decode(bytes);
    wasLatin1 = true;
  }
  // NUL and other C0 controls (other than tab) mean a binary or mis-decoded file, not text.
  if (text === undefined || hasControlCharacters(text)) return undefined;
  return { text, latin1: wasLatin1 };
}

function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return true;
  }
  return false;
}

/** The note for a line over MAX_LINE_BYTES. */
export function tooLongWhy(bytes: number): string {
  return `line of ${bytes} bytes (at most ${MAX_LINE_BYTES}): not a sentence`;
}

/** The lines of a file's bytes, split on \n with a trailing \r dropped; the last line may lack a newline. */
export function* byteLines(bytes: Uint8Array): Generator<Uint8Array> {
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    let stop = end;
    if (stop > start && bytes[stop - 1] === 0x0d) stop--;
    yield bytes.subarray(start, stop);
    start = end + 1;
  }
}
