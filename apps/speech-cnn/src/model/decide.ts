import type { Audio } from '../audio/index.js';
import { UNKNOWN } from '../data/index.js';
import { DEFAULT_GATE, gateReading, type GateOptions, type GateReading } from '../features/index.js';
import type { Classification, SpeechClassifier } from './classifier.js';

/** Why there is no word: nothing was said (the voice-activity gate), or what was said is none of the words. */
export type NoWordReason = 'silence' | 'not-a-digit';

export interface RejectOptions {
  gate: GateOptions;
  /**
   * A word whose probability is below this is answered "not a digit" too (0: only the unknown class rejects). Set from
   * measurements, see docs/experiments/speech-cnn.md.
   */
  minProbability: number;
}

export const DEFAULT_REJECT: RejectOptions = { gate: DEFAULT_GATE, minProbability: 0 };

export interface Decision {
  /** The word, or null when there is none. */
  label: string | null;
  reason?: NoWordReason;
  gate: GateReading;
  /** The model's answer (absent when the gate found silence: the model is not asked). */
  classification?: Classification;
}

/**
 * The answer for one recording at the classifier's rate: silence when the gate finds nothing said, else the model's
 * word, unless the model says UNKNOWN or its word is less probable than `minProbability` ("not-a-digit").
 */
export function decide(classifier: SpeechClassifier, audio: Audio, opts: RejectOptions = DEFAULT_REJECT): Decision {
  const gate = gateReading(audio.samples, audio.sampleRate, opts.gate);
  if (!gate.active) return { label: null, reason: 'silence', gate };
  const classification = classifier.classify(audio);
  return { ...wordOf(classification.ranked, opts.minProbability), gate, classification };
}

/** The word of a ranked answer, or why there is none. */
export function wordOf(
  ranked: ReadonlyArray<{ label: string; probability: number }>,
  minProbability: number,
): { label: string | null; reason?: NoWordReason } {
  const top = ranked[0];
  if (!top || top.label === UNKNOWN || top.probability < minProbability) return { label: null, reason: 'not-a-digit' };
  return { label: top.label };
}
