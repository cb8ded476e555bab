import {
  MAX_LINE_BYTES,
  byteLines,
  decodeLine,
  emptyReport,
  noteSkip,
  type Encoding,
  type Example,
  type LoadReport,
  tooLongWhy,
} from './example.js';

export interface LabelFirstOptions {
  /** Accepted labels (e.g. ['0', '1'] for MR); any label is accepted when absent. */
  labels?: readonly string[];
  encoding?: Encoding;
}

/**
 * The harvardnlp / Kim format: one example per line, the label, one space, the sentence
 * ("1 a stirring , funny film"). Empty lines, unknown labels and undecodable lines are skipped and counted.
 */
export function parseLabelFirst(
  bytes: Uint8Array,
  file: string,
  opts: LabelFirstOptions = {},
): { examples: Example[]; report: LoadReport } {
  const report = emptyReport(file);
  const examples: Example[] = [];
  const allowed = opts.labels ? new Set(opts.labels) : undefined;
  let lineNo = 0;
  for (const raw of byteLines(bytes)) {
    lineNo++;
    report.lines++;
    if (raw.length > MAX_LINE_BYTES) {
      noteSkip(report, 'tooLong', lineNo, tooLongWhy(raw.length));
      continue;
    }
    const decoded = decodeLine(raw, opts.encoding ?? 'auto');
    if (!decoded) {
      noteSkip(report, 'badEncoding', lineNo, `not ${opts.encoding === 'utf8' ? 'UTF-8' : 'text'}`);
      continue;
    }
    const line = decoded.text.trim();
    if (line === '') {
      noteSkip(report, 'empty', lineNo, 'empty line');
      continue;
    }
    const space = line.search(/\s/);
    const label = space < 0 ? line : line.slice(0, space);
    const text = space < 0 ? '' : line.slice(space + 1).trim();
    if (allowed && !allowed.has(label)) {
      noteSkip(
        report,
        'unknownLabel',
        lineNo,
        `label '${label.slice(0, 20)}' is not one of ${[...allowed].join(', ')}`,
      );
      continue;
    }
    if (text === '') {
      noteSkip(report, 'empty', lineNo, 'a label without a sentence');
      continue;
    }
    if (decoded.latin1) report.latin1++;
    report.kept++;
    examples.push({ label, text, source: `${file}:${lineNo}` });
  }
  return { examples, report };
}
