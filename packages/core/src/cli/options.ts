import { InvalidArgumentError, type Command } from 'commander';
import { resolveUserPath } from './user-path.js';

/** The flags every app shares, so the same thing has the same name everywhere. */
export interface CommonOptions {
  dataDir?: string;
  modelDir?: string;
  epochs?: number;
  batchSize?: number;
  seed?: number;
  json?: boolean;
  backend?: string;
}

export type CommonOptionName = keyof CommonOptions;

export const ALL_COMMON_OPTIONS: readonly CommonOptionName[] = [
  'dataDir',
  'modelDir',
  'epochs',
  'batchSize',
  'seed',
  'json',
  'backend',
];

/** A commander argument parser for an integer within [min, max]; the message names what was expected. */
export function parseIntIn(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`;
      throw new InvalidArgumentError(`expected an integer ${range}, got '${value}'`);
    }
    return n;
  };
}

/** A commander argument parser for a finite number within [min, max]. */
export function parseNumberIn(min: number, max = Number.POSITIVE_INFINITY) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `in ${min}..${max}`;
      throw new InvalidArgumentError(`expected a number ${range}, got '${value}'`);
    }
    return n;
  };
}

/** A commander argument parser that accepts one of a fixed set of words. */
export function parseChoice<T extends string>(choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got '${value}'`);
    }
    return value as T;
  };
}

interface Defaults {
  epochs?: number;
  batchSize?: number;
  seed?: number;
}

/**
 * Adds the shared flags to a verb. Apps pass defaults where they have them so `--help` shows them.
 */
export function withCommonOptions(
  cmd: Command,
  which: readonly CommonOptionName[] = ALL_COMMON_OPTIONS,
  defaults: Defaults = {},
): Command {
  const want = new Set(which);
  // Folders are made absolute as they are parsed, against where the command was typed (see resolveUserPath).
  const folder = (value: string): string => resolveUserPath(value);
  if (want.has('dataDir')) cmd.option('--data-dir <dir>', 'data folder (default: $CNN_LAB_DATA/<app data>)', folder);
  if (want.has('modelDir')) cmd.option('--model-dir <dir>', 'model folder (default: the shipped model)', folder);
  if (want.has('epochs')) cmd.option('--epochs <n>', 'training epochs', parseIntIn(1), defaults.epochs);
  if (want.has('batchSize'))
    cmd.option('--batch-size <n>', 'examples per mini-batch', parseIntIn(1), defaults.batchSize);
  if (want.has('seed'))
    cmd.option('--seed <n>', 'random seed (same seed, same result)', parseIntIn(0), defaults.seed ?? 1);
  if (want.has('backend'))
    cmd.option('--backend <name>', 'TensorFlow.js backend: node, wasm or cpu (default: fastest available)');
  if (want.has('json')) cmd.option('--json', 'end the output with one line holding one JSON object of the results');
  return cmd;
}
