// The flags gtp, match and bench share: which engine plays (the tree search, or the policy net alone),
// its budget, how it resigns and counts, and (in their own help group) the experiment switches the
// shipped engines do not use.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  Rng,
  UsageError,
  parseChoice,
  parseIntIn,
  parseNumberIn,
  resolveUserPath,
  type CommonOptions,
} from '@cnn-lab/core';
import { Option, type Command } from 'commander';
import { VERSION } from '../app.js';
import { switchedGuard, switchedPolicy, type PlaySwitches } from '../experiments/play.js';
import { SHIPPED_MODEL, type LoadedPolicy } from '../model/load.js';
import { PolicyEngine } from '../play/engine.js';
import type { GtpEngine } from '../play/gtp.js';
import { ROLLOUT_FILE, loadRollout } from '../rollout/policy.js';
import { SearchEngine } from '../search/engine.js';
import { WorkerSearcher } from '../search/searcher.js';

export const ENGINES = ['search', 'policy'] as const;
export type EngineName = (typeof ENGINES)[number];

export interface PlayOptions extends CommonOptions, PlaySwitches {
  engine: EngineName;
  time?: number;
  playouts?: number;
  threads: number;
  rollout?: string;
  resign?: number;
  temperature: number;
  resignAfter?: number;
  resignMargin: number;
  rules: 'area' | 'territory';
}

export function withPlayOptions(cmd: Command, defaults: { engine: EngineName } = { engine: 'search' }): Command {
  return cmd
    .option(
      '--engine <name>',
      "search: a tree search with the net's priors and rollouts to the end; policy: exactly the net's most probable legal move",
      parseChoice(ENGINES),
      defaults.engine,
    )
    .option(
      '--time <seconds>',
      'search: seconds per move (default 2 unless --playouts is given; GTP time controls can lower it)',
      parseNumberIn(0.01, 3600),
    )
    .option(
      '--playouts <n>',
      'search: playouts per move, all threads together (with --time: whichever ends first)',
      parseIntIn(1),
    )
    .option('--threads <n>', 'search: worker threads, each growing its own tree', parseIntIn(1, 64), 2)
    .option(
      '--rollout <dir>',
      `search: the folder with ${ROLLOUT_FILE} (default: the model folder's, else the shipped one)`,
      (v: string) => resolveUserPath(v),
    )
    .option(
      '--resign <rate>',
      'search: resign when the win rate falls below this, e.g. 0.05 (off by default)',
      parseNumberIn(0, 1),
    )
    .option('--resign-after <n>', 'allow resigning from this move number on (policy: off unless given)', parseIntIn(1))
    .option(
      '--resign-margin <points>',
      'policy: resign when the count says we trail by more than this',
      parseNumberIn(0),
      30,
    )
    .option(
      '--temperature <t>',
      'policy: 0 plays the most probable legal move; above 0 samples from p^(1/t)',
      parseNumberIn(0, 10),
      0,
    )
    .option(
      '--rules <rule>',
      'final_score counting: area (Chinese) or territory (Japanese; policy only)',
      parseChoice(['area', 'territory'] as const),
      'area',
    )
    .optionsGroup(
      'Experiments with --engine policy (the shipped engines do not use them; see docs/experiments/go-policy.md):',
    )
    .option(
      '--symmetries <n>',
      'average the policy over this many board symmetries, one batch (1: the plain net, 8: all)',
      parseIntIn(1, 8),
      1,
    )
    .option(
      '--tactics',
      'the tactical guard: take stones in atari, save own stones in atari, no self-atari of 2+ stones',
    )
    .addOption(new Option('--no-tactics', 'the tactical guard off (the default)').hideHelp())
    .option(
      '--ladder-tactics',
      'with the tactical guard, also start ladders that catch 2+ stones and run from them',
      false,
    )
    .option(
      '--endgame',
      'the end-game guard: never fill own eye space; after the opponent passes, pass unless a move changes the count',
    )
    .addOption(new Option('--no-endgame', 'the end-game guard off (the default)').hideHelp())
    .optionsGroup('Options:');
}

/** The engine's GTP name. */
const NAME = 'go-policy';

/** Where the rollout policy is read from: --rollout, else the model folder if it has one, else the shipped one. */
export function rolloutDir(opts: Pick<PlayOptions, 'rollout'>, modelDir: string): string {
  if (opts.rollout !== undefined) return opts.rollout;
  return existsSync(join(modelDir, ROLLOUT_FILE)) ? modelDir : SHIPPED_MODEL;
}

/** A GTP engine that may hold threads: close() ends them. */
export type PlayEngine = GtpEngine & { close?: () => Promise<void> };

/**
 * The engine the flags ask for. Policy: the network, seeded (games repeat), its move the most probable
 * legal one unless an experiment switch says otherwise. Search: worker threads that load the network
 * and the rollout policy (close() ends them).
 */
export async function makeEngine(loaded: LoadedPolicy, opts: PlayOptions): Promise<PlayEngine> {
  const { model, meta, dir } = loaded;
  if (opts.engine === 'policy') {
    const rng = new Rng(opts.seed ?? 1);
    return new PolicyEngine({
      policy: switchedPolicy(model, meta.featureSet, opts),
      temperature: opts.temperature,
      random: () => rng.next(),
      rule: opts.rules,
      guard: switchedGuard(opts),
      ...(opts.resignAfter !== undefined ? { resignAfter: opts.resignAfter, resignMargin: opts.resignMargin } : {}),
      name: NAME,
      version: VERSION,
    });
  }
  if (opts.rules !== 'area')
    throw new UsageError('--rules territory: the search counts by area; use --engine policy to count territory');
  const rollout = await loadRollout(rolloutDir(opts, dir));
  const searcher = await WorkerSearcher.start(opts.threads, {
    modelDir: dir,
    weights: rollout.weights,
    ...(opts.backend !== undefined ? { backend: opts.backend } : {}),
    options: { komi: 7.5, seed: opts.seed ?? 1 },
  });
  return new SearchEngine({
    searcher,
    ...(opts.time !== undefined ? { timeSeconds: opts.time } : {}),
    ...(opts.playouts !== undefined ? { playouts: opts.playouts } : {}),
    ...(opts.resign !== undefined ? { resignBelow: opts.resign, resignAfter: opts.resignAfter ?? 0 } : {}),
    name: NAME,
    version: VERSION,
  });
}

/** One line saying which engine plays and how, for logs. */
export function describeEngine(opts: PlayOptions): string {
  if (opts.engine === 'policy') return "engine: policy (the net's most probable legal move)";
  const budget = [
    opts.time !== undefined ? `${opts.time} s` : opts.playouts === undefined ? '2 s' : '',
    opts.playouts !== undefined ? `${opts.playouts} playouts` : '',
  ]
    .filter(Boolean)
    .join(' or ');
  return `engine: search (${budget} a move, ${opts.threads} thread${opts.threads === 1 ? '' : 's'}${opts.resign !== undefined ? `, resigns below ${opts.resign}` : ''})`;
}
