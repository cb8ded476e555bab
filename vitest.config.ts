// `pnpm vitest run` from the root runs every package at once; `pnpm test` runs them per package through turbo.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'test'],
  },
});
