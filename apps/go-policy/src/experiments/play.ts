// Play-time switches of the policy engine that the shipped engines do not use, kept so that the
// comparisons in docs/experiments/go-policy.md can be rerun: the policy averaged over board symmetries,
// and the hand-written guards over its ranking (tactical, with or without ladder moves, and end-game).
// The guards were on by default until matches showed they won no more games (1 of 50 against 1 of 36
// without, against GNU Go level 1) while matching the pro move less often (22.5% against 34.9%); the
// policy engine now plays exactly the net's most probable legal move. The shipped setting is SHIPPED_PLAY.
import type * as tf from '@tensorflow/tfjs';
import type { FeatureSetName } from '../features/index.js';
import { networkPolicy } from '../model/predict.js';
import type { MoveGuard, Policy } from '../play/engine.js';
import { ladderMoves } from './ladder-tactics.js';
import { symmetricPolicy } from './symmetric-policy.js';

export interface PlaySwitches {
  /** Average the policy over this many board symmetries in one batch (1: the plain network). */
  symmetries: number;
  /** The tactical guard (captures, escapes, no self-atari). */
  tactics: boolean;
  /** With the tactical guard, also start ladders that catch 2+ stones and run from them. */
  ladderTactics: boolean;
  /** The end-game guard (no filling own eye space; pass when only settled areas are left). */
  endgame: boolean;
}

/** What the shipped engine plays with. */
export const SHIPPED_PLAY: Readonly<PlaySwitches> = {
  symmetries: 1,
  tactics: false,
  ladderTactics: false,
  endgame: false,
};

/** The network as a Policy under the switches: plain, or averaged over symmetries. */
export function switchedPolicy(model: tf.LayersModel, featureSet: FeatureSetName, s: PlaySwitches): Policy {
  return s.symmetries > 1 ? symmetricPolicy(model, featureSet, s.symmetries) : networkPolicy(model, featureSet);
}

/** The move guard under the switches. */
export function switchedGuard(s: PlaySwitches): MoveGuard {
  // Flags left out arrive as undefined: a guard is on only when asked for.
  return {
    tactics: s.tactics === true,
    endgame: s.endgame === true,
    ...(s.ladderTactics ? { extraUrgent: ladderMoves } : {}),
  };
}

/** One line naming the switches, e.g. "guards: tactics on (ladders off), endgame on; policy averaged over 1 symmetry". */
export function describeSwitches(s: PlaySwitches): string {
  const on = (b: boolean | undefined): string => (b ? 'on' : 'off');
  return `guards: tactics ${on(s.tactics)} (ladders ${on(s.ladderTactics)}), endgame ${on(s.endgame)}; policy averaged over ${s.symmetries} symmetr${s.symmetries === 1 ? 'y' : 'ies'}`;
}
