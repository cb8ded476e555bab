import { join } from 'node:path';
import { saveModel, writeFileAtomic, type MetadataFields, type SavedModelInfo } from '@cnn-lab/core';
import type * as tf from '@tensorflow/tfjs';
import type { Vocabulary } from '../text/index.js';
import { APP, VOCAB_FILE, type TextModelMetadata } from './load.js';

/**
 * Saves a model with its vocabulary and metadata to `dir`. The vocabulary goes first: model.json, written last
 * by core's saveModel, marks a finished save. `extra` holds fields for people (history, timings); loadTextModel
 * reads only the TextModelMetadata fields.
 */
export async function saveTextModel(
  model: tf.LayersModel,
  dir: string,
  vocab: Vocabulary,
  metadata: TextModelMetadata,
  extra: MetadataFields = {},
): Promise<SavedModelInfo> {
  await writeFileAtomic(join(dir, VOCAB_FILE), `${JSON.stringify(vocab.toJSON())}\n`);
  return saveModel(model, dir, { ...extra, app: APP, ...metadata });
}
