// InceptionV3 from the nsfwjs package files (never a URL), prepared once and cached as model.json + weights.bin,
// because decoding the bundle and folding its batch norms takes a while.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadModel, resolveUserPath, saveModel } from '@cnn-lab/core';
import { artifactsFromBundle, prepareInception, type BundledModelJson } from './nsfwjs-bundle.js';

/** `--cache-dir` as given, else $CNN_LAB_CACHE, else ~/.cache/cnn-lab. */
export function inceptionCacheRoot(cacheDir?: string): string {
  if (cacheDir !== undefined) return resolveUserPath(cacheDir);
  return resolve(process.env.CNN_LAB_CACHE ?? join(homedir(), '.cache', 'cnn-lab'));
}

/** The folded, free-size InceptionV3: from the cache under `cacheRoot`, else prepared from nsfwjs and cached. */
export async function loadInception(cacheRoot: string, log: (line: string) => void): Promise<tf.LayersModel> {
  const dir = join(cacheRoot, 'inception-v3-folded');
  if (existsSync(join(dir, 'model.json'))) {
    try {
      return (await loadModel(dir)).model;
    } catch (err) {
      log(`cached InceptionV3 in ${dir} is unusable (${(err as Error).message}); rebuilding it`);
    }
  }
  const t0 = Date.now();
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('nsfwjs')).replace(/dist[\\/]cjs$/, '');
  const bundle = join(root, 'dist', 'models', 'inception_v3');
  const json = require(join(bundle, 'model.min.js')) as BundledModelJson;
  const shards: Record<string, string> = {};
  for (const p of json.weightsManifest[0]?.paths ?? []) {
    const mod = require(join(bundle, `${p}.min.js`)) as string | { default: string };
    shards[p] = typeof mod === 'string' ? mod : mod.default;
  }
  const model = await prepareInception(artifactsFromBundle(json, shards));
  await saveModel(model, dir, {
    app: 'cnn-explorer',
    source: 'nsfwjs InceptionV3, batch norms folded, free input size, cut at mixed10',
  });
  log(`InceptionV3 prepared from the nsfwjs package in ${((Date.now() - t0) / 1000).toFixed(1)} s, cached in ${dir}`);
  return model;
}
