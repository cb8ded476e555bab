// Differential test against GNU Go: random games played in both engines, comparing the legality of
// candidate moves (GNU Go's is_legal), prisoners and the whole board after every move. GTP commands for
// a game are pipelined in one write; every read has a timeout and the subprocess is killed at the end.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rng } from '@cnn-lab/core';
import { BLACK, Board, EMPTY, PASS, WHITE, fixedHandicap, formatVertex, maxHandicap } from '../src/board/index.js';
import type { KoRule, Player } from '../src/board/index.js';

const GNUGO = [process.env.GNUGO, '/usr/games/gnugo', '/usr/bin/gnugo', '/usr/local/bin/gnugo'].find(
  (p) => p && existsSync(p),
);
const READ_TIMEOUT_MS = 30_000;

class Gtp {
  private proc: ChildProcessWithoutNullStreams;
  /** Unread output; responses end with a blank line. Scanned once, split once per batch. */
  private buffer = '';
  private scanFrom = 0;
  private complete = 0;
  private waiting: {
    n: number;
    resolve: (r: string[]) => void;
    reject: (e: Error) => void;
    timer: NodeJS.Timeout;
  } | null = null;
  private exited: Error | null = null;

  constructor(path: string, extraArgs: string[] = []) {
    this.proc = spawn(path, ['--mode', 'gtp', '--level', '0', ...extraArgs], { stdio: 'pipe' });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let i: number;
      while ((i = this.buffer.indexOf('\n\n', this.scanFrom)) >= 0) {
        this.complete++;
        this.scanFrom = i + 2;
      }
      this.check();
    });
    this.proc.on('exit', (code, signal) => {
      this.exited = new Error(`gnugo exited (code ${code}, signal ${signal})`);
      this.check();
    });
    this.proc.on('error', (err) => {
      this.exited = err;
      this.check();
    });
  }

  private check(): void {
    const w = this.waiting;
    if (!w) return;
    if (this.complete >= w.n) {
      // Pipelined batches are answered in order, so a batch's answers are the first n responses.
      const parts = this.buffer.slice(0, this.scanFrom).split('\n\n');
      parts.pop();
      const taken = parts.slice(0, w.n);
      const rest = parts.slice(w.n);
      const tail = this.buffer.slice(this.scanFrom);
      this.buffer = rest.map((r) => r + '\n\n').join('') + tail;
      this.scanFrom = this.buffer.length - tail.length;
      this.complete -= w.n;
      this.waiting = null;
      clearTimeout(w.timer);
      w.resolve(taken);
    } else if (this.exited) {
      this.waiting = null;
      clearTimeout(w.timer);
      w.reject(this.exited);
    }
  }

  /** Send commands in one write; resolve with their responses ("= ..." / "? ...") in order. */
  send(commands: string[]): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`gnugo did not answer ${commands.length} commands within ${READ_TIMEOUT_MS} ms`));
      }, READ_TIMEOUT_MS);
      this.waiting = { n: commands.length, resolve, reject, timer };
      this.proc.stdin.write(commands.join('\n') + '\n');
      this.check();
    });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.stdin.end('quit\n');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 2_000);
    await done;
    clearTimeout(timer);
  }
}

const colourName = (c: Player): string => (c === BLACK ? 'black' : 'white');

type Expect =
  | { kind: 'legal'; text: string; mine: boolean }
  | { kind: 'play'; text: string }
  | { kind: 'stones'; text: string; mine: string }
  | { kind: 'captures'; text: string; mine: string };

/** One random game in our engine, with the GTP commands that replay it and what we expect back. */
interface GameOptions {
  koRule?: KoRule;
  /** Chance of passing instead of a legal move (passes lift the simple ko, so positions can repeat). */
  passRate?: number;
  /** Ask GNU Go about every empty point, not a sample. */
  allPoints?: boolean;
  /** Counts candidate moves our engine calls superko violations. */
  superko?: { count: number };
}

function randomGame(rng: Rng, size: number, maxMoves: number, opts: GameOptions = {}): Expect[] {
  const { koRule = 'simple', passRate = 0.02, allPoints = false, superko = { count: 0 } } = opts;
  const b = new Board(size, { koRule });
  const out: Expect[] = [
    { kind: 'play', text: `boardsize ${size}` },
    { kind: 'play', text: 'clear_board' },
  ];
  const stonesOf = (c: Player): string => {
    const pts: string[] = [];
    for (let p = 0; p < b.area; p++) if (b.cells[p] === c) pts.push(formatVertex(p, size));
    return pts.sort().join(' ');
  };
  for (let n = 0; n < maxMoves; n++) {
    const c = b.toPlay;
    // Candidates: the points where legality is interesting (no empty neighbour: suicide, ko,
    // captures), plus a few random empty points.
    const tight: number[] = [];
    const empty: number[] = [];
    for (let p = 0; p < b.area; p++) {
      if (b.cells[p] !== EMPTY) continue;
      empty.push(p);
      let free = false;
      for (let i = 0; i < b.geo.nbrCount[p]!; i++) if (b.cells[b.geo.nbr[4 * p + i]!] === EMPTY) free = true;
      if (!free) tight.push(p);
    }
    const candidates = allPoints ? [...empty] : [...tight];
    for (let k = 0; k < 3 && empty.length > 0 && !allPoints; k++) candidates.push(empty[rng.int(empty.length)]!);
    if (rng.next() < 0.1) candidates.push(rng.int(b.area)); // sometimes an occupied point
    for (const p of candidates) {
      const why = b.whyIllegal(p, c);
      if (why === 'superko') superko.count++;
      out.push({ kind: 'legal', text: `is_legal ${colourName(c)} ${formatVertex(p, size)}`, mine: why === null });
    }
    // Random legal move that does not fill an own eye; pass when there is none (or sometimes).
    const options = empty.filter((p) => b.isLegal(p, c) && !b.isEye(p, c));
    const move = options.length === 0 || rng.next() < passRate ? PASS : options[rng.int(options.length)]!;
    if (move === PASS && b.consecutivePasses === 1) break;
    b.play(move, c);
    out.push({ kind: 'play', text: `play ${colourName(c)} ${formatVertex(move, size)}` });
    out.push({ kind: 'stones', text: 'list_stones black', mine: stonesOf(BLACK) });
    out.push({ kind: 'stones', text: 'list_stones white', mine: stonesOf(WHITE) });
    out.push({ kind: 'captures', text: 'captures black', mine: String(b.prisoners.black) });
    out.push({ kind: 'captures', text: 'captures white', mine: String(b.prisoners.white) });
  }
  return out;
}

