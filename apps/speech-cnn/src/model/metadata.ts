import { DataError } from '@cnn-lab/core';
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

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks the app's fields of a loaded metadata.json (`file` names it in every error) and returns them typed, the
 * feature settings holding only what this version reads.
 */
export function speechModelInfo(meta: Record<string, unknown> | null, file: string): SpeechModelInfo {
  if (!meta) throw new DataError(file, 'missing: a speech-cnn model folder needs metadata.json with kind, labels and features');
  const { kind, labels, features } = meta;
  if (!MODEL_KINDS.includes(kind as ModelKind)) throw new DataError(file, `"kind" must be one of ${MODEL_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => typeof l === 'string')) {
    throw new DataError(file, '"labels" must be a list of at least 2 words');
  }
  if (typeof features !== 'object' || features === null) throw new DataError(file, '"features" must be an object holding mel, seconds, trimDb and rangeDb');
  const f = features as Record<string, unknown>;
  if (!(isNumber(f.seconds) && f.seconds > 0)) throw new DataError(file, `"features.seconds" must be a number > 0, got ${JSON.stringify(f.seconds)}`);
  if (!(isNumber(f.trimDb) && f.trimDb >= 0)) throw new DataError(file, `"features.trimDb" must be a number >= 0, got ${JSON.stringify(f.trimDb)}`);
  if (!(isNumber(f.rangeDb) && f.rangeDb > 0)) throw new DataError(file, `"features.rangeDb" must be a number > 0, got ${JSON.stringify(f.rangeDb)}`);
  if (f.stretch !== undefined && typeof f.stretch !== 'boolean') throw new DataError(file, `"features.stretch" must be true or false, got ${JSON.stringify(f.stretch)}`);
  for (const r of RETIRED) {
    if (f[r.field] !== undefined && !r.off(f[r.field])) {
      throw new DataError(file, `"features.${r.field}" is ${JSON.stringify(f[r.field])}: the model was trained with ${r.flag}, which this version no longer has`);
    }
  }
  if (typeof f.mel !== 'object' || f.mel === null) throw new DataError(file, '"features.mel" must be an object of mel settings');
  try {
    validateMelOptions(f.mel as MelOptions);
  } catch (err) {
    throw new DataError(file, `"features.mel": ${(err as Error).message}`);
  }
  return {
    kind: kind as ModelKind,
    labels: labels as string[],
    features: { mel: f.mel as MelOptions, seconds: f.seconds, trimDb: f.trimDb, rangeDb: f.rangeDb, ...(f.stretch ? { stretch: true } : {}) },
  };
}
