export {
  type MelOptions,
  type Spectrogram,
  SPEECH_MEL,
  LogMel,
  hzToMel,
  melToHz,
  melFilterbank,
  makeWindow,
  frameCount,
  frameLength,
  hopLength,
  validateMelOptions,
} from './logmel.js';
export {
  type FeatureConfig,
  type PreparedClip,
  clipSamples,
  inputShape,
  voicedRange,
  prepareClip,
  normalise,
  featuresOf,
} from './pipeline.js';
export {
  type AugmentOptions,
  DEFAULT_AUGMENT,
  timeShift,
  applyGain,
  addNoise,
  power,
  changeSpeed,
  augment,
  drawEq,
  maskSpectrogram,
} from './augment.js';
export { activeFrames, activeSpan, stretchRows } from './stretch.js';
export { DEFAULT_FEATURES } from './defaults.js';
export { type GateOptions, type GateReading, DEFAULT_GATE, frameEnergiesDb, gateReading } from './vad.js';
