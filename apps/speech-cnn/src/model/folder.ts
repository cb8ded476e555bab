import type * as tf from '@tensorflow/tfjs';
import { modelGroupMembers, removeModelGroup, saveModel, type MetadataFields } from '@cnn-lab/core';

/**
 * A speech model folder holds one network (core's layout) or an ensemble: one such folder per member and
 * `ensemble.json`, the manifest listing them (core's model groups: the manifest is the group's commit point).
 */
export const ENSEMBLE_JSON = 'ensemble.json';
export const GROUP = { manifest: ENSEMBLE_JSON, prefix: 'member' } as const;

/** Saves one model (core's layout); an ensemble saved in the same folder before goes once the model is in. */
export async function saveSpeechModel(model: tf.LayersModel, dir: string, metadata: MetadataFields): Promise<void> {
  await saveModel(model, dir, metadata);
  // The manifest would win when the folder is loaded; it goes first, then its members.
  await removeModelGroup(dir, GROUP);
}

/** The single-model folders a speech model folder holds: its ensemble's members, or itself. */
export async function memberFolders(dir: string): Promise<string[]> {
  return (await modelGroupMembers(dir, GROUP)) ?? [dir];
}
