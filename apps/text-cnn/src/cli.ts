// text-cnn's command line: Kim's sentence CNN. Wiring only: each verb lives in src/commands/<verb>.ts.
import { createProgram, runProgram } from '@cnn-lab/core';
import type { Command } from 'commander';
import { registerBenchPaper } from './commands/bench-paper.js';
import { registerData } from './commands/data.js';
import { registerEval } from './commands/eval.js';
import { registerExperiment } from './commands/experiment.js';
import { registerPredict } from './commands/predict.js';
import { registerRepl } from './commands/repl.js';
import { registerStart } from './commands/start.js';
import { registerTrain } from './commands/train.js';
import { registerVectors } from './commands/vectors.js';

export function buildProgram(): Command {
  const program = createProgram(
    'text-cnn',
    'Kim (2014) sentence CNN: full-width filters over words, max-over-time pooling',
  );
  registerTrain(program);
  registerEval(program);
  registerPredict(program);
  registerStart(program);
  registerBenchPaper(program);
  registerData(program);
  registerRepl(program);
  registerVectors(program);
  registerExperiment(program);
  return program;
}

await runProgram(buildProgram());
