import { saveModel, type MetadataFields, type SavedModelInfo } from '@cnn-lab/core';
import type * as tf from '@tensorflow/tfjs';
import { APP } from '../app.js';
import type { Vocabulary } from '../text/index.js';
import { VOCAB_FILE, type TextModelMetadata } from './load.js';

/**
 * Saves a model with its vocabulary and metadata to `dir`. The vocabulary is attached to the model (core's
 * saveModel commits both with one rename), so a folder never holds a model beside another model's words.
 * `extra` holds fields for people (history, timings); loadTextModel reads only the TextModelMetadata fields.
 */
export async function saveTextModel(
  model: tf.LayersModel,
  dir: string,
  vocab: Vocabulary,
  metadata: TextModelMetadata,
  extra: MetadataFields = {},
): Promise<SavedModelInfo> {
  return saveModel(model, dir, { ...extra, app: APP, ...metadata }, { files: vocabularyFiles(vocab) });
}

/** The vocabulary as a file attached to the model (core's saveModel and trainRecipe commit it with the weights). */
export function vocabularyFiles(vocab: Vocabulary): Record<string, string> {
  return { [VOCAB_FILE]: `${JSON.stringify(vocab.toJSON())}\n` };
}
