export { type Audio, type DecodeOptions, DEFAULT_MAX_SECONDS, decodeWav, encodeWav16 } from './wav.js';
export { resample } from './resample.js';
