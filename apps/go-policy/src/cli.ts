// go-policy's command line: the one place that reads flags, files and sockets (besides src/web).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import {
  DataError,
  UsageError,
  createProgram,
  findWorkspaceRoot,
  fit,
  loadModel,
  parseChoice,
  parseIntIn,
  parseNumberIn,
  plotHistory,
  resolveDataDir,
  resolveUserPath,
  runAction,
  runProgram,
  saveModel,
  withCommonOptions,
  withSeed,
  writeFileAtomic,
  Rng,
  type CommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { BLACK, Board, formatVertex } from './board/index.js';
import { estimatePositions, listGames } from './data/games.js';
import { FEATURE_SETS, planesOf, type FeatureSetName } from './data/positions.js';
import { SPLITS, splitGames, type SplitName } from './data/split.js';
import { gameStream } from './data/stream.js';
import { scorePolicy } from './model/evaluate.js';
import { buildPolicyNet } from './model/policy.js';
import { networkPolicy } from './model/predict.js';
import { PolicyEngine } from './play/engine.js';
import { serveGtp } from './play/gtp.js';
import { symmetricPolicy } from './play/symmetric-policy.js';
import { playMatch } from './play/match.js';
import { gameToSgf, readSgf, startingBoard } from './sgf/index.js';
import { createWebServer } from './web/server.js';

const APP = 'go-policy';
const VERSION = '0.1.0';
const DATA_SUB = 'go/fox-pro';
const DATA_WHAT = 'a folder of SGF game records (e.g. go/fox-pro with one .sgf file per game)';
/** The shipped model, beside src/. */
const DEFAULT_MODEL = resolve(import.meta.dirname, '..', 'models', 'default');

/** Metadata saved with a model: what a later eval, predict or game needs to use it the same way. */
interface PolicyMetadata {
  featureSet: FeatureSetName;
  planes: number;
  filters: number;
  layers: number;
  splitSeed: number;
  [field: string]: unknown;
}

function defaultTrainDir(): string {
  return join(findWorkspaceRoot() ?? process.cwd(), 'runs', 'go-policy');
}

async function gamesIn(dataDir: string): Promise<string[]> {
  const games = await listGames(dataDir);
  if (games.length === 0) throw new DataError(dataDir, `no .sgf files found (expected ${DATA_WHAT})`);
  return games;
}

/** At most `max` items spaced evenly through the list (files are sorted by folder, so by rank on Fox). */
function spread<T>(items: T[], max: number | undefined): T[] {
  if (max === undefined || max >= items.length) return items;
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)] as T);
}

function limit<T>(items: T[], max: number | undefined): T[] {
  return max === undefined ? items : items.slice(0, max);
}

async function loadPolicy(modelDir: string | undefined): Promise<{ model: tf.LayersModel; meta: PolicyMetadata; dir: string }> {
  const dir = resolve(modelDir ?? DEFAULT_MODEL);
  if (!existsSync(join(dir, 'model.json'))) {
    throw new UsageError(
      modelDir === undefined
        ? `the shipped model is missing (${dir}/model.json); train one with 'train' and pass --model-dir`
        : `--model-dir: no model.json in '${modelDir}' (expected a folder written by 'go-policy train')`,
    );
  }
  const { model, metadata } = await loadModel(dir);
  const meta = metadata as unknown as Partial<PolicyMetadata> | null;
  if (!meta || typeof meta.featureSet !== 'string' || !(FEATURE_SETS as readonly string[]).includes(meta.featureSet)) {
    throw new DataError(join(dir, 'metadata.json'), `has no known featureSet (expected one of ${FEATURE_SETS.join(', ')})`);
  }
  return { model, meta: meta as PolicyMetadata, dir };
}

interface TrainOptions extends CommonOptions {
  filters: number;
  layers: number;
  features: FeatureSetName;
  maxGames?: number;
  gamesPerEpoch?: number;
  valGames: number;
  learningRate: number;
  lrDropAt?: number;
  lrDropFactor: number;
  workers: number;
  trainWorkers?: number;
  splitSeed: number;
  resume?: boolean;
}

interface EvalOptions extends CommonOptions {
  split: SplitName | 'all';
  maxGames?: number;
  workers: number;
}

