// The rollout policy's two numbers: move-match on the test games of the policy net's split (games
// neither model trained on), and playout speed on one thread from mid-game positions of those games.
//   tsx bench/rollout.ts [--rollout DIR] [--data-dir DIR] [--test-games N] [--split-seed S]
//                        [--move 100] [--seconds 10] [--json]
// DIR defaults to the shipped models/default (rollout.json); the data to $CNN_LAB_DATA/go/fox-pro, else
// /work/shared/datasets/go/fox-pro. Speeds are given per wall second and per CPU second (the machine may be shared).
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '@cnn-lab/core';
import { listGames } from '../src/data/games.js';
import { splitGames, spreadEvenly } from '../src/data/split.js';
import { SHIPPED_MODEL } from '../src/model/load.js';
import { Playout } from '../src/rollout/playout.js';
import { RolloutTables, loadRollout, recentMoves } from '../src/rollout/policy.js';
import { moveMatch, readGames } from '../src/rollout/train.js';
import { positionBefore } from '../src/sgf/index.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rollout: { type: 'string', default: SHIPPED_MODEL },
      'data-dir': { type: 'string' },
      'test-games': { type: 'string' },
      'split-seed': { type: 'string', default: '1' },
      move: { type: 'string', default: '100' },
      seconds: { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
    },
  });
  const dir =
    values['data-dir'] ??
    (process.env.CNN_LAB_DATA ? join(process.env.CNN_LAB_DATA, 'go/fox-pro') : '/work/shared/datasets/go/fox-pro');
  const seconds = Number(values.seconds);
  const moveAt = Number(values.move);
  if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got ${values.seconds}`);
  if (!Number.isInteger(moveAt) || moveAt < 1) throw new Error(`--move must be a positive integer, got ${values.move}`);
  const { weights, file } = await loadRollout(values.rollout!);
  const tables = new RolloutTables(weights);
  let files: string[];
  try {
    files = splitGames(await listGames(dir), Number(values['split-seed'])).test;
  } catch {
    throw new Error(`no SGF folder at ${dir}: pass --data-dir (a folder of .sgf files) or set CNN_LAB_DATA`);
  }
  const testFiles = spreadEvenly(files, values['test-games'] === undefined ? undefined : Number(values['test-games']));
  const { games } = await readGames(dir, testFiles);

  const t0 = performance.now();
  const match = moveMatch(tables, games);
  const matchSeconds = (performance.now() - t0) / 1000;
  const log = values.json
    ? (m: string) => process.stderr.write(`${m}\n`)
    : (m: string) => process.stdout.write(`${m}\n`);
  log(`${file}`);
  log(
    `move-match on ${games.length} test games: ${(match.rate * 100).toFixed(2)}% (${match.matched} of ${match.positions} moves; ${matchSeconds.toFixed(1)} s)`,
  );

  // Playouts to the end from the position before move `moveAt` of each test game long enough, in turn.
  const starts = games.filter((g) => g.moves.length >= moveAt).map((g) => positionBefore(g, moveAt).board);
  if (starts.length === 0) throw new Error(`no test game has ${moveAt} moves`);
  const po = new Playout(tables, 19);
  const rng = new Rng(1);
  let playouts = 0;
  let moves = 0;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  while (performance.now() - w0 < seconds * 1000) {
    const b = starts[playouts % starts.length]!;
    const [last, own] = recentMoves(b, b.toPlay);
    po.reset(b);
    moves += po.run(b.toPlay, last, own, 7.5, rng).moves;
    playouts++;
  }
  const wall = (performance.now() - w0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  log(
    `playouts from move ${moveAt} (one thread): ${playouts} in ${wall.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU; ` +
      `${(moves / playouts).toFixed(0)} moves each; ${(moves / wall / 1000).toFixed(0)}k moves/s wall, ${(moves / cpuSeconds / 1000).toFixed(0)}k moves per CPU-second; ` +
      `${(playouts / wall).toFixed(0)} playouts/s wall, ${(playouts / cpuSeconds).toFixed(0)} per CPU-second`,
  );
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({
        file,
        testGames: games.length,
        positions: match.positions,
        moveMatch: match.rate,
        playouts,
        movesPerSecond: moves / wall,
        movesPerCpuSecond: moves / cpuSeconds,
        playoutsPerSecond: playouts / wall,
        playoutsPerCpuSecond: playouts / cpuSeconds,
        movesPerPlayout: moves / playouts,
      })}\n`,
    );
  }
}

await main();
