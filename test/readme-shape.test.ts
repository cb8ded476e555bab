// READMEs are for users: short, and free of the vocabulary of lab logs (experiment history lives in
// docs/experiments/<app>.md). Also holds every cli.ts to wiring only.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const apps = readdirSync(join(root, 'apps'));
const readmes = ['README.md', 'packages/core/README.md', ...apps.map((a) => `apps/${a}/README.md`)].filter((p) =>
  existsSync(join(root, p)),
);

const LAB_LOG = [
  /semaphore/i,
  /load average/i,
  /\b\d{1,2}:\d{2}(:\d{2})?\s*UTC\b/,
  /\b(first|second|third|fourth|fifth|sixth) round\b/i,
  /\b(issue|ticket|stop) #?\d+\b/i,
  /\bCPU slot/i,
];

describe.each(readmes)('%s', (readme) => {
  const text = readFileSync(join(root, readme), 'utf8');

  it('is at most 150 lines', () => {
    expect(text.split('\n').length).toBeLessThanOrEqual(151);
  });

  it('has no lab-log vocabulary', () => {
    expect(LAB_LOG.flatMap((re) => (re.exec(text) ? [re.exec(text)![0]] : []))).toEqual([]);
  });
});

describe.each(apps)('apps/%s/src/cli.ts', (app) => {
  it('is wiring only: at most 120 lines', () => {
    const lines = readFileSync(join(root, 'apps', app, 'src', 'cli.ts'), 'utf8').split('\n').length;
    expect(lines).toBeLessThanOrEqual(121);
  });
});
