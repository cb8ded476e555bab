// Search speed: playouts per second from one mid-game position, in worker threads (the engine's setup),
// with the shipped net as prior and the shipped rollout policy.
//   tsx bench/search.ts [--model-dir DIR] [--rollout DIR] [--threads 2] [--seconds 10]
//                       [--sgf FILE --move N] [--self-play 100] [--backend wasm] [--json]
// The position is the one before move N of the SGF, or else the position after --self-play moves of the
// net playing itself greedily (repeatable, no data needed). Speeds per wall second and per CPU second.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { initBackend } from '@cnn-lab/core';
import { Board, formatVertex } from '../src/board/index.js';
import { loadPolicyModel } from '../src/model/load.js';
import { networkPolicy } from '../src/model/predict.js';
import { chooseMove } from '../src/play/engine.js';
import { loadRollout } from '../src/rollout/policy.js';
import { positionData } from '../src/search/position.js';
import { WorkerSearcher } from '../src/search/searcher.js';
import { positionBefore, readSgf } from '../src/sgf/index.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'model-dir': { type: 'string' },
      rollout: { type: 'string' },
      threads: { type: 'string', default: '2' },
      seconds: { type: 'string', default: '10' },
      sgf: { type: 'string' },
      move: { type: 'string' },
      'self-play': { type: 'string', default: '100' },
      backend: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const threads = Number(values.threads);
  const seconds = Number(values.seconds);
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`--threads must be a positive integer, got ${values.threads}`);
  if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got ${values.seconds}`);
  await initBackend({ backend: values.backend, quiet: true });
  const { model, meta, dir } = await loadPolicyModel(values['model-dir']);
  const rollout = await loadRollout(values.rollout ?? dir);
  const log = values.json
    ? (m: string) => process.stderr.write(`${m}\n`)
    : (m: string) => process.stdout.write(`${m}\n`);

  let board: Board;
  let where: string;
  if (values.sgf !== undefined) {
    const read = readSgf(await readFile(values.sgf));
    if (!read.ok) throw new Error(`${values.sgf}: ${read.detail}`);
    const move = values.move === undefined ? read.game.moves.length + 1 : Number(values.move);
    board = positionBefore(read.game, move).board;
    where = `${values.sgf} before move ${move}`;
  } else {
    const n = Number(values['self-play']);
    board = new Board(19, { koRule: 'positional-superko' });
    const policy = networkPolicy(model, meta.featureSet);
    for (let i = 0; i < n; i++) {
      const c = chooseMove(board, board.toPlay, await policy(board, board.toPlay), 0, Math.random, {
        tactics: false,
        endgame: false,
      });
      board.play(c.move);
    }
    where = `after ${n} moves of the net's greedy self-play`;
  }
  const searcher = await WorkerSearcher.start(threads, {
    modelDir: dir,
    weights: rollout.weights,
    backend: values.backend,
    options: { komi: 7.5, seed: 1 },
  });
  // A short warm-up search (kernels compile on the first batch), then the timed one on a fresh tree.
  await searcher.search(positionData(board, { black: [], white: [] }), { timeMs: 500 });
  searcher.clear();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await searcher.search(positionData(board, { black: [], white: [] }), { timeMs: seconds * 1000 });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await searcher.close();
  log(`${where}, ${board.toPlay === 1 ? 'black' : 'white'} to play; ${threads} thread(s), ${seconds} s`);
  log(
    `${r.playouts} playouts: ${(r.playouts / wall).toFixed(0)}/s wall, ${(r.playouts / cpuSeconds).toFixed(0)} per CPU-second (${cpuSeconds.toFixed(1)} CPU-s in ${wall.toFixed(1)} s); ` +
      `${(r.playoutMoves / r.playouts).toFixed(0)} moves a playout; ${r.netEvaluations} net evaluations (${(r.netEvaluations / wall).toFixed(0)}/s)`,
  );
  const best = r.moves[0];
  if (best)
    log(`best ${formatVertex(best.move, 19)}: ${best.visits} visits, win rate ${(best.winrate * 100).toFixed(1)}%`);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ threads, seconds: wall, cpuSeconds, playouts: r.playouts, playoutsPerSecond: r.playouts / wall, playoutsPerCpuSecond: r.playouts / cpuSeconds, netEvaluations: r.netEvaluations, movesPerPlayout: r.playoutMoves / r.playouts })}\n`,
    );
  }
}

await main();
