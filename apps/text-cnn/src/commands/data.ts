import { join } from 'node:path';
import {
  findWorkspaceRoot,
  resolveUserPath,
  runAction,
  withCommonOptions,
  writeFileAtomic,
  type CommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { APP_DIR, DATA_SUB } from '../app.js';
import { BENCHMARK_NAMES, fetchBenchmark } from '../data/index.js';
import { benchmarkOf } from './read-split.js';

export function registerData(program: Command): void {
  const data = program.command('data').description('datasets');
  const fetchCmd = data
    .command('fetch')
    .description(`download a set (${BENCHMARK_NAMES.join(', ')}) into the data folder, checked by sha256`)
    .argument('<name>');
  withCommonOptions(fetchCmd, ['dataDir', 'json']).action(
    runAction<CommonOptions>(({ opts, args, log }) => fetchSet(args[0], opts, log), { backend: false }),
  );
}

/**
 * Downloads a set's files, each verified before it is written, into the folder the other verbs read: --data-dir,
 * else $CNN_LAB_DATA/text, else ../shared/datasets/text beside the checkout.
 */
async function fetchSet(name: string | undefined, opts: CommonOptions, log: (message: string) => void) {
  const b = benchmarkOf(name);
  const env = process.env.CNN_LAB_DATA;
  const root = findWorkspaceRoot(APP_DIR);
  const dir =
    opts.dataDir ??
    (env
      ? join(resolveUserPath(env), DATA_SUB)
      : root
        ? join(root, '..', 'shared', 'datasets', DATA_SUB)
        : resolveUserPath(DATA_SUB));
  const saved = await fetchBenchmark(b, {
    download: async (url) => {
      const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
      return new Uint8Array(await res.arrayBuffer());
    },
    save: async (file, bytes) => {
      const path = join(dir, file);
      await writeFileAtomic(path, bytes);
      return path;
    },
    log,
  });
  return { saved };
}
