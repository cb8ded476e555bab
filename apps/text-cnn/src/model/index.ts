export {
  VARIANTS,
  type Variant,
  type KimConfig,
  KIM_DEFAULTS,
  KIM_TRAINING,
  OUTPUT_NAME,
  buildKimCnn,
  convName,
  poolName,
  trainableTables,
} from './kim.js';
export { kimAdadelta } from './adadelta.js';
export {
  LazyRowsAdadelta,
  adadeltaPatchStep,
  adadeltaRowStep,
  createRowState,
  settleAllRows,
  type AdadeltaParams,
  type RowState,
} from './lazy-rows.js';
export {
  buildForSplit,
  kimFitOptions,
  maxWindowOf,
  scoreTest,
  trainOnSplit,
  type FitChoices,
  type NetworkOptions,
  type TrainOptions,
  type TrainResult,
} from './train.js';
