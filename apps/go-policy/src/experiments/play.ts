// Play-time switches the shipped engine does not use, kept so that the comparisons in
// docs/experiments/go-policy.md can be rerun: the policy averaged over board symmetries, ladder moves in
// the tactical guard, and each guard turned off. The shipped engine is SHIPPED_PLAY.
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
export const SHIPPED_PLAY: Readonly<PlaySwitches> = { symmetries: 1, tactics: true, ladderTactics: false, endgame: true };

/** The network as a Policy under the switches: plain, or averaged over symmetries. */
export function switchedPolicy(model: tf.LayersModel, featureSet: FeatureSetName, s: PlaySwitches): Policy {
  return s.symmetries > 1 ? symmetricPolicy(model, featureSet, s.symmetries) : networkPolicy(model, featureSet);
}

/** The move guard under the switches. */
export function switchedGuard(s: PlaySwitches): MoveGuard {
  return { tactics: s.tactics, endgame: s.endgame, ...(s.ladderTactics ? { extraUrgent: ladderMoves } : {}) };
}

/** One line naming the switches, e.g. "guards: tactics on (ladders off), endgame on; policy averaged over 1 symmetry". */
export function describeSwitches(s: PlaySwitches): string {
  const on = (b: boolean): string => (b ? 'on' : 'off');
  return `guards: tactics ${on(s.tactics)} (ladders ${on(s.ladderTactics)}), endgame ${on(s.endgame)}; policy averaged over ${s.symmetries} symmetr${s.symmetries === 1 ? 'y' : 'ies'}`;
}
