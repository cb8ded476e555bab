// A Monte Carlo tree search the AlphaGo way, without a value network: PUCT selection with the policy
// network's move probabilities as priors, playouts by the fast rollout policy to the end of the game,
// counted by area. A new node first takes the rollout policy's own weights as priors (cheap, available at
// once); once it has been visited `netAfter` times its position joins a batch for the network, whose
// probabilities then replace them. One thread, deterministic for a seed and a playout budget: batches are
// evaluated at fixed points of the search, never as a clock allows. See parallel.ts for two threads.
import { Rng } from '@cnn-lab/core';
import { BLACK, PASS, WHITE, type Board, type Move, type Player } from '../board/index.js';
import { encodeBoard, planeCount, type FeatureSetName } from '../features/index.js';
import { Playout } from '../rollout/playout.js';
import type { RolloutTables } from '../rollout/policy.js';

/** The policy network on a batch: `count` positions of planes (NHWC) in, count x 361 probabilities out. */
export type NetEvaluator = (planes: Float32Array, count: number) => Float32Array;

export interface SearchOptions {
  komi: number;
  /** Seed of the playouts' random numbers. */
  seed: number;
  /** Exploration constant of PUCT (values are win rates in [0, 1]). */
  cPuct: number;
  /** An unvisited move is valued at its parent's value minus this. */
  fpuReduction: number;
  /** An edge gets its own node (priors, statistics) at this many visits. */
  expandAfter: number;
  /** A node is queued for the network at this many visits (the root at once). */
  netAfter: number;
  /** Positions per network batch. */
  batchSize: number;
  /**
   * Weight of the score in a playout's value: (1 - w) * win + w * (0.5 + 0.5 tanh(margin / scoreScale)),
   * so that among moves that all win (or all lose) the search still prefers the larger margin.
   */
  scoreWeight: number;
  scoreScale: number;
}

export const DEFAULT_SEARCH: Omit<SearchOptions, 'komi' | 'seed'> = {
  cPuct: 1.5,
  fpuReduction: 0.1,
  expandAfter: 2,
  netAfter: 8,
  batchSize: 16,
  scoreWeight: 0.1,
  scoreScale: 20,
};

export interface Budget {
  /** New playouts to run (at least one of playouts, timeMs). */
  playouts?: number;
  /** Wall-clock milliseconds to search. */
  timeMs?: number;
  /** Checked between playouts; true stops the search. */
  stop?: () => boolean;
  /** Root parallelism: the other threads' root visits, so that they decide to stop together. */
  shared?: SharedRoot;
}

/** Slots of one thread's row in SharedRoot.visits: the root's visits by point, PASS, then its playouts. */
export const ROOT_ROW = 19 * 19 + 2;

/**
 * What threads searching the same root share: each publishes its root visits by point (PASS at ROOT_ROW - 2)
 * and its playouts so far (at ROOT_ROW - 1) in its row, every 64 playouts. The smart-pruning test then
 * reads all rows, as for one tree of all their playouts, and stops every thread at once when the most
 * visited move is decided. (Alone, each thread stopped on its own tree and left its core idle while the
 * other searched on.) The rows must be zero when a search starts.
 */
export interface SharedRoot {
  visits: Int32Array;
  row: number;
  threads: number;
  /** Stop every thread (the shared stop flag). */
  stopAll: () => void;
}

export interface MoveStats {
  move: Move;
  visits: number;
  /** Sum of the values of its playouts, from the point of view of the player to move at the root. */
  valueSum: number;
  /** Mean value (win rate blended with the score, see scoreWeight) for the player to move. */
  value: number;
  /** Fraction of its playouts won by the player to move. */
  winrate: number;
  wins: number;
  prior: number;
  /** Principal variation starting with this move (most visited replies). */
  pv: Move[];
}

export interface SearchResult {
  player: Player;
  /** Playouts in this call, and the root's visits in all (reused ones included). */
  playouts: number;
  rootVisits: number;
  /** Root moves with visits, most visited first. */
  moves: MoveStats[];
  /** Mean final owner of every point over this call's playouts: +1 black, -1 white. */
  ownership: Float32Array;
  /** Mean area margin (black - white - komi) over this call's playouts. */
  meanMargin: number;
  /** Fraction of this call's playouts won by the player to move. */
  winrate: number;
  netEvaluations: number;
  /** Whether the root's priors came from the network. */
  rootFromNet: boolean;
  elapsedMs: number;
  /** Moves per second played inside the playouts. */
  playoutMoves: number;
}

