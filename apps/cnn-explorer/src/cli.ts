// cnn-explorer's command line: the lecture's MNIST CNN and what a CNN learns, Deep Dream and style transfer.
// Wiring only: each verb's flags and work live in src/commands/<verb>.ts.
import { pathToFileURL } from 'node:url';
import { createProgram, runProgram } from '@cnn-lab/core';
import type { Command } from 'commander';
import { addDreamCommand } from './commands/dream.js';
import { addEvalCommand } from './commands/eval.js';
import { addPredictCommand } from './commands/predict.js';
import { addReportCommand } from './commands/report.js';
import { addStartCommand } from './commands/start.js';
import { addStyleCommand } from './commands/style.js';
import { addTrainCommand } from './commands/train.js';
import { addVisualizeCommand } from './commands/visualize.js';

export function buildProgram(): Command {
  const program = createProgram(
    'cnn-explorer',
    "The lecture's MNIST CNN and what a CNN learns: filters, neurons, classes, saliency, Deep Dream, style transfer",
  );
  for (const add of [
    addTrainCommand,
    addEvalCommand,
    addPredictCommand,
    addStartCommand,
    addReportCommand,
    addVisualizeCommand,
    addDreamCommand,
    addStyleCommand,
  ]) {
    add(program);
  }
  return program;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runProgram(buildProgram());
