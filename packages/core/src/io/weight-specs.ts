import type * as tf from '@tensorflow/tfjs';
import { DataError } from '../cli/errors.js';

/** Bytes per element as stored, for the dtypes a layers model's weights can have (and their quantised forms). */
const BYTES_PER_ELEMENT: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Checks that `specs` is a list of weight entries tfjs can decode; errors name `file` and `where` in it. */
export function validateWeightSpecs(
  specs: unknown,
  file: string,
  where: string,
): asserts specs is tf.io.WeightsManifestEntry[] {
  if (!Array.isArray(specs)) throw new DataError(file, `${where} must be an array of weight entries`);
  specs.forEach((raw: unknown, i) => {
    const spec = raw as Partial<tf.io.WeightsManifestEntry> | null;
    const at = `${where}[${i}]`;
    if (!spec || typeof spec.name !== 'string') throw new DataError(file, `${at} has no name`);
    if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new DataError(file, `${at} (${spec.name}) shape must be a list of non-negative integers`);
    }
    if (typeof spec.dtype !== 'string' || BYTES_PER_ELEMENT[spec.dtype] === undefined) {
      throw new DataError(
        file,
        `${at} (${spec.name}) has dtype ${JSON.stringify(spec.dtype)}; expected float32, int32, bool or complex64`,
      );
    }
    const q = spec.quantization;
    if (q !== undefined && (typeof q.dtype !== 'string' || BYTES_PER_ELEMENT[q.dtype] === undefined)) {
      throw new DataError(file, `${at} (${spec.name}) has an unknown quantization dtype ${JSON.stringify(q.dtype)}`);
    }
  });
}

/** Bytes one weight takes in the binary file (quantised weights take their stored width). */
export function weightByteLength(spec: tf.io.WeightsManifestEntry): number {
  const size = spec.shape.reduce((n, d) => n * d, 1);
  const dtype = spec.quantization ? spec.quantization.dtype : spec.dtype;
  return size * (BYTES_PER_ELEMENT[dtype] ?? Number.NaN);
}

/** Bytes a manifest group's files must hold together: its weights, concatenated in manifest order. */
export function groupByteLength(specs: tf.io.WeightsManifestEntry[]): number {
  return specs.reduce((n, s) => n + weightByteLength(s), 0);
}