class Node {
  readonly player: Player;
  readonly moves: Int16Array;
  readonly prior: Float32Array;
  readonly n: Int32Array;
  readonly w: Float64Array;
  /** Playouts won by this node's player through each edge. */
  readonly wins: Int32Array;
  readonly children: (Node | undefined)[];
  visits = 0;
  valueSum = 0;
  /** 0: rollout priors; 1: queued for the network; 2: network priors. */
  net = 0;

  constructor(player: Player, moves: Int16Array, prior: Float32Array) {
    this.player = player;
    this.moves = moves;
    this.prior = prior;
    const k = moves.length;
    this.n = new Int32Array(k);
    this.w = new Float64Array(k);
    this.wins = new Int32Array(k);
    this.children = new Array<Node | undefined>(k);
  }
}

const PRIOR_FLOOR = 1e-6;

/** The search over one game's positions; keep it between moves to reuse the tree. */
export class Search {
  private readonly tables: RolloutTables;
  private readonly net: NetEvaluator | null;
  private readonly featureSet: FeatureSetName;
  private readonly planes: number;
  readonly options: SearchOptions;
  private rng: Rng;
  private playout: Playout | null = null;
  /** The root position (with its history, for superko and the network's history planes). */
  private board: Board | null = null;
  private root: Node | null = null;
  private rootAllowed: Uint8Array = new Uint8Array(0);
  /** Last two moves before the root (for the rollout policy's distance features). */
  private rootLast = PASS;
  private rootOwn = PASS;
  private batch: Float32Array = new Float32Array(0);
  private batchNodes: Node[] = [];
  private readonly pathNodes: Node[] = [];
  private readonly pathEdges: number[] = [];
  private readonly undoStack: number[] = [];
  private netEvaluations = 0;
  private readonly priors: Float64Array = new Float64Array(361);

  constructor(
    tables: RolloutTables,
    net: NetEvaluator | null,
    featureSet: FeatureSetName,
    options: Partial<SearchOptions> & Pick<SearchOptions, 'komi' | 'seed'>,
  ) {
    this.tables = tables;
    this.net = net;
    this.featureSet = featureSet;
    this.planes = planeCount(featureSet);
    this.options = { ...DEFAULT_SEARCH, ...options };
    this.rng = new Rng(this.options.seed);
  }

  /** Start again from nothing: a fresh tree and the random numbers of the seed. */
  reset(seed = this.options.seed): void {
    this.root = null;
    this.board = null;
    this.batchNodes = [];
    this.rng = new Rng(seed);
  }

  setKomi(komi: number): void {
    if (komi !== this.options.komi) {
      this.options.komi = komi;
      this.root = null;
    }
  }

  /**
   * Search from `position` (copied; its history matters). When it continues the previous root's game
   * by moves that the tree holds, that subtree is kept.
   */
  setPosition(position: Board): void {
    const reused = this.board && this.root ? this.descendTo(position) : null;
    this.board = position.clone();
    if (!this.playout || this.playout.size !== position.size) this.playout = new Playout(this.tables, position.size);
    this.batchNodes = [];
    const h = position.history;
    const a = h[h.length - 1];
    const b = h[h.length - 2];
    this.rootLast = a && a.colour !== position.toPlay ? a.move : PASS;
    this.rootOwn = a && b && a.colour !== position.toPlay && b.colour === position.toPlay ? b.move : PASS;
    this.root = reused ?? this.newNode(position.toPlay, this.rootLast, this.rootOwn, this.board);
    // Every simulation starts from the root's playout state and plays the tree's moves on it incrementally.
    this.playout.reset(this.board);
    this.playout.saveRoot();
    this.rootAllowed = new Uint8Array(this.root.moves.length);
    this.root.moves.forEach((m, i) => {
      this.rootAllowed[i] = m === PASS || this.board!.isLegal(m, position.toPlay) ? 1 : 0;
    });
  }

