import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.js';
import { resolveUserPath } from './user-path.js';

/** The folder holding pnpm-workspace.yaml above `from`, or undefined outside a checkout. */
export function findWorkspaceRoot(from: string = process.cwd()): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A folder the user named with `flag`, made absolute from where the command was typed; a UsageError naming the flag
 * and what was expected when it is not a folder.
 */
export function resolveFolderOption(flag: string, value: string, what: string): string {
  const dir = resolveUserPath(value);
  if (!isDir(dir)) throw new UsageError(`${flag}: '${value}' is not a folder (expected ${what})`);
  return dir;
}

/**
 * Where a command's real data lives: `--data-dir` as given (relative to where the command was typed); else `$CNN_LAB_DATA/<sub>`; else
 * `../shared/datasets/<sub>` beside the checkout (how the development machines are set up).
 * Throws a UsageError that says what is missing and how to point at it.
 */
export function resolveDataDir(opts: { dataDir?: string }, sub: string, what: string): string {
  if (opts.dataDir !== undefined) return resolveFolderOption('--data-dir', opts.dataDir, what);
  const tried: string[] = [];
  const env = process.env.CNN_LAB_DATA;
  if (env) {
    const dir = resolve(resolveUserPath(env), sub);
    if (isDir(dir)) return dir;
    tried.push(`${dir} (from CNN_LAB_DATA)`);
  }
  const root = findWorkspaceRoot();
  if (root) {
    const dir = resolve(root, '..', 'shared', 'datasets', sub);
    if (isDir(dir)) return dir;
    tried.push(dir);
  }
  throw new UsageError(
    `no data: expected ${what}. Pass --data-dir <folder> or set CNN_LAB_DATA to a folder holding '${sub}'` +
      (tried.length ? ` (looked in: ${tried.join(', ')})` : ''),
  );
}
