// AlphaGo's input planes (Silver et al. 2016, Extended Data Table 2) and smaller sets for comparison.
// Every set is a list of feature groups in this fixed order; a group keeps its planes contiguous.

export type FeatureGroup =
  | 'colour'
  | 'ones'
  | 'turnsSince'
  | 'liberties'
  | 'captureSize'
  | 'selfAtari'
  | 'libertiesAfter'
  | 'ladderCapture'
  | 'ladderEscape'
  | 'sensibleness'
  | 'zeros';

/** Planes per group: one-hot integer features take 8, the last meaning "8 or more" (or "7 or more" for capture size). */
export const GROUP_PLANES: Readonly<Record<FeatureGroup, number>> = {
  colour: 3,
  ones: 1,
  turnsSince: 8,
  liberties: 8,
  captureSize: 8,
  selfAtari: 8,
  libertiesAfter: 8,
  ladderCapture: 1,
  ladderEscape: 1,
  sensibleness: 1,
  zeros: 1,
};

const ALL: FeatureGroup[] = [
  'colour',
  'ones',
  'turnsSince',
  'liberties',
  'captureSize',
  'selfAtari',
  'libertiesAfter',
  'ladderCapture',
  'ladderEscape',
  'sensibleness',
  'zeros',
];

export const FEATURE_SET_GROUPS = {
  /** The paper's 48 planes. */
  alphago: ALL,
  /** 46 planes: the paper's without the two ladder planes (the most expensive to compute). */
  'no-ladders': ALL.filter((g) => g !== 'ladderCapture' && g !== 'ladderEscape'),
  /** 20 planes: stones, ones, turns since, liberties. */
  'stones+history+liberties': ['colour', 'ones', 'turnsSince', 'liberties'],
  /** 12 planes: stones, ones, turns since. */
  'stones+history': ['colour', 'ones', 'turnsSince'],
  /** 4 planes: own / opponent / empty, ones. */
  stones: ['colour', 'ones'],
} as const satisfies Record<string, readonly FeatureGroup[]>;

export type FeatureSetName = keyof typeof FEATURE_SET_GROUPS;

export const FEATURE_SET_NAMES = Object.keys(FEATURE_SET_GROUPS) as FeatureSetName[];

export function isFeatureSetName(name: string): name is FeatureSetName {
  return Object.hasOwn(FEATURE_SET_GROUPS, name);
}

/** Planes in a feature set (alphago 48, no-ladders 46, ...). */
export function planeCount(set: FeatureSetName): number {
  return FEATURE_SET_GROUPS[set].reduce((n, g) => n + GROUP_PLANES[g], 0);
}

/** First plane of each group in a set, -1 where the set leaves the group out. */
export function groupOffsets(set: FeatureSetName): Record<FeatureGroup, number> {
  const out = Object.fromEntries(ALL.map((g) => [g, -1])) as Record<FeatureGroup, number>;
  let k = 0;
  for (const g of FEATURE_SET_GROUPS[set]) {
    out[g] = k;
    k += GROUP_PLANES[g];
  }
  return out;
}

/** First plane of each group in the full 48-plane set, as the notes number them. */
export const ALPHAGO_PLANES: Readonly<Record<FeatureGroup, number>> = {
  colour: 0,
  ones: 3,
  turnsSince: 4,
  liberties: 12,
  captureSize: 20,
  selfAtari: 28,
  libertiesAfter: 36,
  ladderCapture: 44,
  ladderEscape: 45,
  sensibleness: 46,
  zeros: 47,
};
