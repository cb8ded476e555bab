export {
  type ModelKind,
  type FreqOptions,
  type TwoDOptions,
  MODEL_KINDS,
  FREQ_DEFAULTS,
  TWO_D_DEFAULTS,
  buildFreqModel,
  build2dModel,
  buildModel,
} from './networks.js';
export { predictProbs, rankLabels } from './predict.js';
export { type SpeechModelInfo, speechModelInfo } from './metadata.js';
export { type Classification, type SpeechMember, SpeechClassifier } from './classifier.js';
export { ENSEMBLE_JSON, GROUP, memberFolders } from './folder.js';
export { type LoadedMember, loadMembers, loadSpeechClassifier } from './load.js';
export { combineSpeechModels } from './combine.js';
export {
  type TrainSpeechOptions,
  type TrainedSpeech,
  type SpeechFitOptions,
  LEARNING_RATE,
  speechTraining,
  trainSpeechModel,
  scoreOn,
} from './train.js';
export { type NoWordReason, type RejectOptions, type Decision, DEFAULT_REJECT, decide, wordOf } from './decide.js';
