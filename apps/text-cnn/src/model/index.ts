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
} from './kim.js';
export { ZeilerAdadelta, kimAdadelta } from './adadelta.js';
