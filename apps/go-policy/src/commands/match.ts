// `match`: our engine against another GTP engine (e.g. GNU Go), colours alternating, each game kept as SGF.
import { existsSync } from 'node:fs';
import {
  UsageError,
  parseIntIn,
  parseNumberIn,
  resolveUserPath,
  runAction,
  withCommonOptions,
  writeFileAtomic,
} from '@cnn-lab/core';
import { Option, type Command } from 'commander';
import { APP, VERSION, newRunDir } from '../app.js';
import { PLAYING_MODEL_NAME, loadPolicyModel } from '../model/load.js';
import { latency } from '../play/latency.js';
import { opponentCommand, playMatch, summarise } from '../play/match.js';
import { assertResumable, gameFile, playedGames } from '../play/match-folder.js';
import { SearchEngine, describeReport } from '../search/engine.js';
import { gameToSgf } from '../sgf/index.js';
import { describeEngine, makeEngine, withPlayOptions, type PlayOptions } from './play-options.js';

interface MatchOptions extends PlayOptions {
  opponent: string;
  games: number;
  komi: number;
  maxMoves: number;
  timeout: number;
  out?: string;
  resume?: boolean;
  /** The older name of --out. */
  sgfDir?: string;
}

export function registerMatch(program: Command): void {
  const cmd = program
    .command('match')
    .description('play our engine against another GTP engine (e.g. GNU Go) and count the wins');
  withCommonOptions(cmd, ['modelDir', 'backend', 'seed', 'json']);
  cmd
    .requiredOption(
      '--opponent <command>',
      'the opponent engine as a shell command, e.g. "/usr/games/gnugo --mode gtp --level 1" (GNU Go gets --chinese-rules when counting by area)',
    )
    .option('--games <n>', 'games to play (colours alternate)', parseIntIn(1), 10)
    .option('--komi <k>', 'komi', parseNumberIn(-100, 100), 7.5)
    .option('--max-moves <n>', 'call a game unfinished after this many moves', parseIntIn(2), 600)
    .option(
      '--timeout <seconds>',
      'how long the opponent may take over one answer; then it is ended and the game called unfinished',
      parseNumberIn(0.1, 3600),
      60,
    )
    .option(
      '--out <dir>',
      `where each game is written as SGF (default: a new folder runs/${APP}/match-<time> in the repository)`,
    )
    .option('--resume', 'go on with the match in --out: its games so far count, the next game is played next')
    .addOption(new Option('--sgf-dir <dir>', 'the older name of --out').hideHelp());
  withPlayOptions(cmd).action(
    runAction<MatchOptions>(async ({ opts, log }) => {
      const named = opts.out ?? opts.sgfDir;
      const sgfDir = opts.resume
        ? assertResumable(named !== undefined ? resolveUserPath(named) : undefined)
        : named !== undefined
          ? resolveUserPath(named)
          : newRunDir('match');
      const opponent = opponentCommand(opts.opponent, opts.rules);
      if (opponent.added) log(`opponent: ${opponent.command} (--chinese-rules added: the match counts by area)`);
      const played = opts.resume ? playedGames(sgfDir, opponent.command) : [];
      if (opts.resume) {
        const s = summarise(played);
        log(
          `resuming ${sgfDir}: ${played.length} games played (${s.wins} wins, ${s.losses} losses, ${s.unfinished} unfinished)`,
        );
      } else if (existsSync(gameFile(sgfDir, 0))) {
        throw new UsageError(
          `${sgfDir} already holds a match (${gameFile(sgfDir, 0)}); add --resume to go on with it, or name another --out`,
        );
      }
      // One engine for the whole match (clear_board starts each game); the search's threads load the net once.
      const engine = await makeEngine(await loadPolicyModel(opts.modelDir, PLAYING_MODEL_NAME), opts);
      log(describeEngine(opts));
      const genmove: number[] = [];
      let summary;
      try {
        ({ summary } = await playMatch({
          engine: () => engine,
          opponent: opponent.command,
          games: opts.games,
          played,
          komi: opts.komi,
          maxMoves: opts.maxMoves,
          timeoutSeconds: opts.timeout,
          describeMove: () => (engine instanceof SearchEngine ? describeReport(engine) : undefined),
          onGame: async (r) => {
            genmove.push(...r.genmoveMs);
            const file = gameFile(sgfDir, r.index);
            await writeFileAtomic(file, gameToSgf(r.game, { application: `${APP} ${VERSION}` }));
            const result = r.result ? ` (${r.result}; our count ${r.ourScore ?? '-'})` : '';
            log(
              `game ${r.index + 1}/${opts.games}: we are ${r.ours}, ${r.outcome}${result} after ${r.moves} moves${r.outcome === 'unfinished' ? `: ${r.reason}` : ''} -> ${file}`,
            );
          },
        }));
      } finally {
        await engine.close?.();
      }
      const ci = summary.interval;
      const pct = (x: number | undefined): string => ((x ?? 0) * 100).toFixed(1);
      log(
        `${summary.wins} wins, ${summary.losses} losses, ${summary.unfinished} unfinished of ${summary.games}` +
          (summary.winRate === null
            ? ''
            : `; win rate ${pct(summary.winRate)}% (95% interval ${pct(ci?.low)}-${pct(ci?.high)}%)`),
      );
      const lat = latency(genmove);
      if (lat)
        log(
          `genmove latency: median ${lat.median.toFixed(1)} ms, p95 ${lat.p95.toFixed(1)} ms over ${genmove.length} moves`,
        );
      return { ...summary, genmoveMs: lat, sgfDir, engine: opts.engine, opponent: opponent.command };
    }),
  );
}
