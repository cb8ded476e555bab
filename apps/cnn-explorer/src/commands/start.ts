// `start`: for now the same as `report` (the long static HTML report, minutes of work). It takes the same
// flags; the fast interactive page that will serve the shipped model in seconds is not built yet.
import { runAction } from '@cnn-lab/core';
import type { Command } from 'commander';
import { withReportFlags, writeReport, type ReportOpts } from './report.js';

export function registerStart(program: Command): void {
  withReportFlags(
    program
      .command('start')
      .description('for now the same as `report`: writes the long HTML report (minutes; --no-dream about 1 minute)'),
  ).action(runAction<ReportOpts>(async ({ opts, log, json }) => writeReport(opts, { log, json })));
}
