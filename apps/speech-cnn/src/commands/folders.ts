// Not a verb: where commands read and write model folders and pictures when the user names none.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findWorkspaceRoot } from '@cnn-lab/core';

const APP_DIR = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The shipped model: read by default, never written unless the user names it. */
export const SHIPPED_MODEL_DIR = join(APP_DIR, 'models', 'default');
/** `<repo>/runs/speech-cnn`: ignored by git, where commands write what the user did not place. */
export const RUNS_DIR = join(findWorkspaceRoot(APP_DIR) ?? resolve(APP_DIR, '..', '..'), 'runs', 'speech-cnn');

/** The model folder a command reads: the one named, else the shipped model. */
export function modelDirToRead(named: string | undefined): string {
  return named ?? SHIPPED_MODEL_DIR;
}

/** The model folder `train` writes: the one named, else a new `runs/speech-cnn/<date>T<time>` folder. */
export function modelDirToWrite(named: string | undefined, now: Date = new Date()): string {
  if (named !== undefined) return named;
  const stamp = now.toISOString().slice(0, 19).replaceAll(':', '-');
  let dir = join(RUNS_DIR, stamp);
  for (let k = 2; existsSync(dir); k++) dir = join(RUNS_DIR, `${stamp}-${k}`);
  return dir;
}

/** Where `eval` draws its pictures: --out, else beside the model the user named, else `runs/speech-cnn/eval`. */
export function picturesDir(out: string | undefined, namedModelDir: string | undefined): string {
  return out ?? namedModelDir ?? join(RUNS_DIR, 'eval');
}
