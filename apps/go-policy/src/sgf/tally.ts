// Counting over many records: games read, positions, and skips by reason with an example of each.
import { SKIP_REASONS } from './game.js';
import type { ReadResult, SkipReason } from './game.js';

export interface ScanSummary {
  files: number;
  games: number;
  /** Non-pass moves of the games read. */
  positions: number;
  skipped: Record<SkipReason, { count: number; example?: string; detail?: string }>;
}

export function emptySummary(): ScanSummary {
  const skipped = {} as ScanSummary['skipped'];
  for (const r of SKIP_REASONS) skipped[r] = { count: 0 };
  return { files: 0, games: 0, positions: 0, skipped };
}

/** Add one record's outcome to the summary (mutates and returns it). */
export function tally(summary: ScanSummary, name: string, result: ReadResult): ScanSummary {
  summary.files++;
  if (result.ok) {
    summary.games++;
    for (const m of result.game.moves) if (m.move >= 0) summary.positions++;
  } else {
    const s = summary.skipped[result.reason];
    s.count++;
    if (s.example === undefined) {
      s.example = name;
      s.detail = result.detail;
    }
  }
  return summary;
}

export function formatSummary(s: ScanSummary): string {
  const skips = SKIP_REASONS.filter((r) => s.skipped[r].count > 0).map(
    (r) => `  ${r}: ${s.skipped[r].count} (e.g. ${s.skipped[r].example}: ${s.skipped[r].detail})`,
  );
  const skippedTotal = SKIP_REASONS.reduce((n, r) => n + s.skipped[r].count, 0);
  return [`${s.files} files: ${s.games} games read, ${s.positions} positions, ${skippedTotal} skipped`, ...skips].join(
    '\n',
  );
}
