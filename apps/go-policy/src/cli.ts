// go-policy's command line: wiring only. Each verb lives in src/commands/<verb>.ts, which reads the
// flags and calls typed code; src/web/routes.ts is the only other place that reads from outside.
import { createProgram, runProgram } from '@cnn-lab/core';
import { registerBench } from './commands/bench.js';
import { registerEval } from './commands/eval.js';
import { registerGtp } from './commands/gtp.js';
import { registerMatch } from './commands/match.js';
import { registerPredict } from './commands/predict.js';
import { registerStart } from './commands/start.js';
import { registerTrain } from './commands/train.js';
import { registerTrainRollout } from './commands/train-rollout.js';

const program = createProgram(
  'go-policy',
  "AlphaGo's supervised policy network: predict a professional's next move, play it through GTP and in a browser",
);
for (const register of [
  registerTrain,
  registerTrainRollout,
  registerEval,
  registerPredict,
  registerGtp,
  registerMatch,
  registerStart,
  registerBench,
])
  register(program);
await runProgram(program);