  /** The node for `position` in the current tree, if position = root + moves the tree holds. */
  private descendTo(position: Board): Node | null {
    const old = this.board!.history;
    const now = position.history;
    if (now.length < old.length || position.size !== this.board!.size) return null;
    for (let i = 0; i < old.length; i++)
      if (old[i]!.move !== now[i]!.move || old[i]!.colour !== now[i]!.colour) return null;
    // Same prefix: the old root plus the new moves must be the new position (setup stones included).
    let node: Node | undefined = this.root!;
    const probe = this.board!.clone();
    for (let i = old.length; i < now.length; i++) {
      const m = now[i]!;
      if (!node || node.player !== m.colour) return null;
      const k = node.moves.indexOf(m.move);
      node = k >= 0 ? node.children[k] : undefined;
      if (probe.whyIllegal(m.move, m.colour)) return null;
      probe.play(m.move, m.colour);
    }
    if (!node || probe.hash !== position.hash || node.player !== position.toPlay) return null;
    return node;
  }

  /**
   * A node for `player` to move on `board`: candidates and priors from the rollout policy. With `ready`,
   * the playout board already holds the position (a simulation's leaf); otherwise it is set up from `board`.
   */
  private newNode(player: Player, last: number, own: number, board: Board, ready = false): Node {
    const po = this.playout!;
    if (!ready) po.reset(board);
    const g = this.priors;
    po.weights(player, last, own, g);
    let count = 0;
    let total = 0;
    for (let p = 0; p < board.area; p++) {
      if (g[p]! > 0) {
        count++;
        total += g[p]!;
      }
    }
    if (count === 0) return new Node(player, Int16Array.of(PASS), Float32Array.of(1));
    const moves = new Int16Array(count);
    const prior = new Float32Array(count);
    let k = 0;
    for (let p = 0; p < board.area; p++) {
      if (g[p]! > 0) {
        moves[k] = p;
        prior[k++] = Math.max(g[p]! / total, PRIOR_FLOOR);
      }
    }
    return new Node(player, moves, prior);
  }

  /** Run playouts from the root until the budget is spent; returns the root's statistics. */
  run(budget: Budget): SearchResult {
    const board = this.board;
    const root = this.root;
    const po = this.playout;
    if (!board || !root || !po) throw new Error('Search.run before setPosition');
    if (budget.playouts === undefined && budget.timeMs === undefined)
      throw new Error('a search needs a playout or time budget');
    const t0 = performance.now();
    const ownership = new Float64Array(board.area);
    let playouts = 0;
    let marginSum = 0;
    let rootWins = 0;
    let moves = 0;
    const evals0 = this.netEvaluations;
    if (this.net && root.net === 0 && root.moves[0] !== PASS) {
      this.queue(root, board);
      this.flush();
    }
    const limit = budget.playouts ?? Infinity;
    const deadline = budget.timeMs !== undefined ? t0 + budget.timeMs : Infinity;
    while (playouts < limit && performance.now() < deadline && !(budget.stop?.() ?? false)) {
      if (
        deadline !== Infinity &&
        playouts % 64 === 63 &&
        this.decided(root, playouts, t0, deadline, limit, budget.shared)
      ) {
        budget.shared?.stopAll();
        break;
      }
      const r = this.simulate(board, root, po);
      playouts++;
      moves += r.moves;
      marginSum += r.margin;
      if ((r.margin > 0 ? BLACK : WHITE) === root.player) rootWins++;
      const owner = po.owner;
      for (let p = 0; p < board.area; p++) {
        const o = owner[p]!;
        if (o === BLACK) ownership[p]!++;
        else if (o === WHITE) ownership[p]!--;
      }
      if (this.batchNodes.length >= this.options.batchSize) this.flush();
    }
    this.flush();
    const elapsedMs = performance.now() - t0;
    const own = new Float32Array(board.area);
    for (let p = 0; p < board.area; p++) own[p] = playouts > 0 ? ownership[p]! / playouts : 0;
    return {
      player: root.player,
      playouts,
      rootVisits: root.visits,
      moves: this.rootMoves(root),
      ownership: own,
      meanMargin: playouts > 0 ? marginSum / playouts : 0,
      winrate: playouts > 0 ? rootWins / playouts : 0.5,
      netEvaluations: this.netEvaluations - evals0,
      rootFromNet: root.net === 2,
      elapsedMs,
      playoutMoves: moves,
    };
  }

