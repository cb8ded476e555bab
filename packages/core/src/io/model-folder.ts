import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { findWorkspaceRoot } from '../cli/data-dir.js';
import { DataError, UsageError } from '../cli/errors.js';
import { isWithin, resolveUserPath } from '../cli/user-path.js';
import { loadModel, MODEL_JSON, type ModelMetadata } from './model.js';

/** Where a model folder came from, and what may be done to it. */
export interface ResolvedModelDir {
  /** Absolute path of the folder. */
  dir: string;
  /** Whether it is a model shipped in the repository (under apps/<app>/models): tracked files, never written by default. */
  shipped: boolean;
  /** Whether the user named it (--model-dir); only a named folder may be a shipped one when writing. */
  named: boolean;
  /** The flag the folder came from, for messages. */
  flag: string;
}

export interface ResolveModelDirOptions {
  /** The app's name: runs go to `runs/<app>/`. */
  app: string;
  /** The app's package folder (the one holding `models/`). */
  appDir: string;
  /** The folder the user typed (--model-dir), if any; relative paths count from where the command was typed. */
  flag?: string | undefined;
  /** 'read': default is the shipped model. 'write': default is a new `runs/<app>/<timestamp>` folder. */
  mode: 'read' | 'write';
  /** Write mode: the name of the run folder under `runs/<app>/` instead of a timestamp. */
  runName?: string | undefined;
  /** Write mode, no flag: carry on in the newest run folder that holds a checkpoint (train --resume). */
  resume?: boolean | undefined;
  /** The shipped model's folder name under `<appDir>/models/` (default `default`). */
  shippedName?: string;
  /** The flag's name in messages (default `--model-dir`). */
  flagName?: string;
  env?: NodeJS.ProcessEnv;
  now?: Date;
}

/** `2026-11-27T13-43-34`: sortable, and valid as a folder name everywhere. */
export function runTimestamp(now: Date = new Date()): string {
  return now.toISOString().slice(0, 19).replace(/:/g, '-');
}

/**
 * The folder runs are written to: `$CNN_LAB_RUNS` if set (relative to where the command was typed), else `runs/`
 * in the repository root (the nearest folder up from `from` holding pnpm-workspace.yaml; `runs/` is gitignored),
 * else `runs/` where the command was typed.
 */
export function runsRoot(from: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  if (env.CNN_LAB_RUNS) return resolveUserPath(env.CNN_LAB_RUNS, env);
  const root = findWorkspaceRoot(from);
  return root ? join(root, 'runs') : resolveUserPath('runs', env);
}

/**
 * Whether `dir` is (or lies inside) a shipped model: `apps/<app>/models/...` of the repository it is in, or
 * `<appDir>/models/...` when an app folder is given.
 */
export function isShippedModelDir(dir: string, appDir?: string): boolean {
  const abs = resolve(dir);
  if (appDir !== undefined && isWithin(join(resolve(appDir), 'models'), abs)) return true;
  const root = findWorkspaceRoot(abs);
  if (!root) return false;
  const parts = relative(root, abs).split(sep);
  return parts.length >= 3 && parts[0] === 'apps' && parts[2] === 'models';
}

/** A new folder name under `parent`: `name`, or `name-2`, `name-3`, ... when that is taken. */
function freshName(parent: string, name: string): string {
  if (!existsSync(join(parent, name))) return join(parent, name);
  for (let k = 2; ; k++) if (!existsSync(join(parent, `${name}-${k}`))) return join(parent, `${name}-${k}`);
}

/** The newest folder under `parent` holding `checkpoints/` (run folders are named by timestamp, so by name). */
function newestRunWithCheckpoint(parent: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(parent, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return undefined;
  }
  return names
    .sort()
    .reverse()
    .map((n) => join(parent, n))
    .find((d) => existsSync(join(d, 'checkpoints')));
}

/**
 * Which model folder a command reads or writes.
 * - read: the flag, or the shipped model `<appDir>/models/default`.
 * - write: the flag, or a new `runs/<app>/<timestamp>` (see runsRoot); with `resume`, the newest run folder holding
 *   checkpoints. A write folder is checked with assertWritable: the shipped model only when the user named it.
 */
