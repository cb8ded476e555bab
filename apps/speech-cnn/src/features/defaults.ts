import { SPEECH_MEL } from './logmel.js';
import type { FeatureConfig } from './pipeline.js';

/** FSDD words last 0.14-1.32 s; 1 s holds nearly all of them whole. */
export const DEFAULT_FEATURES: FeatureConfig = { mel: SPEECH_MEL, seconds: 1, trimDb: 40, rangeDb: 80 };
