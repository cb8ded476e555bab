export { Rng } from './random.js';
export { median, quantile, timingSummary, type TimingSummary } from './stats.js';
