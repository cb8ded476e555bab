import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { DataError, METADATA_JSON, MODEL_JSON, saveModel, type MetadataFields } from '@cnn-lab/core';

/**
 * A speech model folder holds one network (core's layout: model.json, weights.bin, metadata.json) or an ensemble:
 * one such folder per member (`member-1/`, `member-2/`, ...) and `ensemble.json`, written last, listing them (so a
 * folder without it is a save that did not finish).
 */
export const ENSEMBLE_JSON = 'ensemble.json';
export const MEMBER = /^member-\d+$/;
/** A single model's weights: `weights.bin`, or core's content-named `weights-<hash>.bin`. */
const WEIGHTS = /^weights(-[0-9a-f]+)?\.bin$/;

/**
 * Readies `dir` for a save of the `next` kind: the old ensemble goes (ensemble.json first, so an interrupted clear
 * leaves no list of missing members, then every member folder), and before an ensemble the single model's files
 * too, so a folder never holds both kinds.
 */
export function clearFolder(dir: string, next: 'single' | 'ensemble'): void {
  if (!existsSync(dir)) return;
  rmSync(join(dir, ENSEMBLE_JSON), { force: true });
  for (const name of readdirSync(dir)) if (MEMBER.test(name)) rmSync(join(dir, name), { recursive: true, force: true });
  if (next === 'ensemble') {
    // model.json first: a folder without it holds no model, whatever is left.
    rmSync(join(dir, MODEL_JSON), { force: true });
    for (const name of readdirSync(dir)) if (name === METADATA_JSON || WEIGHTS.test(name)) rmSync(join(dir, name), { force: true });
  }
}

/** Saves one model (core's layout), first removing an ensemble that was saved in the same folder. */
export async function saveSpeechModel(model: tf.LayersModel, dir: string, metadata: MetadataFields): Promise<void> {
  // The old ensemble goes first: an ensemble.json left beside the new model.json would win when the folder is loaded.
  clearFolder(dir, 'single');
  await saveModel(model, dir, metadata);
}

/** The single-model folders a speech model folder holds: itself, or its ensemble's members. */
export function memberFolders(dir: string): string[] {
  const file = join(dir, ENSEMBLE_JSON);
  if (!existsSync(file)) return [dir];
  let list: unknown;
  try {
    list = (JSON.parse(readFileSync(file, 'utf8')) as { members?: unknown } | null)?.members;
  } catch (err) {
    throw new DataError(file, `not readable JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(list) || list.length === 0 || !list.every((n) => typeof n === 'string' && MEMBER.test(n))) {
    throw new DataError(file, '"members" must be a non-empty list of folder names member-1, member-2, ...');
  }
  return (list as string[]).map((name) => join(dir, name));
}
