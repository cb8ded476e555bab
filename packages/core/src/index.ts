// @cnn-lab/core: the ML machinery every app shares. One folder per idea; each folder's index lists its public API.
export * from './backend/index.js';
export * from './train/index.js';
export * from './io/index.js';
export * from './metrics/index.js';
export * from './viz/index.js';
export * from './cli/index.js';
export * from './util/index.js';