export function resolveModelDir(options: ResolveModelDirOptions): ResolvedModelDir {
  const env = options.env ?? process.env;
  const flag = options.flagName ?? '--model-dir';
  let dir: string;
  const named = options.flag !== undefined;
  if (options.flag !== undefined) dir = resolveUserPath(options.flag, env);
  else if (options.mode === 'read') dir = join(resolve(options.appDir), 'models', options.shippedName ?? 'default');
  else {
    const parent = join(runsRoot(options.appDir, env), options.app);
    const resumed = options.resume ? newestRunWithCheckpoint(parent) : undefined;
    if (options.resume && !resumed) {
      throw new UsageError(
        `--resume: no run of ${options.app} with checkpoints in ${parent}; name the run folder with ${flag}`,
      );
    }
    dir = resumed ?? freshName(parent, options.runName ?? runTimestamp(options.now));
  }
  const resolved: ResolvedModelDir = { dir, shipped: isShippedModelDir(dir, options.appDir), named, flag };
  if (options.mode === 'write') assertWritable(resolved);
  return resolved;
}

/**
 * Refuses a write that the user did not ask for: into a shipped model (unless named), or, for a folder the user
 * did not name, anywhere in the repository outside the runs folder (tracked files).
 */
export function assertWritable(target: ResolvedModelDir, env: NodeJS.ProcessEnv = process.env): void {
  if (target.named) return;
  if (target.shipped) {
    throw new UsageError(
      `refusing to write over the shipped model in ${target.dir} by default; name it with ${target.flag} ${target.dir} to replace it`,
    );
  }
  const root = findWorkspaceRoot(target.dir);
  if (root && !isWithin(runsRoot(root, env), target.dir)) {
    throw new UsageError(
      `refusing to write into the repository (${target.dir}) by default; name a folder with ${target.flag}`,
    );
  }
}

export interface ResolveOutDirOptions {
  app: string;
  /** The verb that makes the files (`eval`): the default folder is `runs/<app>/<verb>-<timestamp>`. */
  verb: string;
  /** --out as typed, if given. */
  out?: string | undefined;
  /** The model the pictures are about: they go beside it unless it is shipped. */
  model?: ResolvedModelDir;
  appDir?: string;
  env?: NodeJS.ProcessEnv;
  now?: Date;
}

/**
 * Where a command's pictures and reports go: `--out` if given (relative to where the command was typed), else
 * beside the model unless that is a shipped one, else a new `runs/<app>/<verb>-<timestamp>`.
 */
export function resolveOutDir(options: ResolveOutDirOptions): ResolvedModelDir {
  const env = options.env ?? process.env;
  let target: ResolvedModelDir;
  if (options.out !== undefined) {
    const dir = resolveUserPath(options.out, env);
    target = { dir, shipped: isShippedModelDir(dir, options.appDir), named: true, flag: '--out' };
  } else if (options.model && !options.model.shipped) {
    target = { ...options.model, flag: '--out' };
  } else {
    const parent = join(runsRoot(options.appDir ?? options.model?.dir ?? process.cwd(), env), options.app);
    const dir = freshName(parent, `${options.verb}-${runTimestamp(options.now)}`);
    target = { dir, shipped: false, named: false, flag: '--out' };
  }
  assertWritable(target, env);
  return target;
}

/** Turns a model's raw metadata into the app's typed metadata; throws a DataError naming `path` and the field. */
export type MetadataValidator<T> = (raw: ModelMetadata, path: string) => T;

export interface LoadModelFolderOptions<T> {
  /** The app the model must belong to (metadata `app`); a model of another app is refused by name. */
  app: string;
  validate: MetadataValidator<T>;
}

export interface ModelFolder<T> {
  model: tf.LayersModel;
  metadata: T;
  /** The metadata as stored (app, version, createdAt, weightsSha256 and the app's fields). */
  raw: ModelMetadata;
  dir: string;
  /** Where the metadata was read from, for messages (model.json, or metadata.json in older folders). */
  metadataPath: string;
  /** The model's attached files by logical name -> path (see SaveModelOptions.files). */
  files: Record<string, string>;
}

