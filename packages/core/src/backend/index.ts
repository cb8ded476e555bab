// Backend choice (tfjs-node, wasm, cpu) and the kernels core adds so that wasm can train conv nets.
export { initBackend, currentBackend, BACKENDS } from './init.js';
export type { BackendName, InitBackendOptions } from './init.js';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './wasm-kernels/index.js';
export {
  coreKernelBuild,
  coreKernelBuildAvailable,
  setCoreKernelBuild,
  CORE_KERNEL_BUILDS,
} from './core-kernels/module.js';
export type { CoreKernelBuild, CoreKernelChoice } from './core-kernels/module.js';
export { createForwardPlan, ForwardPlanUnsupported } from './core-kernels/forward-plan.js';
export type { ForwardPlan, ForwardPlanOptions, PlanLayerFunction } from './core-kernels/forward-plan.js';
