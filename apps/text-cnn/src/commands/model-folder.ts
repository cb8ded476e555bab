// Which folder a verb reads or writes. A stand-in for core's model-folder spine until it lands: same rules.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError, findWorkspaceRoot, isWithin, resolveUserPath } from '@cnn-lab/core';
import { APP } from '../model/load.js';

export const APP_DIR = resolve(import.meta.dirname, '..', '..');
const SHIPPED = join(APP_DIR, 'models');

export interface ResolvedDir {
  dir: string;
  /** A shipped model (apps/text-cnn/models/...): tracked files, written only when the user names the folder. */
  shipped: boolean;
  named: boolean;
}

function runsRoot(): string {
  if (process.env.CNN_LAB_RUNS) return resolveUserPath(process.env.CNN_LAB_RUNS);
  return join(findWorkspaceRoot(APP_DIR) ?? resolveUserPath('.'), 'runs');
}

function fresh(parent: string, name: string): string {
  if (!existsSync(join(parent, name))) return join(parent, name);
  for (let k = 2; ; k++) if (!existsSync(join(parent, `${name}-${k}`))) return join(parent, `${name}-${k}`);
}

const stamp = (): string => new Date().toISOString().slice(0, 19).replace(/:/g, '-');

/** Reading: --model-dir, else the shipped model. */
export function modelDirToRead(flag: string | undefined): ResolvedDir {
  const dir = flag !== undefined ? resolveUserPath(flag) : join(SHIPPED, 'default');
  return { dir, shipped: isWithin(SHIPPED, dir), named: flag !== undefined };
}

/** Writing: --model-dir, else a new runs/text-cnn/<timestamp> (with resume: the newest run that has checkpoints). */
export function modelDirToWrite(flag: string | undefined, resume = false): ResolvedDir {
  if (flag !== undefined) return { dir: resolveUserPath(flag), shipped: isWithin(SHIPPED, resolveUserPath(flag)), named: true };
  const parent = join(runsRoot(), APP);
  if (resume) {
    const runs = existsSync(parent) ? readdirSync(parent).sort().reverse() : [];
    const last = runs.map((n) => join(parent, n)).find((d) => existsSync(join(d, 'checkpoints')));
    if (!last) throw new UsageError(`--resume: no run of ${APP} with checkpoints in ${parent}; name the run folder with --model-dir`);
    return { dir: last, shipped: false, named: false };
  }
  return { dir: fresh(parent, stamp()), shipped: false, named: false };
}

/** Where eval's pictures go: --out, else beside the model unless it is a shipped one, else runs/text-cnn/eval-<timestamp>. */
export function outDirFor(out: string | undefined, model: ResolvedDir, verb: string): string {
  if (out !== undefined) return resolveUserPath(out);
  if (!model.shipped) return model.dir;
  return fresh(join(runsRoot(), APP), `${verb}-${stamp()}`);
}
