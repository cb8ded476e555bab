// `bench`: latency of one forward pass and of genmove (median, p95) over a self-play game.
import { parseIntIn, runAction, withCommonOptions } from '@cnn-lab/core';
import type { Command } from 'commander';
import { describeSwitches, switchedPolicy } from '../experiments/play.js';
import { BLACK } from '../board/index.js';
import { loadPolicyModel } from '../model/load.js';
import { latency } from '../play/latency.js';
import { makeEngine, withPlayOptions, type PlayOptions } from './play-options.js';

interface BenchOptions extends PlayOptions {
  moves: number;
}

export function registerBench(program: Command): void {
  const cmd = program.command('bench').description('latency of one forward pass and of genmove (median, p95) over a self-play game');
  withCommonOptions(cmd, ['modelDir', 'backend', 'json']);
  cmd.option('--moves <n>', 'genmoves to time', parseIntIn(10, 2000), 200);
  withPlayOptions(cmd).action(
    runAction<BenchOptions>(async ({ opts, log }) => {
      const { model, meta, dir } = await loadPolicyModel(opts.modelDir);
      const engine = makeEngine(model, meta, opts);
      const policy = switchedPolicy(model, meta.featureSet, opts);
      const forward: number[] = [];
      const genmove: number[] = [];
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
        if (move === 'resign' || engine.board.consecutivePasses >= 2) engine.clear();
      }
      const f = latency(forward) as { median: number; p95: number };
      const g = latency(genmove) as { median: number; p95: number };
      log(`${dir}: ${meta.filters} filters x ${meta.layers} layers, ${meta.featureSet} features`);
      log(describeSwitches(opts));
      log(`forward pass (features + network, one position): median ${f.median.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms`);
      log(`genmove (features + network + legal, sensible move choice): median ${g.median.toFixed(1)} ms, p95 ${g.p95.toFixed(1)} ms over ${opts.moves} moves`);
      return { forwardMs: f, genmoveMs: g, moves: opts.moves, symmetries: opts.symmetries, tactics: opts.tactics, endgame: opts.endgame };
    }),
  );
}
