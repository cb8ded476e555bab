// What eval and train print for a reader: the scores in one line, accuracy by stage of the game, and
// the games that were skipped with the reason why.
import type { StreamStats } from '../data/stream.js';
import type { PolicyScore } from './evaluate.js';

const pct = (x: number, digits: number): string => `${(x * 100).toFixed(digits)}%`;

/** "truncated 1 (e.g. 5p/x.sgf: ...); illegal-move 2 (e.g. ...)" */
export function skippedSummary(skipped: StreamStats['skipped']): string {
  return Object.entries(skipped)
    .map(([reason, s]) => `${reason} ${s.count} (e.g. ${s.example})`)
    .join('; ');
}

/** The lines `eval` prints: overall scores, then one line per move-number bucket, then what was skipped. */
export function scoreReport(score: PolicyScore, stats: StreamStats | undefined): string[] {
  const lines = [
    `top-1 ${pct(score.top1, 2)}  top-5 ${pct(score.top5, 2)}  log-loss ${score.logLoss.toFixed(4)}  on ${score.positions} positions of ${stats?.games ?? 0} games`,
    'accuracy by move number:',
    ...score.byMoveNumber.map(
      (s) =>
        `  moves ${s.moves.padEnd(8)} ${String(s.positions).padStart(7)} positions  top-1 ${pct(s.top1, 1)}  top-5 ${pct(s.top5, 1)}`,
    ),
  ];
  if (stats && Object.keys(stats.skipped).length > 0) lines.push(`skipped: ${skippedSummary(stats.skipped)}`);
  return lines;
}
