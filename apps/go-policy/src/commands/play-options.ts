// The flags gtp, match and bench share: how the engine chooses and resigns, how it counts, and (in their
// own help group) the experiment switches the shipped engine does not use.
import type * as tf from '@tensorflow/tfjs';
import { Rng, parseChoice, parseIntIn, parseNumberIn, type CommonOptions } from '@cnn-lab/core';
import type { Command } from 'commander';
import { VERSION } from '../app.js';
import { switchedGuard, switchedPolicy, type PlaySwitches } from '../experiments/play.js';
import type { PolicyMetadata } from '../model/load.js';
import { PolicyEngine } from '../play/engine.js';

export interface PlayOptions extends CommonOptions, PlaySwitches {
  temperature: number;
  resignAfter?: number;
  resignMargin: number;
  rules: 'area' | 'territory';
}

export function withPlayOptions(cmd: Command): Command {
  return cmd
    .option('--temperature <t>', '0: always the most probable sensible move; above 0: sample from p^(1/t)', parseNumberIn(0, 10), 0)
    .option('--resign-after <n>', 'allow resigning from this move number on (off by default)', parseIntIn(1))
    .option('--resign-margin <points>', 'resign when the count says we trail by more than this', parseNumberIn(0), 30)
    .option('--rules <rule>', 'final_score counting: area (Chinese) or territory (Japanese)', parseChoice(['area', 'territory'] as const), 'area')
    .optionsGroup('Experiments (the shipped engine does not use them; see docs/experiments/go-policy.md):')
    .option('--symmetries <n>', 'average the policy over this many board symmetries, one batch (1: the plain net, 8: all)', parseIntIn(1, 8), 1)
    .option('--no-tactics', 'turn off the tactical guard (take stones in atari, save own stones in atari, no self-atari)')
    .option('--ladder-tactics', 'with the tactical guard, also start ladders that catch 2+ stones and run from them', false)
    .option('--no-endgame', 'turn off the end-game guard (never fill own eye space; after the opponent passes, pass unless a move changes the count)')
    .optionsGroup('Options:');
}

/** The network as a GTP engine, set up as the flags say; seeded, so games repeat. */
export function makeEngine(model: tf.LayersModel, meta: PolicyMetadata, opts: PlayOptions): PolicyEngine {
  const rng = new Rng(opts.seed ?? 1);
  return new PolicyEngine({
    policy: switchedPolicy(model, meta.featureSet, opts),
    temperature: opts.temperature,
    random: () => rng.next(),
    rule: opts.rules,
    guard: switchedGuard(opts),
    ...(opts.resignAfter !== undefined ? { resignAfter: opts.resignAfter, resignMargin: opts.resignMargin } : {}),
    name: 'go-policy',
    version: VERSION,
  });
}
