// `gtp`: a GTP v2 engine on stdin/stdout (for Sabaki, Lizzie, GoGui, or a match): the search by default.
import { runAction, withCommonOptions } from '@cnn-lab/core';
import type { Command } from 'commander';
import { PLAYING_MODEL_NAME, loadPolicyModel } from '../model/load.js';
import { serveGtp } from '../play/gtp.js';
import { describeEngine, makeEngine, withPlayOptions, type PlayOptions } from './play-options.js';

export function registerGtp(program: Command): void {
  const cmd = program
    .command('gtp')
    .description('a GTP v2 engine on stdin/stdout (for Sabaki, Lizzie, GoGui, or a match)');
  withCommonOptions(cmd, ['modelDir', 'backend', 'seed', 'json']);
  withPlayOptions(cmd).action(
    runAction<PlayOptions>(async ({ opts }) => {
      const engine = await makeEngine(await loadPolicyModel(opts.modelDir, PLAYING_MODEL_NAME), opts);
      // stdout carries the protocol; say what plays on stderr.
      process.stderr.write(`${describeEngine(opts)}\n`);
      try {
        await serveGtp(engine, process.stdin, process.stdout);
      } finally {
        await engine.close?.();
      }
      // After quit, stop reading so the process ends even if the controller keeps the pipe open.
      process.stdin.destroy();
    }),
  );
}
