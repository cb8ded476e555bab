import { join } from 'node:path';
import { DataError, loadModelFolder, type ModelMetadata, type ResolvedModelDir } from '@cnn-lab/core';
import { APP } from '../app.js';
import { SpeechClassifier, type SpeechMember } from './classifier.js';
import { ENSEMBLE_JSON, memberFolders } from './folder.js';
import { speechModelInfo } from './metadata.js';

/** A member as loaded: its metadata as stored too, and its folder. */
export interface LoadedMember extends SpeechMember {
  raw: ModelMetadata;
  dir: string;
}

/** Loads single-model folders, each with the feature settings its metadata gives (checked, typed). */
export async function loadMembers(
  folders: ReadonlyArray<string | ResolvedModelDir>,
): Promise<[LoadedMember, ...LoadedMember[]]> {
  const members: LoadedMember[] = [];
  try {
    for (const target of folders) {
      const { model, metadata, raw, dir } = await loadModelFolder(target, { app: APP, validate: speechModelInfo });
      members.push({ model, info: metadata, raw, dir });
    }
  } catch (err) {
    for (const m of members) m.model.dispose();
    throw err;
  }
  return members as [LoadedMember, ...LoadedMember[]];
}

/**
 * Loads a speech model folder (a path, or resolveModelDir's answer, whose messages then name the flag): a single
 * model, or an ensemble (ensemble.json and its members).
 */
export async function loadSpeechClassifier(target: string | ResolvedModelDir): Promise<SpeechClassifier> {
  const dir = typeof target === 'string' ? target : target.dir;
  const folders = await memberFolders(dir);
  const [first, ...rest] = await loadMembers(folders.length === 1 && folders[0] === dir ? [target] : folders);
  try {
    return new SpeechClassifier(first.model, first.info, rest);
  } catch (err) {
    for (const m of [first, ...rest]) m.model.dispose();
    throw new DataError(join(dir, ENSEMBLE_JSON), (err as Error).message);
  }
}
