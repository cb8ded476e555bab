import { createHash } from 'node:crypto';
import type { PreparedSplit } from './prepare.js';

/**
 * What a training run's checkpoints remember of its data (core's FitOptions.fingerprint): the vocabulary (word
 * ids are rows of the model's word-vector table), the classes, and the encoded training examples. `--resume` on
 * a checkpoint made with any of them different is refused, naming which, rather than training on with other
 * word ids.
 */
export function splitFingerprint(data: Pick<PreparedSplit, 'vocab' | 'classes' | 'train'>): Record<string, string> {
  const words = createHash('sha256');
  for (const w of data.vocab.words) words.update(`${w}\n`);
  const examples = createHash('sha256');
  for (const e of data.train) {
    examples.update(Int32Array.of(e.label, e.ids.length));
    examples.update(new Uint8Array(e.ids.buffer, e.ids.byteOffset, e.ids.byteLength));
  }
  return {
    vocabulary: `${data.vocab.size} words, sha256 ${words.digest('hex').slice(0, 16)}`,
    classes: data.classes.join(','),
    training: `${data.train.length} examples, sha256 ${examples.digest('hex').slice(0, 16)}`,
  };
}
