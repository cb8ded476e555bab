import type { Audio } from '../audio/index.js';
import { UNKNOWN } from '../data/index.js';
import { DEFAULT_GATE, gateReading, type GateOptions, type GateReading } from '../features/index.js';
import type { Classification, SpeechClassifier } from './classifier.js';

/** Why there is no word: nothing was said (the voice-activity gate), or what was said is none of the words. */
export type NoWordReason = 'silence' | 'not-a-digit';

export interface RejectOptions {
  gate: GateOptions;
  /**
   * A model with the UNKNOWN class answers "not a digit" when that class's probability reaches this; below it, the
   * most probable word. Chosen on validation recordings (held-out speakers' digits, other words and noise that
   * neither training nor the test sets use): see docs/experiments/speech-cnn.md.
   */
  unknownThreshold: number;
  /**
   * A word whose probability is below this is answered "not a digit" too (0: only the unknown class rejects). Set from
   * measurements, see docs/experiments/speech-cnn.md.
   */
  minProbability: number;
}

export const DEFAULT_REJECT: RejectOptions = { gate: DEFAULT_GATE, unknownThreshold: 0.8, minProbability: 0 };

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
  return { ...wordOf(classification.ranked, opts), gate, classification };
}

/** The word of a ranked answer (most probable first), or why there is none. */
export function wordOf(
  ranked: ReadonlyArray<{ label: string; probability: number }>,
  opts: Pick<RejectOptions, 'unknownThreshold' | 'minProbability'>,
): { label: string | null; reason?: NoWordReason } {
  const unknown = ranked.find((r) => r.label === UNKNOWN);
  if (unknown && unknown.probability >= opts.unknownThreshold) return { label: null, reason: 'not-a-digit' };
  const top = ranked.find((r) => r.label !== UNKNOWN);
  if (!top || top.probability < opts.minProbability) return { label: null, reason: 'not-a-digit' };
  return { label: top.label };
}
