// The benchmark of the reference nets (go policy, Kim's text CNN, lecture MNIST) against PyTorch.
export { BENCH_NETS, benchNet } from './nets.js';
export type { BenchNet, BenchNetName } from './nets.js';
export { medianMs, timeNet } from './measure.js';
export { profileTrainStep } from './profile.js';
export { formatTable, withRatios } from './report.js';
export type { BenchRow } from './report.js';