  /** One playout: select down the tree, maybe expand, roll out, back the value up. */
  private simulate(board: Board, root: Node, po: Playout): { margin: number; moves: number } {
    const { pathNodes, pathEdges } = this;
    pathNodes.length = 0;
    pathEdges.length = 0;
    let node = root;
    let last = this.rootLast;
    let own = this.rootOwn;
    const savedKo = board.koPoint;
    const savedKoColour = board.koColour;
    const savedToPlay = board.toPlay;
    const savedMoveNumber = board.moveNumber;
    const undoStack = this.undoStack;
    undoStack.length = 0;
    // The playout board follows the search board move by move from the root.
    po.restoreRoot();
    const poBoard = po.board;
    let result: { margin: number; moves: number };
    for (;;) {
      if (this.net && node.net === 0 && node.visits >= this.options.netAfter && node.moves[0] !== PASS)
        this.queue(node, board);
      const i = this.select(node, node === root);
      const move = node.moves[i]!;
      pathNodes.push(node);
      pathEdges.push(i);
      const player = node.player;
      const next = player === BLACK ? WHITE : BLACK;
      // Play the move on the search board (undone below).
      board.moveNumber++;
      if (move === PASS) {
        undoStack.push(board.koPoint, board.koColour);
        board.koPoint = -1;
        undoStack.push(-2);
        poBoard.koPoint = -1;
      } else {
        board.tryMove(move, player);
        undoStack.push(-1);
        po.play(move, player);
      }
      board.toPlay = next;
      own = last;
      last = move;
      const child = node.children[i];
      if (child) {
        node = child;
        continue;
      }
      if (node.n[i]! + 1 >= this.options.expandAfter) node.children[i] = this.newNode(next, last, own, board, true);
      result = po.run(next, last, own, this.options.komi, this.rng);
      break;
    }
    // Back up, then take the moves back.
    const { scoreWeight, scoreScale } = this.options;
    const winBlack = result.margin > 0 ? 1 : result.margin < 0 ? 0 : 0.5;
    const vBlack = (1 - scoreWeight) * winBlack + scoreWeight * (0.5 + 0.5 * Math.tanh(result.margin / scoreScale));
    for (let k = 0; k < pathNodes.length; k++) {
      const nd = pathNodes[k]!;
      const e = pathEdges[k]!;
      const v = nd.player === BLACK ? vBlack : 1 - vBlack;
      nd.n[e]!++;
      nd.w[e]! += v;
      if ((nd.player === BLACK ? winBlack : 1 - winBlack) === 1) nd.wins[e]!++;
      nd.visits++;
      nd.valueSum += v;
    }
    while (undoStack.length > 0) {
      const kind = undoStack.pop()!;
      if (kind === -1) board.undoTry();
      else {
        board.koColour = undoStack.pop() as Player;
        board.koPoint = undoStack.pop()!;
      }
    }
    board.koPoint = savedKo;
    board.koColour = savedKoColour;
    board.toPlay = savedToPlay;
    board.moveNumber = savedMoveNumber;
    return result;
  }

