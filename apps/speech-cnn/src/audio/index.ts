export {
  type Audio,
  type DecodeOptions,
  DEFAULT_MAX_SECONDS,
  MAX_CHANNELS,
  MAX_SAMPLE_RATE,
  MIN_SAMPLE_RATE,
  decodeWav,
  encodeWav16,
} from './wav.js';
export { MAX_RATE_RATIO, resample } from './resample.js';
