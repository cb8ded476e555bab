// The layout's doors (see the README): every app imports @cnn-lab/core, core imports no app, and no
// app imports another. A test, so that a convenient shortcut across a door fails CI instead of rotting.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const apps = readdirSync(join(root, 'apps')).filter((d) => statSync(join(root, 'apps', d)).isDirectory());

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return specs;
}

describe('layout doors', () => {
  it('has the four apps', () => {
    expect(apps.sort()).toEqual(['cnn-explorer', 'go-policy', 'speech-cnn', 'text-cnn']);
  });

  it('core imports no app', () => {
    const bad = sources(join(root, 'packages', 'core', 'src')).flatMap((f) =>
      importsOf(f)
        .filter((s) => apps.includes(s.split('/')[0]!) || s.includes('/apps/') || s.startsWith('../../apps'))
        .map((s) => `${relative(root, f)} imports ${s}`),
    );
    expect(bad).toEqual([]);
  });

  it('no app imports another app, and each reaches core only through @cnn-lab/core', () => {
    const bad: string[] = [];
    for (const app of apps) {
      for (const f of sources(join(root, 'apps', app))) {
        for (const s of importsOf(f)) {
          const other = apps.find(
            (a) => a !== app && (s === a || s.startsWith(`${a}/`) || s.includes(`apps/${a}`) || s.includes(`../${a}/`)),
          );
          if (other) bad.push(`${relative(root, f)} imports ${s} (app ${other})`);
          if (s.includes('packages/core')) bad.push(`${relative(root, f)} reaches into core by path: ${s}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('the lab site reaches each app only through its web routes', () => {
    const bad = sources(join(root, 'site', 'src')).flatMap((f) =>
      importsOf(f)
        .filter((s) => apps.some((a) => s === a || s.startsWith(`${a}/`) || s.includes('/apps/')))
        .filter((s) => !apps.some((a) => s === `${a}/web`))
        .map((s) => `${relative(root, f)} imports ${s}`),
    );
    expect(bad).toEqual([]);
  });

  it('core holds no single-app layer', () => {
    const bad = sources(join(root, 'packages', 'core', 'src')).filter((f) =>
      /class\s+(PerPointBias|LeanEmbedding)\b/.test(readFileSync(f, 'utf8')),
    );
    expect(bad.map((f) => relative(root, f))).toEqual([]);
  });

  it('has no import cycle (of values) inside any package', () => {
    const files = [
      ...sources(join(root, 'packages', 'core', 'src')),
      ...apps.flatMap((a) => sources(join(root, 'apps', a, 'src'))),
      ...sources(join(root, 'site', 'src')),
    ];
    const known = new Set(files);
    const edges = new Map<string, string[]>();
    for (const f of files) {
      // Type-only imports vanish at run time, so only value imports can form a cycle.
      const values = readFileSync(f, 'utf8').replace(/^\s*(import|export)\s+type\s[^;]*;/gms, '');
      const targets = [...values.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)]
        .map((m) => m[1]!)
        .filter((s) => s.startsWith('.'))
        .map((s) => join(dirname(f), s).replace(/\.js$/, '.ts'))
        .flatMap((t) => [t, join(t, 'index.ts')])
        .filter((t) => known.has(t));
      edges.set(f, targets);
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      stack.push(f);
      for (const t of edges.get(f) ?? []) {
        if (state.get(t) === 'open')
          cycles.push([...stack.slice(stack.indexOf(t)), t].map((x) => relative(root, x)).join(' -> '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });
});
