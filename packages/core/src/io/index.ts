export { writeFileAtomic } from './atomic.js';
export {
  type ModelMetadata,
  type MetadataFields,
  type SaveModelOptions,
  type SavedModelInfo,
  type LoadModelOptions,
  type LoadedModel,
  MODEL_JSON,
  WEIGHTS_BIN,
  METADATA_JSON,
  saveModel,
  loadModel,
} from './model.js';
export {
  type CheckpointInfo,
  type NamedTensor,
  type SaveWeightsOptions,
  type LoadWeightsOptions,
  saveTensors,
  loadTensors,
  saveWeights,
  loadWeights,
} from './weights.js';
