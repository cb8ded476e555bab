import { DataError, metadataFields } from '@cnn-lab/core';
import { validateMelOptions, type FeatureConfig, type MelOptions } from '../features/index.js';
import { MODEL_KINDS, type ModelKind } from './networks.js';

/** What a saved speech model must carry beside its weights to turn a WAV file into the same input it trained on. */
export interface SpeechModelInfo {
  kind: ModelKind;
  labels: string[];
  features: FeatureConfig;
}

/**
 * Feature switches of earlier versions that changed a model's input and are gone: a model that used one would be
 * fed the wrong input, so it is refused. The values that meant "off" are accepted (older models wrote them).
 */
const RETIRED: ReadonlyArray<{ field: string; off: (v: unknown) => boolean; flag: string }> = [
  { field: 'norm', off: (v) => v === 'peak', flag: '--norm cmn/cmvn' },
  { field: 'stretchKeep', off: (v) => v === 0, flag: '--stretch-keep' },
  { field: 'lifter', off: () => false, flag: '--lifter' },
  { field: 'lengthCue', off: () => false, flag: '--length-cue' },
];

/**
 * Checks the app's fields of a model's metadata (`file` names it in every error, with the field) and returns them
 * typed, the feature settings holding only what this version reads. Other fields are ignored.
 */
export function speechModelInfo(raw: Record<string, unknown> | null, file: string): SpeechModelInfo {
  if (!raw) throw new DataError(file, 'missing: a speech-cnn model needs metadata with kind, labels and features');
  const m = metadataFields(raw, file);
  const f = m.object('features');
  const given = raw.features as Record<string, unknown>;
  for (const r of RETIRED) {
    if (f.has(r.field) && !r.off(given[r.field])) {
      throw new DataError(
        file,
        `field "features.${r.field}" is ${JSON.stringify(given[r.field])}: the model was trained with ${r.flag}, which this version no longer has`,
      );
    }
  }
  const mel = f.object('mel');
  const melOptions: MelOptions = {
    sampleRate: mel.number('sampleRate', 1),
    frameMs: mel.number('frameMs', 0),
    hopMs: mel.number('hopMs', 0),
    fftSize: mel.int('fftSize', 2),
    melBands: mel.int('melBands', 1),
    fMin: mel.number('fMin', 0),
    fMax: mel.number('fMax', 0),
    window: mel.choice('window', ['hann', 'hamming'] as const),
    floor: mel.number('floor', 1e-30, 1),
  };
  try {
    validateMelOptions(melOptions);
  } catch (err) {
    throw new DataError(file, `field "features.mel": ${(err as Error).message}`);
  }
  return {
    kind: m.choice('kind', MODEL_KINDS),
    labels: m.strings('labels', 2),
    features: {
      mel: melOptions,
      seconds: f.number('seconds', 0.01, 60),
      trimDb: f.number('trimDb', 0, 200),
      rangeDb: f.number('rangeDb', 1, 200),
      ...(f.has('stretch') && f.boolean('stretch') ? { stretch: true } : {}),
    },
  };
}
