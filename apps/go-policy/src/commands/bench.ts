// `bench`: latency of one forward pass and of genmove (median, p95) over a self-play game; the policy
// engine by default (the search's genmove takes what --time or --playouts gives it).
import { parseIntIn, runAction, withCommonOptions } from '@cnn-lab/core';
import type { Command } from 'commander';
import { describeSwitches, switchedPolicy } from '../experiments/play.js';
import { BLACK } from '../board/index.js';
import { PLAYING_MODEL_NAME, loadPolicyModel } from '../model/load.js';
import type { PolicyEngine } from '../play/engine.js';
import { latency } from '../play/latency.js';
import type { SearchEngine } from '../search/engine.js';
import { describeEngine, makeEngine, withPlayOptions, type PlayOptions } from './play-options.js';

interface BenchOptions extends PlayOptions {
  moves: number;
}

export function registerBench(program: Command): void {
  const cmd = program
    .command('bench')
    .description('latency of one forward pass and of genmove (median, p95) over a self-play game');
  withCommonOptions(cmd, ['modelDir', 'backend', 'json']);
  cmd.option('--moves <n>', 'genmoves to time', parseIntIn(10, 2000), 200);
  withPlayOptions(cmd, { engine: 'policy' }).action(
    runAction<BenchOptions>(async ({ opts, log }) => {
      const loaded = await loadPolicyModel(opts.modelDir, PLAYING_MODEL_NAME);
      const { model, meta, dir } = loaded;
      const made = await makeEngine(loaded, opts);
      const engine = made as PolicyEngine | SearchEngine;
      const policy = switchedPolicy(model, meta.featureSet, opts);
      const forward: number[] = [];
      const genmove: number[] = [];
      let playouts = 0;
      try {
        // Warm-up: the first calls compile kernels.
        for (let i = 0; i < 3; i++) await policy(engine.board, BLACK);
        for (let i = 0; i < opts.moves; i++) {
          const player = engine.board.toPlay;
          let t0 = performance.now();
          await policy(engine.board, player);
          forward.push(performance.now() - t0);
          t0 = performance.now();
          const move = await engine.genmove(player === BLACK ? 'black' : 'white');
          genmove.push(performance.now() - t0);
          if ('lastReport' in engine) playouts += engine.lastReport?.playouts ?? 0;
          if (move === 'resign' || engine.board.consecutivePasses >= 2) engine.clear();
        }
      } finally {
        await made.close?.();
      }
      const f = latency(forward) as { median: number; p95: number };
      const g = latency(genmove) as { median: number; p95: number };
      log(`${dir}: ${meta.filters} filters x ${meta.layers} layers, ${meta.featureSet} features`);
      log(describeEngine(opts));
      if (opts.engine === 'policy') log(describeSwitches(opts));
      log(
        `forward pass (features + network, one position): median ${f.median.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms`,
      );
      log(
        `genmove (${opts.engine === 'policy' ? 'features + network + the most probable legal move' : 'the search'}): median ${g.median.toFixed(1)} ms, p95 ${g.p95.toFixed(1)} ms over ${opts.moves} moves`,
      );
      const genmoveSeconds = genmove.reduce((a, b) => a + b, 0) / 1000;
      if (opts.engine === 'search')
        log(
          `search: ${(playouts / opts.moves).toFixed(0)} playouts a move, ${(playouts / genmoveSeconds).toFixed(0)} playouts/s (all threads)`,
        );
      return {
        engine: opts.engine,
        ...(opts.engine === 'search'
          ? { playoutsPerMove: playouts / opts.moves, playoutsPerSecond: playouts / genmoveSeconds }
          : {}),
        forwardMs: f,
        genmoveMs: g,
        moves: opts.moves,
        symmetries: opts.symmetries,
        tactics: opts.tactics === true,
        endgame: opts.endgame === true,
      };
    }),
  );
}
