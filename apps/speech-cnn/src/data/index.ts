export {
  type Entry,
  type Skipped,
  UNKNOWN,
  parseFsddName,
  entryFor,
  isEntry,
  sortLabels,
  labelEntries,
} from './labels.js';
export {
  type Split,
  type Partition,
  SPLIT_HELP,
  parseSplit,
  speakersOf,
  splitEntries,
  speakerFolds,
} from './splits.js';
export { type ArrayBatch, type DataSource, featuriseAll, clipSource, fixedSource } from './source.js';
export { type DecodedSet, type LabelledClips, decodeEntries, clipsOf } from './decode.js';
