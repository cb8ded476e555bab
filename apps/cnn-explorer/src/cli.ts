// cnn-explorer's command line: the lecture's MNIST CNN and what a CNN learns, Deep Dream and style transfer.
// Wiring only: each verb's flags and work live in src/commands/<verb>.ts.
import { pathToFileURL } from 'node:url';
import { createProgram, runProgram } from '@cnn-lab/core';
import type { Command } from 'commander';
import { registerDream } from './commands/dream.js';
import { registerEval } from './commands/eval.js';
import { registerOod } from './commands/ood.js';
import { registerPredict } from './commands/predict.js';
import { registerReport } from './commands/report.js';
import { registerStart } from './commands/start.js';
import { registerStyle } from './commands/style.js';
import { registerTrain } from './commands/train.js';
import { registerVisualize } from './commands/visualize.js';

export function buildProgram(): Command {
  const program = createProgram(
    'cnn-explorer',
    "The lecture's MNIST CNN and what a CNN learns: filters, neurons, classes, saliency, Deep Dream, style transfer",
  );
  registerTrain(program);
  registerEval(program);
  registerPredict(program);
  registerStart(program);
  registerReport(program);
  registerOod(program);
  registerVisualize(program);
  registerDream(program);
  registerStyle(program);
  return program;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runProgram(buildProgram());
