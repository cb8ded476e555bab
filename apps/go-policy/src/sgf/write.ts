// The declarations travel with this file, so packages that compile the app from source (the site) see them.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./sabaki-sgf.d.ts" />
// Games the engine plays -> SGF text (FF[4], UTF-8), written with @sabaki/sgf.
import sgf from '@sabaki/sgf';
import type { StringifyNode } from '@sabaki/sgf';
import { BLACK, PASS } from '../board/index.js';
import type { Game } from './game.js';

const ALPHA = 'abcdefghijklmnopqrs';

function vertex(p: number, size: number): string {
  if (p === PASS) return '';
  return ALPHA[p % size]! + ALPHA[Math.floor(p / size)]!;
}

export function gameToSgf(game: Game, extra: { application?: string } = {}): string {
  const root: Record<string, string[]> = {
    GM: ['1'],
    FF: ['4'],
    CA: ['UTF-8'],
    AP: [extra.application ?? 'cnn-lab go-policy'],
    SZ: [String(game.size)],
    KM: [String(game.komi)],
  };
  if (game.handicap > 0) root.HA = [String(game.handicap)];
  if (game.setup.black.length) root.AB = game.setup.black.map((p) => vertex(p, game.size));
  if (game.setup.white.length) root.AW = game.setup.white.map((p) => vertex(p, game.size));
  if (game.info.blackName) root.PB = [game.info.blackName];
  if (game.info.whiteName) root.PW = [game.info.whiteName];
  if (game.info.date) root.DT = [game.info.date];
  if (game.info.rules) root.RU = [game.info.rules];
  if (game.result) root.RE = [game.result];
  // A chain of single children is the main line; stringify writes it flat.
  let tail: StringifyNode = { data: root, children: [] };
  const top = tail;
  for (const m of game.moves) {
    const data: Record<string, string[]> = { [m.colour === BLACK ? 'B' : 'W']: [vertex(m.move, game.size)] };
    if (m.comment) data.C = [m.comment];
    const node: StringifyNode = { data, children: [] };
    tail.children.push(node);
    tail = node;
  }
  return sgf.stringify([top], { linebreak: '' }) + '\n';
}
