// Every command a README shows must exist: the package and its script, the CLI verb, and each flag
// (its --help lists it). The cheap ones (`--help` itself) run. So no README command rots unseen.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

interface Pkg {
  dir: string;
  scripts: Record<string, string>;
}

function readPkg(dir: string): Pkg & { name: string } {
  const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    scripts?: Record<string, string>;
  };
  return { dir, name: json.name, scripts: json.scripts ?? {} };
}

const packages = new Map<string, Pkg>();
for (const group of ['apps', 'packages']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    if (existsSync(join(dir, 'package.json'))) {
      const pkg = readPkg(dir);
      packages.set(pkg.name, pkg);
    }
  }
}
const rootPkg = readPkg(root);

const readmes = [join(root, 'README.md'), ...[...packages.values()].map((p) => join(p.dir, 'README.md'))].filter(
  existsSync,
);

/** A command as shown: the README it is in, its line, and its words. */
interface Shown {
  readme: string;
  line: number;
  words: string[];
}

/** The `pnpm ...` commands of a Markdown text: code blocks line by line (with `\` continuations) and inline code. */
export function commandsOf(markdown: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  const lines = markdown.split('\n');
  let inBlock = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (/^\s*```/.test(raw)) {
      inBlock = !inBlock;
      continue;
    }
    if (inBlock) {
      let text = raw;
      const start = i;
      while (/\\\s*$/.test(text) && i + 1 < lines.length) text = text.replace(/\\\s*$/, ' ') + (lines[++i] ?? '');
      out.push(...segments(text).map((t) => ({ line: start + 1, text: t })));
    } else {
      for (const m of raw.matchAll(/`(pnpm [^`]+)`/g))
        out.push(...segments(m[1] ?? '').map((t) => ({ line: i + 1, text: t })));
    }
  }
  // Spacing carries no meaning in a shell command: one space between words.
  return out.map((c) => ({ ...c, text: c.text.replace(/\s+/g, ' ').trim() })).filter((c) => c.text.startsWith('pnpm '));
}

/** Splits a shell line into its simple commands and drops the comment. */
function segments(line: string): string[] {
  const noComment = line.replace(/(^|\s)#.*$/, '');
  return noComment
    .split(/\s(?:&&|\|\||;|\|)\s/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const shown: Shown[] = readmes.flatMap((readme) =>
  commandsOf(readFileSync(readme, 'utf8')).map((c) => ({ readme, line: c.line, words: c.text.split(/\s+/) })),
);

const pnpmBuiltins = new Set(['install', 'i', 'add', 'exec', 'dlx', 'run', 'vitest', 'why', 'list', 'ls']);

/** How a package script runs a CLI: the file after `tsx` or `node`, and the verb it passes, if any. */
function cliOf(script: string): { file: string; args: string[] } | null {
  const last = script.split('&&').pop()?.trim() ?? '';
  const m = /^(?:tsx|node)\s+(\S+)(.*)$/.exec(last);
  if (!m) return null;
  return { file: m[1] ?? '', args: (m[2] ?? '').trim().split(/\s+/).filter(Boolean) };
}

const helpCache = new Map<string, string>();
function helpOf(pkg: Pkg, file: string, args: string[]): string {
  const key = `${pkg.dir}|${file}|${args.join(' ')}`;
  let text = helpCache.get(key);
  if (text === undefined) {
    const cmd = file.endsWith('.ts') ? tsx : process.execPath;
    text = execFileSync(cmd, [file, ...args, '--help'], { cwd: pkg.dir, encoding: 'utf8', timeout: 60_000 });
    helpCache.set(key, text);
  }
  return text;
}

function isPlaceholder(word: string): boolean {
  return /^[<[]|\.\.\.|^[A-Z]+$/.test(word);
}

/** What is wrong with a shown command, or null. */
function problemOf(c: Shown): string | null {
  const words = c.words.slice(1);
  let pkg: Pkg = rootPkg;
  // pnpm's own output flags, e.g. `pnpm --silent --filter go-policy cli gtp` (no "> cli" banner on stdout).
  while (words[0] === '--silent' || words[0] === '-s' || words[0] === '--reporter=silent') words.shift();
  if (words[0] === '--filter') {
    const name = words[1] ?? '';
    words.splice(0, 2);
    if (isPlaceholder(name)) return null; // a pattern such as `pnpm --filter <app> <verb>`
    const found = packages.get(name);
    if (!found) return `no workspace package named ${name}`;
    pkg = found;
  }
  let script = words.shift() ?? '';
  // `pnpm run start --help`: `run` hands every flag to the script (a bare `pnpm start --help` is pnpm's own help).
  if (script === 'run' && words[0] && !words[0].startsWith('-')) script = words.shift() ?? '';
  if (isPlaceholder(script) || script === 'test') return null;
  if (script === 'start' && words.includes('--help') && c.words[c.words.indexOf('start') - 1] !== 'run')
    return 'pnpm 12 answers `start --help` itself: show `pnpm run start --help` (or `pnpm --filter X run start --help`)';
  if (words.includes('--')) return 'passes `--`, which pnpm 12 hands to the script literally';
  if (script === 'exec') {
    const file = words[1];
    if (words[0] === 'tsx' && file && !existsSync(join(pkg.dir, file))) return `${file} does not exist in ${pkg.dir}`;
    return null;
  }
  if (pnpmBuiltins.has(script)) return null;
  const body = pkg.scripts[script];
  if (body === undefined) return `package ${relative(root, pkg.dir) || 'root'} has no script "${script}"`;
  const cli = cliOf(body);
  if (!cli) return null;
  const args = [...cli.args];
  // `cli <verb>`: the verb is the next word the README gives.
  if (args.length === 0 && words[0] && !words[0].startsWith('-') && !isPlaceholder(words[0]))
    args.push(words.shift() ?? '');
  let help: string;
  try {
    help = helpOf(pkg, cli.file, args);
  } catch (err) {
    return `\`${[cli.file, ...args, '--help'].join(' ')}\` failed: ${(err as Error).message.split('\n')[0]}`;
  }
  const flags = words.filter((w) => /^--[a-z]/.test(w)).map((w) => w.replace(/[=[\]].*$/, ''));
  const missing = flags.filter((f) => f !== '--help' && !new RegExp(`(^|[\\s,])${f}(?![\\w-])`, 'm').test(help));
  return missing.length ? `--help does not list ${missing.join(', ')}` : null;
}

describe('README commands', () => {
  it('finds commands in the READMEs', () => {
    expect(shown.length).toBeGreaterThan(10);
  });

  it('extracts commands from code blocks, continuations and inline code', () => {
    const md = [
      '```sh',
      'pnpm --filter a train --x 1 \\',
      '  --y 2   # note',
      'ls && pnpm b',
      '```',
      'Run `pnpm c --z`.',
    ];
    expect(commandsOf(md.join('\n'))).toEqual([
      { line: 2, text: 'pnpm --filter a train --x 1 --y 2' },
      { line: 4, text: 'pnpm b' },
      { line: 6, text: 'pnpm c --z' },
    ]);
  });

  it.each(readmes.map((r) => relative(root, r)))('every command in %s exists with the flags it shows', (readme) => {
    const problems = shown
      .filter((c) => relative(root, c.readme) === readme)
      .map((c) => [c, problemOf(c)] as const)
      .filter(([, p]) => p !== null)
      .map(([c, p]) => `${readme}:${c.line}: ${c.words.join(' ')}\n    ${p}`);
    expect(problems).toEqual([]);
  });
});
