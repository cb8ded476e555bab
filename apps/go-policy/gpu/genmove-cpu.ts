// What one genmove of the policy engine costs in CPU time on the wasm backend (median and p95), beside
// wall time. The wasm backend computes on one thread, so CPU time is the latency on a core of its own,
// whatever else the machine runs; wall time is what a player waits on this machine now.
//
//   cd apps/go-policy && npx tsx gpu/genmove-cpu.ts --model-dir models/large [--moves 300]
import { parseArgs } from 'node:util';
import { initBackend } from '@cnn-lab/core';
import { makeEngine, type PlayOptions } from '../src/commands/play-options.js';
import { BLACK } from '../src/board/index.js';
import { loadPolicyModel } from '../src/model/load.js';
import type { PolicyEngine } from '../src/play/engine.js';
import { latency } from '../src/play/latency.js';

const { values } = parseArgs({
  options: { 'model-dir': { type: 'string' }, moves: { type: 'string', default: '300' } },
});
const moves = Number(values.moves);
if (!Number.isInteger(moves) || moves < 10) throw new Error(`--moves must be an integer >= 10, got '${values.moves}'`);
await initBackend({ backend: 'wasm', quiet: true });
const loaded = await loadPolicyModel(values['model-dir']);
// The policy engine as `bench` runs it by default: the plain net, greedy, no guards.
const opts: PlayOptions = {
  engine: 'policy',
  threads: 1,
  temperature: 0,
  resignMargin: 30,
  rules: 'area',
  seed: 1,
  symmetries: 1,
  tactics: false,
  ladderTactics: false,
  endgame: false,
};
const made = await makeEngine(loaded, opts);
const engine = made as PolicyEngine; // engine: 'policy' makes a PolicyEngine
const colour = (): 'black' | 'white' => (engine.board.toPlay === BLACK ? 'black' : 'white');
// Warm-up: the first calls compile kernels.
for (let i = 0; i < 3; i++) await engine.genmove(colour());
engine.clear();
const cpu: number[] = [];
const wall: number[] = [];
for (let i = 0; i < moves; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const move = await engine.genmove(colour());
  wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
  if (move === 'resign' || engine.board.consecutivePasses >= 2) engine.clear();
}
await made.close?.();
const round = (l: { median: number; p95: number } | null) =>
  l && { median: +l.median.toFixed(1), p95: +l.p95.toFixed(1) };
process.stdout.write(
  `${JSON.stringify({ modelDir: loaded.dir, moves, cpuMs: round(latency(cpu)), wallMs: round(latency(wall)) })}\n`,
);
