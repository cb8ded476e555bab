// Not a verb: which model folder a command reads or writes, and where pictures go, through core's rules (a
// default never writes into the repository or over the shipped model; runs go to runs/speech-cnn/).
import { relative } from 'node:path';
import { resolveModelDir, resolveOutDir, type ResolvedModelDir } from '@cnn-lab/core';
import { APP, APP_DIR } from '../app.js';

/** The model a command reads: --model-dir, else the shipped models/default. */
export function modelToRead(flag: string | undefined): ResolvedModelDir {
  return resolveModelDir({ app: APP, appDir: APP_DIR, flag, mode: 'read' });
}

/** The folder `train` writes: --model-dir, else a new runs/speech-cnn/<timestamp> (with --resume, the newest run). */
export function modelToWrite(flag: string | undefined, resume: boolean): ResolvedModelDir {
  return resolveModelDir({ app: APP, appDir: APP_DIR, flag, mode: 'write', resume });
}

/** Where `eval` draws: --out, else beside the model unless it is the shipped one, else runs/speech-cnn/eval-<timestamp>. */
export function picturesDir(out: string | undefined, model: ResolvedModelDir): string {
  return resolveOutDir({ app: APP, verb: 'eval', out, model, appDir: APP_DIR }).dir;
}

/** A path as the user should read it: relative to the folder the command was typed in (pnpm runs it elsewhere). */
export function shown(path: string): string {
  return relative(process.env.INIT_CWD ?? process.cwd(), path) || '.';
}
