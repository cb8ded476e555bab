export { type Audio, type DecodeOptions, DEFAULT_MAX_SECONDS, decodeWav, encodeWav16, resample } from './wav.js';
