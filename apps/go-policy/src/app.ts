// Who this app is, as written into saved models, SGF files and messages, where it lives (its shipped
// model is under models/), and the data it reads.
import { resolve } from 'node:path';
import { resolveModelDir, resolveOutDir } from '@cnn-lab/core';

export const APP = 'go-policy';
export const VERSION = '0.1.0';

/** The app's package folder: models/default (the shipped model) is read from here, never written by default. */
export const APP_DIR = resolve(import.meta.dirname, '..');

/** The data folder under $CNN_LAB_DATA (or ../shared/datasets beside the checkout). */
export const DATA_SUB = 'go/fox-pro';
export const DATA_WHAT = 'a folder of SGF game records (e.g. go/fox-pro with one .sgf file per game)';

/**
 * A new folder under <repo>/runs/go-policy (ignored by git) for a command's output when the user names
 * none: runs/go-policy/<time>, or runs/go-policy/<kind>-<time> with a `kind` (core's resolveOutDir).
 */
export function newRunDir(kind?: string): string {
  return kind === undefined
    ? resolveModelDir({ app: APP, appDir: APP_DIR, mode: 'write' }).dir
    : resolveOutDir({ app: APP, appDir: APP_DIR, verb: kind }).dir;
}
