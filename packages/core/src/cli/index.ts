export { UsageError, DataError, exitCodeFor } from './errors.js';
export {
  type CommonOptions,
  type CommonOptionName,
  ALL_COMMON_OPTIONS,
  withCommonOptions,
  parseIntIn,
  parseNumberIn,
  parseChoice,
} from './options.js';
export { resolveDataDir, resolveFolderOption, findWorkspaceRoot } from './data-dir.js';
export { isWithin, resolveUserPath } from './user-path.js';
export { exitQuietlyOnClosedPipe } from './pipes.js';
export { listenError, assertPortFree } from './listen.js';
export {
  type ActionContext,
  type ActionResult,
  type RunActionOptions,
  createProgram,
  runAction,
  runProgram,
  printJsonLine,
} from './program.js';