/** Replay in GNU Go; the first disagreement, described, or null. Also counts what was compared. */
async function compare(gtp: Gtp, steps: Expect[], counts: Record<string, number>): Promise<string | null> {
  const answers = await gtp.send(steps.map((s) => s.text));
  let moveNo = 0;
  for (const [i, s] of steps.entries()) {
    const a = answers[i]!;
    if (s.kind === 'play') {
      moveNo++;
      if (!a.startsWith('=')) return `GNU Go refused "${s.text}" (move ${moveNo - 2}): ${a}`;
      continue;
    }
    if (!a.startsWith('=')) return `"${s.text}" failed: ${a}`;
    const value = a.slice(1).trim();
    counts[s.kind] = (counts[s.kind] ?? 0) + 1;
    if (s.kind === 'legal') {
      if ((value === '1') !== s.mine) return `after move ${moveNo - 2}: "${s.text}" GNU Go ${value}, ours ${s.mine}`;
    } else {
      const theirs = s.kind === 'stones' ? value.split(/\s+/).filter(Boolean).sort().join(' ') : value;
      if (theirs !== s.mine) return `after move ${moveNo - 2}: "${s.text}" GNU Go [${theirs}], ours [${s.mine}]`;
    }
  }
  return null;
}

describe.skipIf(!GNUGO)(`differential test against GNU Go (${GNUGO ?? 'gnugo not installed: skipped'})`, () => {
  // A fresh engine per test: a test that times out on a busy machine must not leave replies queued for the next.
  let gtp: Gtp;
  beforeEach(() => {
    gtp = new Gtp(GNUGO!);
  });
  afterEach(async () => {
    await gtp?.close();
  });
  // Wall time, not a speed target: ~25 s of CPU, but CI runs other packages' tests beside it on 2 cores.
  const SLOW = 600_000;

  it(
    'agrees on legality, captures and the board over 150 random 9x9 games',
    async () => {
      const rng = new Rng(20261126);
      const counts: Record<string, number> = {};
      for (let g = 0; g < 150; g++) {
        const problem = await compare(gtp, randomGame(rng, 9, 120), counts);
        expect(problem, `9x9 game ${g}`).toBeNull();
      }
      // Enough was compared for the agreement to mean something.
      expect(counts.legal).toBeGreaterThan(15_000);
      expect(counts.stones).toBeGreaterThan(20_000);
    },
    SLOW,
  );

  it(
    'agrees over 8 random 19x19 games and on other sizes',
    async () => {
      const rng = new Rng(7);
      const counts: Record<string, number> = {};
      for (let g = 0; g < 8; g++) {
        const problem = await compare(gtp, randomGame(rng, 19, 300), counts);
        expect(problem, `19x19 game ${g}`).toBeNull();
      }
      for (const size of [5, 7, 13]) {
        for (let g = 0; g < 10; g++)
          expect(await compare(gtp, randomGame(rng, size, 200), counts), `${size}x${size} game ${g}`).toBeNull();
      }
    },
    SLOW,
  );

  it(
    'agrees on positional superko (gnugo --positional-superko) over long 5x5 games',
    async () => {
      const sk = new Gtp(GNUGO!, ['--positional-superko']);
      try {
        const rng = new Rng(11);
        const counts: Record<string, number> = {};
        const superko = { count: 0 };
        for (let g = 0; g < 40; g++) {
          const problem = await compare(
            sk,
            randomGame(rng, 5, 250, { koRule: 'positional-superko', passRate: 0.15, allPoints: true, superko }),
            counts,
          );
          expect(problem, `5x5 superko game ${g}`).toBeNull();
        }
        // Repetitions do happen in random 5x5 games: the rule was exercised, not just the simple cases.
        expect(superko.count).toBeGreaterThan(0);
      } finally {
        await sk.close();
      }
    },
    SLOW,
  );

  it('places fixed handicap stones on the same points', async () => {
    for (const size of [7, 8, 9, 13, 19]) {
      for (let n = 2; n <= maxHandicap(size); n++) {
        const [, , reply] = await gtp.send([`boardsize ${size}`, 'clear_board', `fixed_handicap ${n}`]);
        const theirs = reply!.slice(1).trim().split(/\s+/).sort();
        const ours = fixedHandicap(size, n)
          .map((p) => formatVertex(p, size))
          .sort();
        expect(ours, `${size}x${size} handicap ${n}`).toEqual(theirs);
      }
    }
  });
});
