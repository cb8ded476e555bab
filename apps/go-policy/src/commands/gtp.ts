// `gtp`: the network as a GTP v2 engine on stdin/stdout (for Sabaki, GoGui, or a match).
import { runAction, withCommonOptions } from '@cnn-lab/core';
import type { Command } from 'commander';
import { loadPolicyModel } from '../model/load.js';
import { serveGtp } from '../play/gtp.js';
import { makeEngine, withPlayOptions, type PlayOptions } from './play-options.js';

export function registerGtp(program: Command): void {
  const cmd = program.command('gtp').description('a GTP v2 engine on stdin/stdout (for Sabaki, GoGui, or a match)');
  withCommonOptions(cmd, ['modelDir', 'backend', 'seed', 'json']);
  withPlayOptions(cmd).action(
    runAction<PlayOptions>(async ({ opts }) => {
      const { model, meta } = await loadPolicyModel(opts.modelDir);
      await serveGtp(makeEngine(model, meta, opts), process.stdin, process.stdout);
      // After quit, stop reading so the process ends even if the controller keeps the pipe open.
      process.stdin.destroy();
    }),
  );
}
