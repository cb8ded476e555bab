export type { ArrayBatch, DataSource, EpochRecord, History, StepResult } from './types.js';
export { fit, type FitOptions, type Metric } from './fit.js';
export { evaluate, predictBatches, type Evaluation, type PredictedBatch } from './evaluate.js';
export { createTrainer, resolveWorkerCount, type Trainer, type TrainerOptions } from './trainer.js';
export {
  createOptimizer,
  setLearningRate,
  getLearningRate,
  type OptimizerSpec,
  type OptimizerLike,
} from './optimizer.js';
export { ZeilerAdadelta } from './adadelta.js';
export { learningRateAt, type LrSchedule } from './schedule.js';
export { withSeed } from './seed.js';
export { arraySource } from './sources.js';
export { crossEntropy, PROB_EPSILON } from './loss.js';
export { CHECKPOINT_FILE, BEST_FILE } from './checkpoint.js';
export { measureWorkerSpeedup, type SpeedupRow } from './speedup.js';
export { epochProgress, type EpochProgress, type ProgressOptions } from './progress.js';
export {
  collectRowsGathered,
  collectingRowsGathered,
  editableValues,
  noteRowsGathered,
  nonZeroRows,
  nonZeroRowsAmong,
  readValues,
  tableGradient,
  type RowGradientSink,
  type RowPatch,
} from './rows.js';
export {
  trainRecipe,
  CHECKPOINTS_DIR,
  HISTORY_PNG,
  HISTORY_JSON,
  type TrainRecipeOptions,
  type TrainRecipeResult,
  type TrainSummary,
  type RecipeMetadataContext,
} from './recipe.js';
export { registerWorkerModule, registerLayerClass, workerModules } from './worker-modules.js';
