// What a CNN learns, as pictures (generic: any tf.LayersModel, any layer).
export { layerOutputModel, withoutActivation } from './layer-model.js';
export { type Regularisers, roll, gaussianBlur, regularise } from './regularise.js';
export { type MaximiseOptions, type MaximiseResult, maximiseActivation, unitScores } from './maximise.js';
export { type SaliencyResult, saliencyMaps } from './saliency.js';
export { toBatch, fromBatch } from './float-image.js';
export { type RebuildOptions, rebuildForInference } from './rebuild.js';
export { type DeepDreamOptions, KERAS_DREAM_LAYERS, deepDream, dreamLoss, octaveSizes } from './deep-dream.js';
export { type StyleTransferOptions, type StyleLosses, styleTransfer, gramMatrix, totalVariation } from './style-transfer.js';