/**
 * Loads a model folder of `app` with its metadata checked by `validate`. A folder without model.json is a
 * UsageError naming the flag when the user named it, else a DataError; everything else is a DataError naming the
 * file (and field).
 */
export async function loadModelFolder<T>(
  target: string | ResolvedModelDir,
  options: LoadModelFolderOptions<T>,
): Promise<ModelFolder<T>> {
  const { dir, named, flag, shipped } =
    typeof target === 'string' ? { dir: target, named: false, flag: '--model-dir', shipped: false } : target;
  if (!existsSync(join(dir, MODEL_JSON))) {
    const what = `no model in ${dir} (expected ${MODEL_JSON}, written by \`${options.app} train\`)`;
    if (named) throw new UsageError(`${flag}: ${what}`);
    if (shipped) throw new UsageError(`the shipped model is missing: ${what}; train one and pass ${flag}`);
  }
  const { model, metadata, metadataPath, files } = await loadModel(dir);
  try {
    if (metadata.app !== null && metadata.app !== undefined && metadata.app !== options.app) {
      throw new DataError(metadataPath, `is a model of ${JSON.stringify(metadata.app)}, not of ${options.app}`);
    }
    return { model, metadata: options.validate(metadata, metadataPath), raw: metadata, dir, metadataPath, files };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** Typed reads of metadata fields; see metadataFields. */
export interface MetadataFieldReader {
  has(field: string): boolean;
  string(field: string): string;
  choice<C extends string>(field: string, choices: readonly C[]): C;
  number(field: string, min?: number, max?: number): number;
  int(field: string, min?: number, max?: number): number;
  boolean(field: string): boolean;
  strings(field: string, minLength?: number): string[];
  /** A nested object, read with the same checks (messages name `outer.inner`). */
  object(field: string): MetadataFieldReader;
}

/**
 * Typed reads of metadata fields, each failure a DataError naming the file and the field:
 * `const f = metadataFields(raw, path); ({ labels: f.strings('labels'), planes: f.int('planes', 1) })`.
 */
export function metadataFields(raw: Record<string, unknown>, path: string, prefix = ''): MetadataFieldReader {
  const fail = (field: string, expected: string, value: unknown): never => {
    const got = value === undefined ? 'missing' : JSON.stringify(value)?.slice(0, 60);
    throw new DataError(path, `field "${prefix}${field}" is ${got}; expected ${expected}`);
  };
  const reader: MetadataFieldReader = {
    has: (field: string): boolean => raw[field] !== undefined && raw[field] !== null,
    string(field: string): string {
      const v = raw[field];
      return typeof v === 'string' ? v : fail(field, 'a string', v);
    },
    choice<C extends string>(field: string, choices: readonly C[]): C {
      const v = raw[field];
      return typeof v === 'string' && (choices as readonly string[]).includes(v)
        ? (v as C)
        : fail(field, `one of ${choices.join(', ')}`, v);
    },
    number(field: string, min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): number {
      const v = raw[field];
      return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max
        ? v
        : fail(field, `a number in ${min}..${max}`, v);
    },
    int(field: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
      const v = raw[field];
      return Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
        ? (v as number)
        : fail(field, `an integer in ${min}..${max}`, v);
    },
    boolean(field: string): boolean {
      const v = raw[field];
      return typeof v === 'boolean' ? v : fail(field, 'true or false', v);
    },
    strings(field: string, minLength = 1): string[] {
      const v = raw[field];
      return Array.isArray(v) && v.length >= minLength && v.every((s) => typeof s === 'string')
        ? v
        : fail(field, `a list of at least ${minLength} strings`, v);
    },
    object(field: string): MetadataFieldReader {
      const v = raw[field];
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(field, 'an object', v);
      return metadataFields(v as Record<string, unknown>, path, `${prefix}${field}.`);
    },
  };
  return reader;
}
