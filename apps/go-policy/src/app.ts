// Who this app is, as written into saved models, SGF files and messages; the data it reads; and where
// its commands write when the user names no folder.
import { join } from 'node:path';
import { findWorkspaceRoot } from '@cnn-lab/core';

export const APP = 'go-policy';
export const VERSION = '0.1.0';

/** The data folder under $CNN_LAB_DATA (or ../shared/datasets beside the checkout). */
export const DATA_SUB = 'go/fox-pro';
export const DATA_WHAT = 'a folder of SGF game records (e.g. go/fox-pro with one .sgf file per game)';

/**
 * A new folder under <repo>/runs/go-policy (ignored by git), named for the time it was asked for, e.g.
 * runs/go-policy/2026-11-27T01-05-08Z, or runs/go-policy/match-2026-11-27T01-05-08Z with a `kind`.
 */
export function newRunDir(kind?: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  return join(findWorkspaceRoot(import.meta.dirname) ?? process.cwd(), 'runs', APP, kind ? `${kind}-${stamp}` : stamp);
}
