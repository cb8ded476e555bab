import { parse } from 'csv-parse/sync';
import { DataError } from '@cnn-lab/core';
import {
  MAX_LINE_BYTES,
  decodeLine,
  emptyReport,
  noteSkip,
  type Encoding,
  type Example,
  type LoadReport,
} from './example.js';

export interface DelimitedOptions {
  /** Column holding the sentence: a header name, or a 0-based index. */
  textColumn: string;
  /** Column holding the label: a header name, or a 0-based index. */
  labelColumn: string;
  /** Field separator; ',' for CSV, '\t' for TSV. */
  delimiter?: string;
  /** Whether the first row names the columns (default: yes when a column is given by name). */
  header?: boolean;
  labels?: readonly string[];
  encoding?: Encoding;
}

/** CSV or TSV with quoting (csv-parse); rows with an empty sentence, an unknown label or bad bytes are skipped. */
export function parseDelimited(
  bytes: Uint8Array,
  file: string,
  opts: DelimitedOptions,
): { examples: Example[]; report: LoadReport } {
  const report = emptyReport(file);
  const decoded = decodeLine(bytes, opts.encoding ?? 'auto');
  if (!decoded) throw new DataError(file, 'not a text file (control characters or bytes that are not UTF-8)');
  const byName = !/^\d+$/.test(opts.textColumn) || !/^\d+$/.test(opts.labelColumn);
  const header = opts.header ?? byName;
  let rows: Array<{ record: string[]; line: number }>;
  try {
    rows = (
      parse(decoded.text, {
        delimiter: opts.delimiter ?? (file.endsWith('.tsv') ? '\t' : ','),
        relax_column_count: true,
        relax_quotes: true,
        skip_empty_lines: false,
        info: true,
      }) as unknown as Array<{ record: string[]; info: { lines: number } }>
    ).map((r) => ({ record: r.record, line: r.info.lines }));
  } catch (err) {
    const e = err as { message?: string; lines?: number };
    throw new DataError(file, `not valid CSV/TSV: ${e.message ?? String(err)}`, e.lines);
  }
  let names: string[] | undefined;
  if (header) {
    const first = rows.shift();
    if (!first) throw new DataError(file, 'empty file: expected a header row');
    names = first.record.map((s) => s.trim());
  }
  const textIx = columnIndex(opts.textColumn, names, file, '--text-column');
  const labelIx = columnIndex(opts.labelColumn, names, file, '--label-column');
  const allowed = opts.labels ? new Set(opts.labels) : undefined;
  const examples: Example[] = [];
  for (const { record, line } of rows) {
    report.lines++;
    if (record.some((f) => f.length > MAX_LINE_BYTES)) {
      const longest = Math.max(...record.map((f) => f.length));
      noteSkip(report, 'tooLong', line, `field of ${longest} characters (at most ${MAX_LINE_BYTES}): not a sentence`);
      continue;
    }
    const text = (record[textIx] ?? '').trim();
    const label = (record[labelIx] ?? '').trim();
    if (text === '' || label === '') {
      noteSkip(report, 'empty', line, record.every((f) => f.trim() === '') ? 'empty row' : 'empty sentence or label');
      continue;
    }
    if (allowed && !allowed.has(label)) {
      noteSkip(report, 'unknownLabel', line, `label '${label.slice(0, 20)}' is not one of ${[...allowed].join(', ')}`);
      continue;
    }
    if (text.includes('\uFFFD')) {
      noteSkip(report, 'badEncoding', line, 'replacement characters in the sentence');
      continue;
    }
    report.kept++;
    examples.push({ label, text, source: `${file}:${line}` });
  }
  if (decoded.latin1) report.latin1 = report.kept;
  return { examples, report };
}

function columnIndex(column: string, names: string[] | undefined, file: string, flag: string): number {
  if (/^\d+$/.test(column)) return Number(column);
  const ix = names?.indexOf(column) ?? -1;
  if (ix < 0)
    throw new DataError(file, `${flag} '${column}' is not a column (columns: ${names?.join(', ') ?? 'none'})`, 1);
  return ix;
}
