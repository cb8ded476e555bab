import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * A path the user typed, made absolute against the folder where they typed it. pnpm and npm run a
 * package script in the package's own folder, so `pnpm --filter go-policy eval --data-dir
 * ../shared/...` typed in the repository root would otherwise be looked up under apps/go-policy.
 * Both set INIT_CWD to the folder the command was typed in; without them it is the process's cwd.
 */
export function resolveUserPath(path: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.INIT_CWD ?? process.cwd(), path);
}

/** Whether `path` is `folder` itself or lies somewhere inside it (both absolute; no symlinks are followed). */
export function isWithin(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
