export {
  type MelOptions,
  type Spectrogram,
  SPEECH_MEL,
  LogMel,
  hzToMel,
  melToHz,
  melFilterbank,
  vtlpWarp,
  makeWindow,
  frameCount,
  frameLength,
  hopLength,
  validateMelOptions,
} from './logmel.js';
export {
  type FeatureConfig,
  type Normalisation,
  NORMALISATIONS,
  type PreparedClip,
  clipSamples,
  inputShape,
  voicedRange,
  prepareClip,
  normalise,
  featuresOf,
  LENGTH_CUE_BANDS,
  lengthCue,
  withLengthCue,
} from './pipeline.js';
export { type AugmentOptions, DEFAULT_AUGMENT, timeShift, applyGain, addNoise, power, changeSpeed, augment, drawEq, drawTempo, drawTrim, drawWarp, maskSpectrogram, timeWarp, warpRows } from './augment.js';
export { type CmvnOptions, activeFrames, cmvn } from './cmvn.js';
export { activeSpan, changeTempo, stretchRows, stretchedLength } from './stretch.js';
export { lifter } from './lifter.js';
export { DEFAULT_FEATURES } from './defaults.js';
