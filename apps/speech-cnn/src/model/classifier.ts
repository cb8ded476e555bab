import type * as tf from '@tensorflow/tfjs';
import type { Audio } from '../audio/index.js';
import { LogMel, featuresOf, inputShape, prepareClip } from '../features/index.js';
import type { SpeechModelInfo } from './metadata.js';
import { predictProbs, rankLabels } from './predict.js';

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
      if (classes !== m.info.labels.length)
        throw new RangeError(`the model has ${classes} outputs but metadata lists ${m.info.labels.length} labels`);
      if (m.info.labels.join('\n') !== info.labels.join('\n')) {
        throw new RangeError(
          `ensemble member ${k + 1} knows the words ${m.info.labels.join(', ')}, member 1 ${info.labels.join(', ')}`,
        );
      }
      if (m.info.features.mel.sampleRate !== info.features.mel.sampleRate) {
        throw new RangeError(
          `ensemble member ${k + 1} reads audio at ${m.info.features.mel.sampleRate} Hz, member 1 at ${info.features.mel.sampleRate} Hz`,
        );
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
    if (audio.sampleRate !== this.sampleRate)
      throw new RangeError(`audio at ${audio.sampleRate} Hz; the model needs ${this.sampleRate} Hz`);
    const [frames, bands] = inputShape(this.info.features);
    const { probs, firstFeatures } = this.score([audio.samples]);
    const ranked = rankLabels(probs, this.info.labels);
    return {
      label: (ranked[0] as { label: string }).label,
      ranked,
      spectrogram: { frames, bands, data: firstFeatures[0] as Float32Array },
    };
  }
}
