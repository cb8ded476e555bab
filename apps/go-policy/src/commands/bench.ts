// `bench`: latency of one forward pass and of genmove (median, p95) over a self-play game; the policy
// engine by default (the search's genmove takes what --time or --playouts gives it).
import { coreKernelBuild, parseIntIn, runAction, setCoreKernelBuild, withCommonOptions } from '@cnn-lab/core';
import type { Command } from 'commander';
import { describeSwitches, switchedPolicy } from '../experiments/play.js';
import { BLACK, type Player } from '../board/index.js';
import { PLAYING_MODEL_NAME, loadPolicyModel } from '../model/load.js';
import { networkPolicy } from '../model/predict.js';
import type { PolicyEngine } from '../play/engine.js';
import { latency } from '../play/latency.js';
import type { SearchEngine } from '../search/engine.js';
import { describeEngine, makeEngine, withPlayOptions, type PlayOptions } from './play-options.js';

interface BenchOptions extends PlayOptions {
  moves: number;
  baseline?: boolean;
}

/** CPU milliseconds (user + system, all threads) since `from`. */
function cpuMs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

export function registerBench(program: Command): void {
  const cmd = program
    .command('bench')
    .description('latency of one forward pass and of genmove (median, p95) over a self-play game');
  withCommonOptions(cmd, ['modelDir', 'backend', 'json']);
  cmd.option('--moves <n>', 'genmoves to time', parseIntIn(10, 2000), 200);
  cmd.option(
    '--baseline',
    "also time each position's forward pass (one pass, no symmetries) through model.predict with core's wasm kernels off, as CNN_LAB_WASM_KERNELS=off runs it, alternating with the timed one",
  );
  withPlayOptions(cmd, { engine: 'policy' }).action(
    runAction<BenchOptions>(async ({ opts, log }) => {
      const loaded = await loadPolicyModel(opts.modelDir, PLAYING_MODEL_NAME);
      const { model, meta, dir } = loaded;
      const made = await makeEngine(loaded, opts);
      const engine = made as PolicyEngine | SearchEngine;
      const policy = switchedPolicy(model, meta.featureSet, opts);
      const baseline = opts.baseline ? networkPolicy(model, meta.featureSet, { forwardPlan: false }) : null;
      const forward: number[] = [];
      const forwardCpu: number[] = [];
      const baseForward: number[] = [];
      const baseCpu: number[] = [];
      const timeBaseline = async (player: Player): Promise<void> => {
        if (!baseline) return;
        const build = coreKernelBuild();
        setCoreKernelBuild('off');
        try {
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          await baseline(engine.board, player);
          baseForward.push(performance.now() - t0);
          baseCpu.push(cpuMs(c0));
        } finally {
          setCoreKernelBuild(build);
        }
      };
      const genmove: number[] = [];
      let playouts = 0;
      try {
        // Warm-up: the first calls compile kernels.
        for (let i = 0; i < 3; i++) {
          await policy(engine.board, BLACK);
          await timeBaseline(BLACK);
        }
        baseForward.length = baseCpu.length = 0;
        for (let i = 0; i < opts.moves; i++) {
          const player = engine.board.toPlay;
          // The two alternate, first one then the other, so that a busy machine slows both alike.
          if (i % 2 === 1) await timeBaseline(player);
          const c0 = process.cpuUsage();
          let t0 = performance.now();
          await policy(engine.board, player);
          forward.push(performance.now() - t0);
          forwardCpu.push(cpuMs(c0));
          if (i % 2 === 0) await timeBaseline(player);
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
      const fc = latency(forwardCpu) as { median: number; p95: number };
      const b = baseline ? (latency(baseForward) as { median: number; p95: number }) : null;
      const bc = baseline ? (latency(baseCpu) as { median: number; p95: number }) : null;
      log(`${dir}: ${meta.filters} filters x ${meta.layers} layers, ${meta.featureSet} features`);
      log(describeEngine(opts));
      if (opts.engine === 'policy') log(describeSwitches(opts));
      log(
        `forward pass (features + network, one position): median ${f.median.toFixed(2)} ms, p95 ${f.p95.toFixed(2)} ms; CPU median ${fc.median.toFixed(2)} ms`,
      );
      if (b && bc)
        log(
          `forward pass, model.predict with core's kernels off: median ${b.median.toFixed(2)} ms, p95 ${b.p95.toFixed(2)} ms; CPU median ${bc.median.toFixed(2)} ms (${(b.median / f.median).toFixed(2)}x wall, ${(bc.median / fc.median).toFixed(2)}x CPU)`,
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
        forwardCpuMs: fc,
        ...(b && bc ? { baselineForwardMs: b, baselineForwardCpuMs: bc } : {}),
        genmoveMs: g,
        moves: opts.moves,
        symmetries: opts.symmetries,
        tactics: opts.tactics === true,
        endgame: opts.endgame === true,
      };
    }),
  );
}
