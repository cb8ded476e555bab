export { type ModelKind, type FreqOptions, type TwoDOptions, type HeadOptions, type ModelOverrides, MODEL_KINDS, FREQ_DEFAULTS, TWO_D_DEFAULTS, buildFreqModel, build2dModel, buildModel } from './models.js';
export { predictProbs, rankLabels } from './predict.js';
export { type SpeechModelInfo, type Classification, type SpeechMember, speechModelInfo, SpeechClassifier } from './classifier.js';
export { ENSEMBLE_JSON, saveSpeechModel, saveSpeechEnsemble, loadSpeechClassifier, memberFolders, combineSpeechModels } from './ensemble.js';
export { type TrainSpeechOptions, type TrainedSpeech, trainSpeechModel } from './train.js';
