import { join } from 'node:path';
import { DataError, METADATA_JSON, loadModel } from '@cnn-lab/core';
import { SpeechClassifier, type SpeechMember } from './classifier.js';
import { ENSEMBLE_JSON, memberFolders } from './folder.js';
import { speechModelInfo } from './metadata.js';

/** Loads single-model folders, each with the feature settings its metadata.json gives (checked, typed). */
export async function loadMembers(folders: readonly string[]): Promise<[SpeechMember, ...SpeechMember[]]> {
  const members: SpeechMember[] = [];
  for (const dir of folders) {
    const { model, metadata } = await loadModel(dir);
    members.push({ model, info: speechModelInfo(metadata, join(dir, METADATA_JSON)) });
  }
  return members as [SpeechMember, ...SpeechMember[]];
}

/** Loads a speech model folder: a single model (model.json) or an ensemble (ensemble.json and its members). */
export async function loadSpeechClassifier(dir: string): Promise<SpeechClassifier> {
  const [first, ...rest] = await loadMembers(memberFolders(dir));
  try {
    return new SpeechClassifier(first.model, first.info, rest);
  } catch (err) {
    throw new DataError(join(dir, ENSEMBLE_JSON), (err as Error).message);
  }
}
