import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { DataError } from '../cli/errors.js';
import { nodeFileOps, removeStaleTempFiles, tempPathFor, type FileOps } from './atomic.js';
import { MODEL_JSON, removeModel, saveModel, type MetadataFields } from './model.js';
import { readJsonFile } from './read.js';

/**
 * A model group: several saved models (an ensemble's members) in subfolders of one folder, listed by a manifest
 * file (`ensemble.json`) that is the group's one commit point. The members of a new save go to new folder names
 * (`member-<k>-<token>`) beside the old ones, each a complete model folder; then the manifest naming them is
 * written to a temporary file, fsynced and renamed in; only then are the old members removed. A save killed at any
 * instant leaves the old group or the new one.
 */
export interface ModelGroupOptions {
  /** The manifest's file name, e.g. `ensemble.json`. */
  manifest: string;
  /** Member folders are `<prefix>-<k>` (older saves) or `<prefix>-<k>-<token>`; default `member`. */
  prefix?: string;
  /** Fields written into the manifest beside `members` and `createdAt`. */
  fields?: Record<string, unknown>;
  ops?: FileOps;
}

export interface GroupMember {
  model: tf.LayersModel;
  metadata: MetadataFields;
  /** Files attached to this member (SaveModelOptions.files). */
  files?: Record<string, string | Uint8Array>;
}

function memberPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d+(-[0-9a-f]{8})?(\\.partial)?$`);
}

/** Saves `members` as a group in `dir` (see above); returns the member folder names, in order. */
export async function saveModelGroup(
  dir: string,
  members: readonly GroupMember[],
  options: ModelGroupOptions,
): Promise<string[]> {
  const ops = options.ops ?? nodeFileOps;
  const prefix = options.prefix ?? 'member';
  const pattern = memberPattern(prefix);
  if (members.length === 0) throw new RangeError('saveModelGroup: a group needs at least one member');
  await ops.mkdir(dir);
  await removeStaleTempFiles(dir, ops);
  let token = randomBytes(4).toString('hex');
  while (members.some((_, k) => existsSync(join(dir, `${prefix}-${k + 1}-${token}`))))
    token = randomBytes(4).toString('hex');
  const names = members.map((_, k) => `${prefix}-${k + 1}-${token}`);
  for (const [k, m] of members.entries()) {
    await saveModel(m.model, join(dir, names[k] as string), m.metadata, {
      ops,
      ...(m.files ? { files: m.files } : {}),
    });
  }
  await ops.syncDir(dir);
  const manifest = `${JSON.stringify({ ...options.fields, members: names, createdAt: new Date().toISOString() }, null, 2)}\n`;
  const path = join(dir, options.manifest);
  const tmp = tempPathFor(path);
  try {
    await ops.writeFile(tmp, manifest);
    await ops.rename(tmp, path); // the commit point
  } catch (err) {
    await ops.remove(tmp).catch(() => undefined);
    throw err;
  }
  await ops.syncDir(dir);
  // The old group's members, leftovers of killed saves, and a single model saved here before: model.json first,
  // so no half-removed single model is ever left looking whole.
  for (const name of readdirSync(dir))
    if (pattern.test(name) && !names.includes(name)) await ops.remove(join(dir, name));
  if (existsSync(join(dir, MODEL_JSON))) await removeModel(dir, ops);
  await ops.syncDir(dir);
  return names;
}

/**
 * The member folders a group manifest lists (absolute paths), or null when `dir` holds no manifest. The list must
 * be plain folder names of the form `<prefix>-<k>` or `<prefix>-<k>-<token>`; anything else is a DataError.
 */
export async function modelGroupMembers(
  dir: string,
  options: Pick<ModelGroupOptions, 'manifest' | 'prefix'>,
): Promise<string[] | null> {
  const path = join(dir, options.manifest);
  if (!existsSync(path)) return null;
  const prefix = options.prefix ?? 'member';
  const pattern = memberPattern(prefix);
  const json = await readJsonFile(path, 'the group manifest');
  const list = (json as { members?: unknown } | null)?.members;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((n) => typeof n === 'string' && basename(n) === n && pattern.test(n) && !n.endsWith('.partial'))
  ) {
    throw new DataError(path, `"members" must be a non-empty list of folder names ${prefix}-1, ${prefix}-2, ...`);
  }
  return (list as string[]).map((name) => join(dir, name));
}

/**
 * Turns a group folder into a single-model folder after `saveModel` has written the single model into it: the
 * manifest goes first (the moment loaders that prefer it switch to the new model), then the members.
 */
export async function removeModelGroup(
  dir: string,
  options: Pick<ModelGroupOptions, 'manifest' | 'prefix' | 'ops'>,
): Promise<void> {
  const ops = options.ops ?? nodeFileOps;
  const pattern = memberPattern(options.prefix ?? 'member');
  if (!existsSync(dir)) return;
  await ops.remove(join(dir, options.manifest));
  await ops.syncDir(dir);
  for (const name of readdirSync(dir)) if (pattern.test(name)) await ops.remove(join(dir, name));
}
