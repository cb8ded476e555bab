export {
  argmaxRows,
  accuracy,
  accuracyOfPredictions,
  topKAccuracy,
  topK,
  topKClasses,
  logLoss,
} from './classification.js';
export { type ConfusionMatrix, type ClassScores, type ClassReport, confusionMatrix, classReport } from './confusion.js';
export { type TableOptions, formatTable, formatClassReport, formatConfusionMatrix } from './table.js';
export { type ProportionInterval, proportionInterval, normalQuantile } from './interval.js';
