import type { ClassReport, ConfusionMatrix } from './confusion.js';

export interface TableOptions {
  /** Per column: 'left' for text, 'right' for numbers (the default for a column of numbers). */
  align?: Array<'left' | 'right'>;
  /** Digits after the point for numbers that are not integers (default 3). */
  digits?: number;
}

/**
 * A plain-text table with a header rule, columns padded to their widest cell. Numbers are right
 * aligned and printed with `digits` decimals, integers as they are.
 */
export function formatTable(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
  options: TableOptions = {},
): string {
  const digits = options.digits ?? 3;
  rows.forEach((row, i) => {
    if (row.length !== header.length)
      throw new RangeError(`row ${i} has ${row.length} cells; the header has ${header.length}`);
  });
  const cell = (v: string | number) =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(digits)) : v;
  const text = rows.map((row) => row.map(cell));
  const widths = header.map((h, c) => Math.max(h.length, ...text.map((row) => (row[c] as string).length)));
  const align = header.map(
    (_, c) =>
      options.align?.[c] ?? (rows.length > 0 && rows.every((row) => typeof row[c] === 'number') ? 'right' : 'left'),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((v, c) => (align[c] === 'right' ? v.padStart(widths[c] as number) : v.padEnd(widths[c] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

/** A classification report as text, laid out like scikit-learn's: one row per class, a blank row, the means. */
export function formatClassReport(report: ClassReport, digits = 3): string {
  // Scores always show their decimals (a recall of 1 reads 1.000), supports are counts.
  const f = (v: number) => v.toFixed(digits);
  const rows: Array<Array<string | number>> = [
    ...report.classes.map((c) => [c.label, f(c.precision), f(c.recall), f(c.f1), c.support]),
    ['', '', '', '', ''],
    ['accuracy', '', '', f(report.accuracy), report.total],
    ['macro avg', f(report.macro.precision), f(report.macro.recall), f(report.macro.f1), report.total],
    ['weighted avg', f(report.weighted.precision), f(report.weighted.recall), f(report.weighted.f1), report.total],
  ];
  return formatTable(['class', 'precision', 'recall', 'f1', 'support'], rows, {
    digits,
    align: ['left', 'right', 'right', 'right', 'right'],
  });
}

/** A confusion matrix as text: rows are true classes, columns predicted ones. */
export function formatConfusionMatrix(matrix: ConfusionMatrix, labels?: readonly string[]): string {
  const names = labels ?? matrix.map((_, i) => String(i));
  return formatTable(
    ['true \\ pred', ...names],
    matrix.map((row, i) => [names[i] ?? String(i), ...row]),
  );
}
