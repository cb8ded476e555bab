// What a CNN learns, as pictures (generic: any tf.LayersModel, any layer).
export { layerOutputModel, withoutActivation } from './layer-model.js';
export { type Regularisers, roll, gaussianBlur, regularise } from './regularise.js';
export { type MaximiseOptions, type MaximiseResult, maximiseActivation, unitScores } from './maximise.js';
export { type SaliencyResult, saliencyMaps } from './saliency.js';