function buildProgram() {
  const program = createProgram(APP, "AlphaGo's supervised policy network: predict a professional's next move, play it through GTP and in a browser");

  const train = program.command('train').description('train the policy network on SGF games (split by game into train/validation/test)');
  withCommonOptions(train, undefined, { epochs: 10, batchSize: 32 });
  train
    .option('--filters <k>', 'filters per convolution (the paper: 192)', parseIntIn(1, 1024), 32)
    .option('--layers <n>', 'convolutional layers in all, counting the 5x5 and the 1x1 (the paper: 13)', parseIntIn(2, 64), 5)
    .option('--features <set>', `input feature set: ${FEATURE_SETS.join(', ')}`, parseChoice(FEATURE_SETS), 'alphago')
    .option('--max-games <n>', 'use at most this many training games', parseIntIn(1))
    .option('--games-per-epoch <n>', 'games per epoch (an epoch over all games takes hours on a CPU)', parseIntIn(1))
    .option('--val-games <n>', 'validation games scored after every epoch', parseIntIn(1), 40)
    .option('--learning-rate <lr>', 'Adam learning rate', parseNumberIn(1e-6, 1), 0.002)
    .option('--lr-drop-at <epoch>', 'from this epoch on (counting from 0), multiply the learning rate by --lr-drop-factor', parseIntIn(0))
    .option('--lr-drop-factor <f>', 'the factor for --lr-drop-at', parseNumberIn(1e-4, 1), 0.25)
    .option('--workers <n>', 'feature worker threads', parseIntIn(1, 16), 1)
    .option('--train-workers <n>', "gradient worker threads for core's trainer (default: one per core)", parseIntIn(1, 16))
    .option('--split-seed <n>', 'seed of the train/validation/test split by game', parseIntIn(0), 1)
    .option('--resume', 'continue from the checkpoint in --model-dir')
    .action(
      runAction<TrainOptions>(async ({ opts, log }) => {
        const dataDir = resolveDataDir(opts, DATA_SUB, DATA_WHAT);
        const modelDir = resolve(opts.modelDir ?? defaultTrainDir());
        const games = await gamesIn(dataDir);
        const split = splitGames(games, opts.splitSeed);
        const trainFiles = limit(split.train, opts.maxGames).map((g) => join(dataDir, g));
        const valFiles = split.validation.slice(0, opts.valGames).map((g) => join(dataDir, g));
        const planes = planesOf(opts.features);
        const perEpoch = Math.min(opts.gamesPerEpoch ?? trainFiles.length, trainFiles.length);
        const estimate = Math.round(((await estimatePositions(trainFiles.slice(0, 200))) / Math.min(200, trainFiles.length)) * perEpoch);
        log(
          `${games.length} games in ${dataDir}: ${split.train.length} train, ${split.validation.length} validation, ${split.test.length} test (split seed ${opts.splitSeed})`,
        );
        log(`training on ${trainFiles.length} games, ${perEpoch} per epoch (~${estimate} positions), validating on ${valFiles.length}`);
        const seed = opts.seed ?? 1;
        const model = withSeed(seed, () => buildPolicyNet({ planes, filters: opts.filters, layers: opts.layers }));
        log(`model: ${opts.filters} filters x ${opts.layers} layers, ${opts.features} features (${planes} planes), ${model.countParams()} parameters`);
        const trainData = gameStream({
          files: trainFiles,
          featureSet: opts.features,
          planes,
          size: estimate,
          workers: opts.workers,
          gamesPerEpoch: perEpoch,
          // ~20 games' positions: enough mixing, and a short fill before each epoch's first batch.
          shuffleBuffer: 4096,
        });
        const valData = valFiles.length === 0 ? undefined : gameStream({
          files: valFiles,
          featureSet: opts.features,
          planes,
          size: await estimatePositions(valFiles),
          workers: opts.workers,
          symmetries: false,
          shuffleBuffer: 0,
        });
        const meta: PolicyMetadata = {
          featureSet: opts.features,
          planes,
          filters: opts.filters,
          layers: opts.layers,
          splitSeed: opts.splitSeed,
        };
        const historyPath = join(modelDir, 'history.json');
        const history = await fit(model, {
          train: trainData,
          ...(valData ? { validation: valData } : {}),
          epochs: opts.epochs ?? 10,
          batchSize: opts.batchSize ?? 32,
          optimizer: { name: 'adam', learningRate: opts.learningRate },
          ...(opts.lrDropAt !== undefined
            ? { lrSchedule: (epoch: number, base: number) => (epoch >= (opts.lrDropAt as number) ? base * opts.lrDropFactor : base) }
            : {}),
          seed,
          checkpointDir: join(modelDir, 'checkpoints'),
          resume: Boolean(opts.resume),
          historyPath,
          restoreBestWeights: true,
          log,
          ...(opts.trainWorkers !== undefined ? { workers: opts.trainWorkers } : {}),
          onEpochEnd: async (_record, h) => {
            // The model folder always holds the latest finished epoch, usable while training goes on.
            await saveModel(model, modelDir, { app: APP, version: VERSION, ...meta, history: h.epochs, dataDir });
          },
        });
        const stats = trainData.lastStats();
        await saveModel(model, modelDir, { app: APP, version: VERSION, ...meta, history: history.epochs, dataDir });
        // Core's HistoryLike wants bestEpoch undefined where History has null; the curves need only the epochs.
        await plotHistory({ epochs: history.epochs }, join(modelDir, 'history.png'));

        const last = history.epochs[history.epochs.length - 1];
        const best = history.epochs.find((e) => e.epoch === history.bestEpoch) ?? last;
        log(`saved ${modelDir} (best epoch ${history.bestEpoch ?? '-'}); learning curves in ${join(modelDir, 'history.png')}`);
        if (stats && Object.keys(stats.skipped).length > 0) {
          log(`skipped games in the last epoch: ${Object.entries(stats.skipped).map(([r, s]) => `${r} ${s.count} (e.g. ${s.example})`).join('; ')}`);
        }
        return {
          modelDir,
          epochs: history.epochs.length,
          bestEpoch: history.bestEpoch,
          loss: last?.loss ?? null,
          accuracy: last?.accuracy ?? null,
          valLoss: best?.valLoss ?? null,
          valAccuracy: best?.valAccuracy ?? null,
          examplesPerSecond: last?.examplesPerSecond ?? null,
          interrupted: history.interrupted,
        };
      }),
    );

  const evalCmd = program.command('eval').description('top-1, top-5 and log-loss on held-out games, and accuracy by move number');
  withCommonOptions(evalCmd, ['dataDir', 'modelDir', 'batchSize', 'json', 'backend'], { batchSize: 64 });
  evalCmd
    .option('--split <name>', `which games: ${[...SPLITS, 'all'].join(', ')} (all: every game in --data-dir)`, parseChoice([...SPLITS, 'all'] as const), 'test')
    .option('--max-games <n>', 'score at most this many games, spread evenly through the split', parseIntIn(1))
    .option('--workers <n>', 'feature worker threads', parseIntIn(1, 16), 1)
    .action(
      runAction<EvalOptions>(async ({ opts, log }) => {
        const dataDir = resolveDataDir(opts, DATA_SUB, DATA_WHAT);
        const { model, meta, dir } = await loadPolicy(opts.modelDir);
        const games = await gamesIn(dataDir);
        const chosen = opts.split === 'all' ? games : splitGames(games, meta.splitSeed)[opts.split];
        const files = spread(chosen, opts.maxGames).map((g) => join(dataDir, g));
        if (files.length === 0) throw new UsageError(`--split ${opts.split}: no games of that split in ${dataDir}`);
        log(`scoring ${dir} on ${files.length} ${opts.split} games of ${dataDir}`);
        const stream = gameStream({
          files,
          featureSet: meta.featureSet,
          planes: meta.planes,
          size: 0,
          workers: opts.workers,
          symmetries: false,
          shuffleBuffer: 0,
        });
        const started = performance.now();
        let lastReport = started;
        const result = await scorePolicy(model, stream.batches(0, opts.batchSize ?? 64, 0), (n) => {
          const now = performance.now();
          if (now - lastReport > 10_000) {
            lastReport = now;
            process.stderr.write(`  ${n} positions, ${(n / ((now - started) / 1000)).toFixed(0)}/s\n`);
          }
        });
        const stats = stream.lastStats();
        log(`top-1 ${(result.top1 * 100).toFixed(2)}%  top-5 ${(result.top5 * 100).toFixed(2)}%  log-loss ${result.logLoss.toFixed(4)}  on ${result.positions} positions of ${stats?.games ?? 0} games`);
        log('accuracy by move number:');
        for (const s of result.byMoveNumber) {
          log(`  moves ${s.moves.padEnd(8)} ${String(s.positions).padStart(7)} positions  top-1 ${(s.top1 * 100).toFixed(1)}%  top-5 ${(s.top5 * 100).toFixed(1)}%`);
        }
        const skipped = Object.entries(stats?.skipped ?? {});
        if (skipped.length > 0) log(`skipped: ${skipped.map(([r, s]) => `${r} ${s.count} (e.g. ${s.example})`).join('; ')}`);
        return {
          top1: result.top1,
          top5: result.top5,
          logLoss: result.logLoss,
          positions: result.positions,
          games: stats?.games ?? 0,
          skipped: Object.fromEntries(skipped.map(([r, s]) => [r, s.count])),
          byMoveNumber: result.byMoveNumber,
        };
      }),
    );

  const predict = program.command('predict').description("the network's top-5 moves for a position: an SGF at a move number, or the empty board");
  withCommonOptions(predict, ['modelDir', 'json', 'backend']);
  predict
    .option('--sgf <file>', 'a game record (default: the empty board)')
    .option('--move <n>', 'the position before move n of the SGF (default: after the last move)', parseIntIn(1))
    .option('--top <k>', 'how many moves to list', parseIntIn(1, 361), 5)
    .action(
      runAction<PredictOptions>(async ({ opts, log }) => {
        const { model, meta } = await loadPolicy(opts.modelDir);
        let board = new Board(19);
        let played: string | null = null;
        if (opts.sgf !== undefined) {
          const read = readSgf(await readFileOrUsage(opts.sgf, '--sgf'));
          if (!read.ok) throw new DataError(opts.sgf, `not a usable 19x19 game record (${read.reason}): ${read.detail}`);
          const stop = opts.move ?? read.game.moves.length + 1;
          if (stop > read.game.moves.length + 1) {
            throw new UsageError(`--move ${stop}: the game has ${read.game.moves.length} moves (expected 1..${read.game.moves.length + 1})`);
          }
          const game = read.game;
          board = startingBoard(game);
          for (const [i, m] of game.moves.entries()) {
            if (i + 1 === stop) {
              played = formatVertex(m.move, 19);
              board.toPlay = m.colour;
              break;
            }
            board.play(m.move, m.colour);
          }
        } else if (opts.move !== undefined) {
          throw new UsageError('--move needs --sgf');
        }
        const t0 = performance.now();
        const probs = await networkPolicy(model, meta.featureSet)(board, board.toPlay);
        const ms = performance.now() - t0;
        const top = topMoves(board, probs, opts.top);
        log(board.toString());
        log(`${board.toPlay === BLACK ? 'black' : 'white'} to play; the network's top ${opts.top} (legal points, renormalised):`);
        for (const [i, t] of top.entries()) log(`  ${i + 1}. ${t.vertex.padEnd(4)} ${(t.probability * 100).toFixed(1)}%${t.vertex === played ? '  <- played' : ''}`);
        if (played) log(`played in the game: ${played}`);
        return { toPlay: board.toPlay === BLACK ? 'black' : 'white', top, played, forwardMs: ms };
      }),
    );

  const gtp = program.command('gtp').description('a GTP v2 engine on stdin/stdout (for Sabaki, GoGui, or a match)');
  withCommonOptions(gtp, ['modelDir', 'backend', 'seed', 'json']);
  playOptions(gtp).action(
    runAction<PlayOptions>(async ({ opts }) => {
      const { model, meta } = await loadPolicy(opts.modelDir);
      await serveGtp(makeEngine(model, meta, opts), process.stdin, process.stdout);
      // After quit, stop reading so the process ends even if the controller keeps the pipe open.
      process.stdin.destroy();
    }),
  );

  const match = program.command('match').description('play our engine against another GTP engine (e.g. GNU Go) and count the wins');
  withCommonOptions(match, ['modelDir', 'backend', 'seed', 'json']);
  playOptions(match)
    .requiredOption('--opponent <command>', 'the opponent engine as a shell command, e.g. "/usr/games/gnugo --mode gtp --level 1"')
    .option('--games <n>', 'games to play (colours alternate)', parseIntIn(1), 10)
    .option('--komi <k>', 'komi', parseNumberIn(-100, 100), 7.5)
    .option('--max-moves <n>', 'call a game unfinished after this many moves', parseIntIn(2), 600)
    .option('--sgf-dir <dir>', 'where each game is written as SGF', 'runs/match')
    .action(
      runAction<MatchCliOptions>(async ({ opts, log }) => {
        const { model, meta } = await loadPolicy(opts.modelDir);
        const sgfDir = resolveUserPath(opts.sgfDir);
        const genmove: number[] = [];
        const { summary } = await playMatch({
          engine: () => makeEngine(model, meta, opts),
          opponent: opts.opponent,
          games: opts.games,
          komi: opts.komi,
          maxMoves: opts.maxMoves,
          onGame: async (r) => {
            genmove.push(...r.genmoveMs);
            const file = join(sgfDir, `game-${String(r.index + 1).padStart(3, '0')}.sgf`);
            await writeFileAtomic(file, gameToSgf(r.game, { application: `${APP} ${VERSION}` }));
            log(`game ${r.index + 1}/${opts.games}: we are ${r.ours}, ${r.outcome}${r.result ? ` (${r.result}; our count ${r.ourScore ?? '-'})` : ''} after ${r.moves} moves${r.outcome === 'unfinished' ? `: ${r.reason}` : ''} -> ${file}`);
          },
        });
        const ci = summary.interval;
        log(
          `${summary.wins} wins, ${summary.losses} losses, ${summary.unfinished} unfinished of ${summary.games}` +
            (summary.winRate === null ? '' : `; win rate ${(summary.winRate * 100).toFixed(1)}% (95% interval ${((ci?.low ?? 0) * 100).toFixed(1)}-${((ci?.high ?? 0) * 100).toFixed(1)}%)`),
        );
        const lat = latency(genmove);
        if (lat) log(`genmove latency: median ${lat.median.toFixed(1)} ms, p95 ${lat.p95.toFixed(1)} ms over ${genmove.length} moves`);
        return { ...summary, genmoveMs: lat, sgfDir };
      }),
    );

  const start = program.command('start').description('a local web page: play the network, see its policy as a heat map, replay an SGF');
  withCommonOptions(start, ['modelDir', 'backend', 'json']);
  start
    .option('--port <n>', 'port on 127.0.0.1 (0: any free port)', parseIntIn(0, 65535), 8080)
    .option('--host <address>', 'address to bind (default 127.0.0.1: this machine only)', '127.0.0.1')
    .action(
      runAction<StartOptions>(async ({ opts, log }) => {
        const { model, meta, dir } = await loadPolicy(opts.modelDir);
        const app = createWebServer({ policy: networkPolicy(model, meta.featureSet), modelName: `${meta.filters} filters x ${meta.layers} layers, ${meta.featureSet} features (${dir})` });
        const address = await app.listen({ port: opts.port, host: opts.host });
        log(`go-policy is at ${address.replace('0.0.0.0', '127.0.0.1')}/ (Ctrl-C to stop)`);
        await new Promise<void>((done) => {
          const stop = (): void => {
            void app.close().then(done);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        return { url: address };
      }),
    );

  const bench = program.command('bench').description('latency of one forward pass and of genmove (median, p95) over a self-play game');
  withCommonOptions(bench, ['modelDir', 'backend', 'json']);
  playOptions(bench).option('--moves <n>', 'genmoves to time', parseIntIn(10, 2000), 200).action(
    runAction<PlayOptions & { moves: number }>(async ({ opts, log }) => {
      const { model, meta, dir } = await loadPolicy(opts.modelDir);
      const engine = makeEngine(model, meta, opts);
      const policy = opts.symmetries > 1 ? symmetricPolicy(model, meta.featureSet, opts.symmetries) : networkPolicy(model, meta.featureSet);
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
        if (move === 'resign' || (engine.board.consecutivePasses >= 2)) engine.clear();
      }
      const f = latency(forward) as { median: number; p95: number };
      const g = latency(genmove) as { median: number; p95: number };
      log(`${dir}: ${meta.filters} filters x ${meta.layers} layers, ${meta.featureSet} features`);
      log(`guards: tactics ${opts.tactics ? 'on' : 'off'} (ladders ${opts.ladderTactics ? 'on' : 'off'}), endgame ${opts.endgame ? 'on' : 'off'}; policy averaged over ${opts.symmetries} symmetr${opts.symmetries === 1 ? 'y' : 'ies'}`);
      log(`forward pass (features + network, one position): median ${f.median.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms`);
      log(`genmove (features + network + legal, sensible move choice): median ${g.median.toFixed(1)} ms, p95 ${g.p95.toFixed(1)} ms over ${opts.moves} moves`);
      return { forwardMs: f, genmoveMs: g, moves: opts.moves, symmetries: opts.symmetries, tactics: opts.tactics, endgame: opts.endgame };
    }),
  );

  return program;
}

interface PredictOptions extends CommonOptions {
  sgf?: string;
  move?: number;
  top: number;
}

interface PlayOptions extends CommonOptions {
  temperature: number;
  resignAfter?: number;
  resignMargin: number;
  rules: 'area' | 'territory';
  tactics: boolean;
  ladderTactics: boolean;
  endgame: boolean;
  symmetries: number;
}

interface MatchCliOptions extends PlayOptions {
  opponent: string;
  games: number;
  komi: number;
  maxMoves: number;
  sgfDir: string;
}

interface StartOptions extends CommonOptions {
  port: number;
  host: string;
}

function playOptions(cmd: Command): Command {
  return cmd
    .option('--temperature <t>', '0: always the most probable sensible move; above 0: sample from p^(1/t)', parseNumberIn(0, 10), 0)
    .option('--resign-after <n>', 'allow resigning from this move number on (off by default)', parseIntIn(1))
    .option('--resign-margin <points>', 'resign when the count says we trail by more than this', parseNumberIn(0), 30)
    .option('--rules <rule>', 'final_score counting: area (Chinese) or territory (Japanese)', parseChoice(['area', 'territory'] as const), 'area')
    .option('--symmetries <n>', 'average the policy over this many board symmetries, one batch (1: the plain net, 8: all)', parseIntIn(1, 8), 1)
    .option('--no-tactics', 'turn off the tactical guard (take stones in atari, save own stones in atari, no self-atari)')
    .option('--ladder-tactics', 'with the tactical guard, also start ladders that catch 2+ stones and run from them', false)
    .option('--no-endgame', 'turn off the end-game guard (never fill own eye space; after the opponent passes, pass unless a move changes the count)');
}

function makeEngine(model: tf.LayersModel, meta: PolicyMetadata, opts: PlayOptions): PolicyEngine {
  const rng = new Rng(opts.seed ?? 1);
  return new PolicyEngine({
    policy: opts.symmetries > 1 ? symmetricPolicy(model, meta.featureSet, opts.symmetries) : networkPolicy(model, meta.featureSet),
    temperature: opts.temperature,
    random: () => rng.next(),
    rule: opts.rules,
    guard: { tactics: opts.tactics, ladders: opts.ladderTactics, endgame: opts.endgame },
    ...(opts.resignAfter !== undefined ? { resignAfter: opts.resignAfter, resignMargin: opts.resignMargin } : {}),
    name: 'go-policy',
    version: VERSION,
  });
}

/** The k most probable legal points, renormalised over the legal points. */
function topMoves(board: Board, probs: Float32Array, k: number): { vertex: string; probability: number }[] {
  const legal: number[] = [];
  let total = 0;
  for (let p = 0; p < board.area; p++) {
    if (board.at(p) === 0 && board.isLegal(p, board.toPlay)) {
      legal.push(p);
      total += probs[p] ?? 0;
    }
  }
  return legal
    .sort((a, b) => (probs[b] ?? 0) - (probs[a] ?? 0))
    .slice(0, k)
    .map((p) => ({ vertex: formatVertex(p, 19), probability: total > 0 ? (probs[p] ?? 0) / total : 0 }));
}

function latency(ms: number[]): { median: number; p95: number } | null {
  if (ms.length === 0) return null;
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
  return { median: at(0.5), p95: at(0.95) };
}

async function readFileOrUsage(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(resolveUserPath(path));
  } catch (err) {
    throw new UsageError(`${flag}: cannot read '${path}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

await runProgram(buildProgram());
