export { classNames, prepareSplit, type PreparedSplit, type PrepareOptions } from './prepare.js';
export { trainOnSplit, type TrainOptions, type TrainResult } from './train.js';
export { meanStd, formatPaperTable, type BenchRow } from './summary.js';
