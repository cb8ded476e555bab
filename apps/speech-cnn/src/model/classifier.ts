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
  /** The model's input: normalised log-mel [frames x bands], for drawing. */
  spectrogram: { frames: number; bands: number; data: Float32Array };
}

/** A trained model with the feature settings it was trained on. */
export class SpeechClassifier {
  private readonly logMel: LogMel;

  constructor(
    readonly model: tf.LayersModel,
    readonly info: SpeechModelInfo,
  ) {
    this.logMel = new LogMel(info.features.mel);
    const classes = (model.outputShape as number[])[1];
    if (classes !== info.labels.length) throw new RangeError(`the model has ${classes} outputs but metadata lists ${info.labels.length} labels`);
  }

  get sampleRate(): number {
    return this.info.features.mel.sampleRate;
  }

  /** `audio` must already be at `sampleRate` (decodeWav resamples). */
  classify(audio: Audio): Classification {
    if (audio.sampleRate !== this.sampleRate) throw new RangeError(`audio at ${audio.sampleRate} Hz; the model needs ${this.sampleRate} Hz`);
    const shape = inputShape(this.info.features);
    const data = featuresOf(prepareClip(audio.samples, this.info.features).signal, this.info.features, this.logMel);
    const probs = predictProbs(this.model, [data], shape);
    const ranked = rankLabels(probs, this.info.labels);
    return { label: (ranked[0] as { label: string }).label, ranked, spectrogram: { frames: shape[0], bands: shape[1], data } };
  }
}
