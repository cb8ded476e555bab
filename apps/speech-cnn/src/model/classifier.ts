import type * as tf from '@tensorflow/tfjs';
import { DataError } from '@cnn-lab/core';
import type { Audio } from '../audio/index.js';
import { LogMel, NORMALISATIONS, featuresOf, inputShape, prepareClip, validateMelOptions, type FeatureConfig, type Normalisation } from '../features/index.js';
import { MODEL_KINDS, type ModelKind } from './models.js';
import { predictProbs, rankLabels } from './predict.js';

/** What a saved speech model must carry beside its weights to turn a WAV file into the same input it trained on. */
export interface SpeechModelInfo {
  kind: ModelKind;
  labels: string[];
  features: FeatureConfig;
}

/** Checks the app's fields of a loaded metadata.json; `file` names it in the error. */
export function speechModelInfo(meta: Record<string, unknown> | null, file: string): SpeechModelInfo {
  if (!meta) throw new DataError(file, 'missing: a speech-cnn model folder needs metadata.json with kind, labels and features');
  const { kind, labels, features } = meta as Partial<SpeechModelInfo>;
  if (!MODEL_KINDS.includes(kind as ModelKind)) throw new DataError(file, `"kind" must be one of ${MODEL_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => typeof l === 'string')) {
    throw new DataError(file, '"labels" must be a list of at least 2 words');
  }
  const f = features as FeatureConfig | undefined;
  if (!f || typeof f.seconds !== 'number' || typeof f.trimDb !== 'number' || typeof f.rangeDb !== 'number' || typeof f.mel !== 'object') {
    throw new DataError(file, '"features" must hold mel, seconds, trimDb and rangeDb');
  }
  if (f.norm !== undefined && !NORMALISATIONS.includes(f.norm as Normalisation)) {
    throw new DataError(file, `"features.norm" must be one of ${NORMALISATIONS.join(', ')}, got ${JSON.stringify(f.norm)}`);
  }
  if (f.lifter !== undefined && !(Number.isInteger(f.lifter) && f.lifter >= 1)) throw new DataError(file, `"features.lifter" must be a whole number >= 1, got ${JSON.stringify(f.lifter)}`);
  if (f.stretchKeep !== undefined && !(typeof f.stretchKeep === 'number' && f.stretchKeep >= 0 && f.stretchKeep <= 1)) {
    throw new DataError(file, `"features.stretchKeep" must be a number in [0, 1], got ${JSON.stringify(f.stretchKeep)}`);
  }
  if (f.lengthCue !== undefined && !(Number.isInteger(f.lengthCue) && f.lengthCue >= 1 && f.lengthCue <= 64)) {
    throw new DataError(file, `"features.lengthCue" must be a whole number of bands in [1, 64], got ${JSON.stringify(f.lengthCue)}`);
  }
  if (f.stretch !== undefined && typeof f.stretch !== 'boolean') throw new DataError(file, `"features.stretch" must be true or false, got ${JSON.stringify(f.stretch)}`);
  try {
    validateMelOptions(f.mel);
  } catch (err) {
    throw new DataError(file, `"features.mel": ${(err as Error).message}`);
  }
  return { kind: kind as ModelKind, labels, features: f };
}

export interface Classification {
  label: string;
  ranked: Array<{ label: string; probability: number }>;
  /** The (first) model's input: normalised log-mel [frames x bands], for drawing. */
  spectrogram: { frames: number; bands: number; data: Float32Array };
}

/** One trained network with the feature settings it was trained on. */
export interface SpeechMember {
  model: tf.LayersModel;
  info: SpeechModelInfo;
}

/**
 * A trained model, or an ensemble of several, with the feature settings each was trained on. An ensemble's answer
 * is the mean of its members' softmax outputs, each member featurising the recording as its own metadata says.
 */
export class SpeechClassifier {
  readonly members: ReadonlyArray<SpeechMember & { logMel: LogMel }>;

  constructor(model: tf.LayersModel, info: SpeechModelInfo, others: readonly SpeechMember[] = []) {
    this.members = [{ model, info }, ...others].map((m, k) => {
      const classes = (m.model.outputShape as number[])[1];
      if (classes !== m.info.labels.length) throw new RangeError(`the model has ${classes} outputs but metadata lists ${m.info.labels.length} labels`);
      if (m.info.labels.join('\n') !== info.labels.join('\n')) {
        throw new RangeError(`ensemble member ${k + 1} knows the words ${m.info.labels.join(', ')}, member 1 ${info.labels.join(', ')}`);
      }
      if (m.info.features.mel.sampleRate !== info.features.mel.sampleRate) {
        throw new RangeError(`ensemble member ${k + 1} reads audio at ${m.info.features.mel.sampleRate} Hz, member 1 at ${info.features.mel.sampleRate} Hz`);
      }
      return { ...m, logMel: new LogMel(m.info.features.mel) };
    });
  }

  /** The first member's settings (every member shares its labels and sample rate). */
  get info(): SpeechModelInfo {
    return (this.members[0] as SpeechMember).info;
  }

  get sampleRate(): number {
    return this.info.features.mel.sampleRate;
  }

  /** The model's input for one recording at `sampleRate`, as member `k` featurises it: [frames x bands]. */
  features(samples: Float32Array, k = 0): Float32Array {
    const m = this.members[k];
    if (!m) throw new RangeError(`no ensemble member ${k + 1} (there are ${this.members.length})`);
    return featuresOf(prepareClip(samples, m.info.features).signal, m.info.features, m.logMel);
  }

  /**
   * Class probabilities [n, classes], row-major, for recordings at `sampleRate` (decodeWav resamples): the mean of
   * every member's softmax. Members with the same feature settings share one featurisation.
   */
  probabilities(recordings: readonly Float32Array[]): Float32Array {
    return this.score(recordings).probs;
  }

  /** The mean softmax, and the first member's inputs (what `classify` draws), each featurisation done once. */
  private score(recordings: readonly Float32Array[]): { probs: Float32Array; firstFeatures: Float32Array[] } {
    const classes = this.info.labels.length;
    const sum = new Float32Array(recordings.length * classes);
    const cache = new Map<string, Float32Array[]>();
    const featuresOfMember = this.members.map((m, k) => {
      const key = JSON.stringify(m.info.features);
      let feats = cache.get(key);
      if (!feats) {
        feats = recordings.map((r) => this.features(r, k));
        cache.set(key, feats);
      }
      const probs = predictProbs(m.model, feats, inputShape(m.info.features));
      for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (probs[i] as number);
      return feats;
    });
    return { probs: sum.map((v) => v / this.members.length), firstFeatures: featuresOfMember[0] as Float32Array[] };
  }

  /** `audio` must already be at `sampleRate` (decodeWav resamples). */
  classify(audio: Audio): Classification {
    if (audio.sampleRate !== this.sampleRate) throw new RangeError(`audio at ${audio.sampleRate} Hz; the model needs ${this.sampleRate} Hz`);
    const [frames, bands] = inputShape(this.info.features);
    const { probs, firstFeatures } = this.score([audio.samples]);
    const ranked = rankLabels(probs, this.info.labels);
    return { label: (ranked[0] as { label: string }).label, ranked, spectrogram: { frames, bands, data: firstFeatures[0] as Float32Array } };
  }
}
