export { type FileOps, nodeFileOps, writeFileAtomic } from './atomic.js';
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
  removeModel,
  modelFiles,
} from './model.js';
export {
  type ResolvedModelDir,
  type ResolveModelDirOptions,
  type ResolveOutDirOptions,
  type MetadataValidator,
  type MetadataFieldReader,
  type LoadModelFolderOptions,
  type ModelFolder,
  resolveModelDir,
  resolveOutDir,
  assertWritable,
  isShippedModelDir,
  runsRoot,
  runTimestamp,
  loadModelFolder,
  metadataFields,
} from './model-folder.js';
export { type GroupMember, type ModelGroupOptions, saveModelGroup, modelGroupMembers, removeModelGroup } from './model-group.js';
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
