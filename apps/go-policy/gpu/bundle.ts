// Bundles gpu/encode.ts with everything it imports (the app's SGF reader, board, 48-plane encoder and
// split, @sabaki/sgf) into one ES module that a bare `node` (20 or later) runs with no node_modules:
// the way the encoder travels to a GPU machine.
//
//   tsx gpu/bundle.ts [--out ../../.tmp/gpu/encode.mjs]
//
// esbuild comes with tsx (a dev dependency of the workspace), so nothing new is installed.
import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const here = import.meta.dirname;
const { values } = parseArgs({
  options: { out: { type: 'string', default: resolve(here, '../../../.tmp/gpu/encode.mjs') } },
});
const out = resolve(values.out ?? '');
// Typed by hand: esbuild is tsx's dependency, not this package's, so its types are not resolvable here.
const esbuild = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'))('esbuild') as {
  build(options: Record<string, unknown>): Promise<unknown>;
};
await esbuild.build({
  entryPoints: [resolve(here, 'encode.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: false,
  legalComments: 'none',
  // Some CommonJS dependencies call require() on Node built-ins; give the ES module a require.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  // The app's data modules import core for its error classes, and core imports TensorFlow.js; the
  // encoder never starts a backend, so the native one (an optional dependency) stays out.
  external: ['@tensorflow/tfjs-node'],
  logLevel: 'warning',
});
process.stderr.write(`wrote ${out} (${(statSync(out).size / 1024).toFixed(0)} KiB)\n`);
