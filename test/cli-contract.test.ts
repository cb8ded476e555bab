// Every app offers the same verbs with the same flags (the brief's "one convention for every command").
// Runs each app's real CLI entry point as a user would, through tsx.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const apps = ['go-policy', 'speech-cnn', 'text-cnn', 'cnn-explorer'];
const verbs = ['train', 'eval', 'predict', 'start'];

function help(app: string, verb?: string): string {
  const args = [join(root, 'apps', app, 'src', 'cli.ts'), ...(verb ? [verb] : []), '--help'];
  return execFileSync(tsx, args, { cwd: join(root, 'apps', app), encoding: 'utf8', timeout: 60_000 });
}

describe.each(apps)('%s CLI', (app) => {
  it('lists the four shared verbs', () => {
    const text = help(app);
    for (const verb of verbs) expect(text).toMatch(new RegExp(`^\\s+${verb}\\b`, 'm'));
  });

  it.each(verbs)('%s --help documents --json and --backend', (verb) => {
    const text = help(app, verb);
    expect(text).toContain('--json');
    expect(text).toContain('--backend');
  });

  it('train --help has the shared training flags', () => {
    const text = help(app, 'train');
    for (const flag of ['--data-dir', '--model-dir', '--epochs', '--batch-size', '--seed'])
      expect(text).toContain(flag);
  });
});
