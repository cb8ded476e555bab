// speech-cnn's command line: wiring only. Each verb lives in src/commands/<verb>.ts.
import { createProgram, runProgram } from '@cnn-lab/core';
import { addEnsemble } from './commands/ensemble.js';
import { addEval } from './commands/eval.js';
import { addPredict } from './commands/predict.js';
import { addStart } from './commands/start.js';
import { addTrain } from './commands/train.js';

export function buildProgram() {
  const program = createProgram(
    'speech-cnn',
    'A CNN that recognises spoken words from log-mel spectrograms (Sainath & Parada 2015)',
  );
  for (const add of [addTrain, addEval, addPredict, addEnsemble, addStart]) add(program);
  return program;
}

await runProgram(buildProgram());