  private select(node: Node, isRoot: boolean): number {
    const { cPuct, fpuReduction } = this.options;
    const sqrtN = Math.sqrt(Math.max(1, node.visits));
    const fpu = node.visits > 0 ? node.valueSum / node.visits - fpuReduction : 0.5;
    const { n, w, prior } = node;
    let best = 0;
    let bestScore = -Infinity;
    for (let i = 0; i < n.length; i++) {
      if (isRoot && this.rootAllowed[i] === 0) continue;
      const ni = n[i]!;
      const q = ni > 0 ? w[i]! / ni : fpu;
      const s = q + (cPuct * prior[i]! * sqrtN) / (1 + ni);
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    return best;
  }

  /** Encode the node's position (the search board is there now) into the network batch. */
  private queue(node: Node, board: Board): void {
    const per = 361 * this.planes;
    const k = this.batchNodes.length;
    if (this.batch.length < (k + 1) * per) {
      const grown = new Float32Array(Math.max(this.options.batchSize, k + 1) * per);
      grown.set(this.batch);
      this.batch = grown;
    }
    const saved = board.toPlay;
    board.toPlay = node.player;
    encodeBoard(board, this.featureSet, this.batch, k * per);
    board.toPlay = saved;
    node.net = 1;
    this.batchNodes.push(node);
  }

  /** Evaluate the queued positions and give their nodes the network's priors. */
  private flush(): void {
    const nodes = this.batchNodes;
    if (nodes.length === 0 || !this.net) return;
    const probs = this.net(this.batch, nodes.length);
    this.netEvaluations += nodes.length;
    nodes.forEach((node, k) => {
      let total = 0;
      for (let i = 0; i < node.moves.length; i++) total += probs[k * 361 + node.moves[i]!]!;
      if (total > 0) {
        for (let i = 0; i < node.moves.length; i++)
          node.prior[i] = Math.max(probs[k * 361 + node.moves[i]!]! / total, PRIOR_FLOOR);
      }
      node.net = 2;
    });
    this.batchNodes = [];
  }

  /**
   * Whether the most visited root move can no longer be overtaken within a time budget: its lead in visits
   * over the second is larger than the playouts the remaining time allows at this call's rate (Leela Zero's
   * "smart pruning"). Stopping then plays the same move sooner; a playout budget alone is never cut.
   */
  private decided(
    root: Node,
    playouts: number,
    t0: number,
    deadline: number,
    limit: number,
    shared: SharedRoot | undefined,
  ): boolean {
    const now = performance.now();
    const elapsed = now - t0;
    if (elapsed <= 0) return false;
    let total = playouts;
    let visits: Int32Array | null = null;
    if (shared) {
      // Publish this tree's root, then read every thread's.
      const v = shared.visits;
      const base = shared.row * ROOT_ROW;
      for (let i = 0; i < root.moves.length; i++) {
        const m = root.moves[i]!;
        v[base + (m === PASS ? ROOT_ROW - 2 : m)] = root.n[i]!;
      }
      v[base + ROOT_ROW - 1] = playouts;
      total = 0;
      for (let t = 0; t < shared.threads; t++) total += v[t * ROOT_ROW + ROOT_ROW - 1]!;
      visits = v;
    }
    const remaining = Math.min(
      (limit - playouts) * (shared ? shared.threads : 1),
      (total / elapsed) * (deadline - now),
    );
    let first = 0;
    let second = 0;
    for (let i = 0; i < root.moves.length; i++) {
      if (this.rootAllowed[i] === 0) continue;
      let n = root.n[i]!;
      if (shared && visits) {
        const m = root.moves[i]!;
        const at = m === PASS ? ROOT_ROW - 2 : m;
        n = 0;
        for (let t = 0; t < shared.threads; t++) n += visits[t * ROOT_ROW + at]!;
      }
      if (n > first) {
        second = first;
        first = n;
      } else if (n > second) second = n;
    }
    return first - second > remaining;
  }

  private rootMoves(root: Node): MoveStats[] {
    const out: MoveStats[] = [];
    for (let i = 0; i < root.moves.length; i++) {
      const visits = root.n[i]!;
      if (visits === 0 || this.rootAllowed[i] === 0) continue;
      const pv = [root.moves[i]!];
      let node = root.children[i];
      while (node && node.visits > 0 && pv.length < 24) {
        let b = -1;
        for (let j = 0; j < node.moves.length; j++) if (node.n[j]! > 0 && (b < 0 || node.n[j]! > node.n[b]!)) b = j;
        if (b < 0) break;
        pv.push(node.moves[b]!);
        node = node.children[b];
      }
      out.push({
        move: root.moves[i]!,
        visits,
        valueSum: root.w[i]!,
        value: root.w[i]! / visits,
        wins: root.wins[i]!,
        winrate: root.wins[i]! / visits,
        prior: root.prior[i]!,
        pv,
      });
    }
    return out.sort((a, b) => b.visits - a.visits || b.value - a.value);
  }

  /** The root's priors (for analysis of an unsearched position), over its candidate moves. */
  rootPriors(): { move: Move; prior: number }[] {
    const root = this.root;
    if (!root) return [];
    return Array.from(root.moves, (move, i) => ({ move, prior: root.prior[i]! })).filter(
      (_, i) => this.rootAllowed[i] === 1,
    );
  }
}
