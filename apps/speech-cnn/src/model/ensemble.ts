import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { DataError, METADATA_JSON, MODEL_JSON, WEIGHTS_BIN, isWithin, loadModel, saveModel, writeFileAtomic, type MetadataFields } from '@cnn-lab/core';
import { SpeechClassifier, speechModelInfo, type SpeechMember } from './classifier.js';

/**
 * An ensemble folder: one saved model per member in `member-1/`, `member-2/`, ..., and `ensemble.json`, written
 * last, listing them (so a folder without it is a save that did not finish). A folder with `model.json` instead is
 * a single model.
 */
export const ENSEMBLE_JSON = 'ensemble.json';
const MEMBER = /^member-\d+$/;
/** A member folder `combineSpeechModels` was still copying. */
const PARTIAL = /^member-\d+\.partial$/;

/**
 * Readies `dir` for a save of the `next` kind: the old ensemble goes (ensemble.json first, so an interrupted clear
 * leaves no list of missing members, then every member folder but those named in `keep`, which a training run has
 * just filled with its checkpoints), and before an ensemble the single model's files too, so a folder never holds
 * both kinds.
 */
function clearFolder(dir: string, next: 'single' | 'ensemble', keep: readonly string[] = []): void {
  if (!existsSync(dir)) return;
  rmSync(join(dir, ENSEMBLE_JSON), { force: true });
  for (const name of readdirSync(dir)) if (MEMBER.test(name) && !keep.includes(name)) rmSync(join(dir, name), { recursive: true, force: true });
  if (next === 'ensemble') for (const name of [MODEL_JSON, WEIGHTS_BIN, METADATA_JSON]) rmSync(join(dir, name), { force: true });
}

/** Saves one model (core's layout), first removing an ensemble that was saved in the same folder. */
export async function saveSpeechModel(model: tf.LayersModel, dir: string, metadata: MetadataFields): Promise<void> {
  // The old ensemble goes first: an ensemble.json left beside the new model.json would win when the folder is loaded.
  clearFolder(dir, 'single');
  await saveModel(model, dir, metadata);
}

/** Saves every member in `member-<k>/` with its own metadata, then `ensemble.json` with `fields` and the member list. */
export async function saveSpeechEnsemble(dir: string, members: ReadonlyArray<{ model: tf.LayersModel; metadata: MetadataFields }>, fields: MetadataFields): Promise<string[]> {
  if (members.length < 2) throw new RangeError('an ensemble needs at least 2 members (save one model with saveSpeechModel)');
  const names = members.map((_, k) => `member-${k + 1}`);
  clearFolder(dir, 'ensemble', names);
  for (const [k, m] of members.entries()) await saveModel(m.model, join(dir, names[k] as string), m.metadata);
  await writeFileAtomic(join(dir, ENSEMBLE_JSON), `${JSON.stringify({ ...fields, members: names, createdAt: new Date().toISOString() }, null, 2)}\n`);
  return names;
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

/** Loads single-model folders, each with the feature settings its metadata.json gives. */
async function loadMembers(folders: readonly string[]): Promise<[SpeechMember, ...SpeechMember[]]> {
  const members: SpeechMember[] = [];
  for (const mdir of folders) {
    const { model, metadata } = await loadModel(mdir);
    members.push({ model, info: speechModelInfo(metadata, join(mdir, METADATA_JSON)) });
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

/**
 * Puts trained models (single models, or the members of ensembles) side by side in one ensemble folder `out`:
 * every member is checked to load and to agree with the others on words and sample rate, then its files are
 * copied into `out` and renamed to `member-<k>/` once all are there, and `ensemble.json` is written last. Returns the member folders it was built from.
 */
export async function combineSpeechModels(dirs: readonly string[], out: string, fields: MetadataFields = {}): Promise<string[]> {
  const sources = dirs.flatMap((d) => memberFolders(d));
  if (sources.length < 2) throw new RangeError('an ensemble needs at least 2 member models');
  // Writing `out` first clears its members: a source inside it would be gone before it is copied.
  const inside = sources.find((src) => isWithin(out, src));
  if (inside) throw new RangeError(`${inside} lies inside the output folder ${out}; write the ensemble somewhere else`);
  const [first, ...rest] = await loadMembers(sources);
  const classifier = new SpeechClassifier(first.model, first.info, rest);
  for (const m of classifier.members) m.model.dispose();
  const names = sources.map((_, k) => `member-${k + 1}`);
  // The members are copied beside the old model first and swapped in by renames, so a run killed while copying
  // leaves the old model whole (and `member-<k>.partial` folders, which the next run removes).
  mkdirSync(out, { recursive: true });
  for (const name of readdirSync(out)) if (PARTIAL.test(name)) rmSync(join(out, name), { recursive: true, force: true });
  const staged = sources.map((src, k) => {
    const dest = join(out, `${names[k] as string}.partial`);
    mkdirSync(dest);
    for (const f of [WEIGHTS_BIN, METADATA_JSON, 'history.png', MODEL_JSON]) if (existsSync(join(src, f))) copyFileSync(join(src, f), join(dest, f));
    return dest;
  });
  clearFolder(out, 'ensemble');
  staged.forEach((dest, k) => renameSync(dest, join(out, names[k] as string)));
  const { kind, labels } = classifier.info;
  await writeFileAtomic(join(out, ENSEMBLE_JSON), `${JSON.stringify({ app: 'speech-cnn', kind, labels, ...fields, members: names, from: sources, createdAt: new Date().toISOString() }, null, 2)}\n`);
  return sources;
}
