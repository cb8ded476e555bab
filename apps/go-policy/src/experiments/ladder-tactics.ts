// Experiment, not used by the shipped engine: ladder moves laid over the tactical guard. Start a ladder
// that catches two or more opponent stones, and run before such a ladder starts against two or more of
// ours. In a 10-game check against GNU Go level 1 (together with the 8-symmetry policy) it lost by more
// than the default engine, so it stays off; docs/experiments/go-policy.md has the numbers.
import { isLadderCapture, type Board, type Player } from '../board/index.js';
import { chainsWith, isSelfAtari, type UrgentMove } from '../play/tactics.js';

/** The ladder moves for `player`, one entry per (chain, move); urgentMoves keeps the most stones per move. */
export function ladderMoves(board: Board, player: Player): UrgentMove[] {
  const out: UrgentMove[] = [];
  const other = (3 - player) as Player;
  // Two or more stones with two liberties that a ladder catches: start it (a lone stone is often bait).
  for (const h of chainsWith(board, other, 2)) {
    if (board.chainSize[h]! < 2) continue;
    for (const m of board.libertyPoints(h)) {
      if (isLadderCapture(board, m, player)) out.push({ move: m, stones: board.chainSize[h]!, kind: 'ladder' });
    }
  }
  // And the same threat against two or more of our stones: run before the atari comes.
  for (const h of chainsWith(board, player, 2)) {
    if (board.chainSize[h]! < 2) continue;
    const libs = board.libertyPoints(h);
    if (!libs.some((m) => isLadderCapture(board, m, other))) continue;
    for (const m of libs) {
      if (board.isLegalSimple(m, player) && !isSelfAtari(board, m, player) && safeAfter(board, m, player, h)) {
        out.push({ move: m, stones: board.chainSize[h]!, kind: 'escape' });
      }
    }
  }
  return out;
}

/** After `player` plays m, does the chain through stone s have three liberties, or two that no ladder takes? */
function safeAfter(board: Board, m: number, player: Player, s: number): boolean {
  const other = (3 - player) as Player;
  board.tryMove(m, player);
  const libs = board.libCount[board.head[s]!]!;
  const safe = libs >= 3 || (libs === 2 && !board.libertyPoints(s).some((q) => isLadderCapture(board, q, other)));
  board.undoTry();
  return safe;
}
