export { encodeBoard } from './encode.js';
export type { EncodeOptions, PlaneBuffer } from './encode.js';
export {
  ALPHAGO_PLANES,
  FEATURE_SET_GROUPS,
  FEATURE_SET_NAMES,
  GROUP_PLANES,
  groupOffsets,
  isFeatureSetName,
  planeCount,
} from './sets.js';
export type { FeatureGroup, FeatureSetName } from './sets.js';
export {
  SYMMETRIES,
  SYMMETRY_NAMES,
  inverseSymmetry,
  symmetryTable,
  transformMove,
  transformPlanes,
} from './symmetry.js';
export type { Symmetry } from './symmetry.js';
