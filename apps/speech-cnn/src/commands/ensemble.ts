import type { Command } from 'commander';
import {
  UsageError,
  resolveUserPath,
  runAction,
  withCommonOptions,
  type ActionContext,
  type CommonOptions,
} from '@cnn-lab/core';
import { combineSpeechModels } from '../model/index.js';
import { shown } from './folders.js';

export function addEnsemble(program: Command): void {
  const cmd = program
    .command('ensemble')
    .description(
      'combine trained models (or ensembles) into one ensemble folder (--model-dir) that averages their softmax; each member featurises as its own metadata says',
    )
    .argument('<models...>', 'model folders to combine');
  withCommonOptions(cmd, ['json', 'backend'])
    .requiredOption('--model-dir <dir>', 'folder to write the ensemble to', (v: string) => resolveUserPath(v))
    .action(runAction(combine));
}

async function combine(ctx: ActionContext<CommonOptions>) {
  const out = ctx.opts.modelDir as string;
  // Typed paths resolve from where the command was typed, as --model-dir does.
  const dirs = ctx.args.map((d) => resolveUserPath(d));
  if (dirs.includes(out)) throw new UsageError(`ensemble: --model-dir ${out} is also one of the members`);
  let sources: string[];
  try {
    sources = await combineSpeechModels(dirs, out);
  } catch (err) {
    // Members that cannot stand together (other words, another sample rate, too few) are a usage problem.
    if (err instanceof RangeError) throw new UsageError(`ensemble: ${err.message}`);
    throw err;
  }
  ctx.log(`ensemble of ${sources.length} models written to ${shown(out)}`);
  return { modelDir: out, members: sources };
}
