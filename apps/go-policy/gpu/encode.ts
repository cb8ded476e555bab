// Encodes a folder of SGF games into compact binary files for the GPU trainer (gpu/train.py): the
// app's own split (src/data/split.ts), the app's own reader and 48-plane encoder (src/data/positions.ts),
// run in worker threads over all cores. No second copy of the encoder: this file only packs its output.
//
//   tsx gpu/encode.ts --data-dir DIR --out DIR [--workers N] [--splits train,validation,test]
//                     [--split-seed 1] [--features alphago] [--max-games N]
//
// gpu/bundle.ts bundles this file (and everything it imports) into one .mjs that a bare `node` runs.
//
// Output (FORMAT below): manifest.json and, per split and worker, three raw files:
//   <split>-<w>.bits   per position ceil(planes*361/8) bytes: bit k*361+p (plane k, point p = row*19+col)
//                      is byte (k*361+p)>>3, bit 7-((k*361+p)&7) (most significant first, numpy's unpackbits)
//   <split>-<w>.moves  int16 little-endian: the point played (row*19+col)
//   <split>-<w>.nums   int16 little-endian: its move number in the game (1 = first move)
// A split's positions are its parts concatenated in manifest order, which is the split's file order.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { listGames } from '../src/data/games.js';
import { encodeGame, planesOf, skipReason } from '../src/data/positions.js';
import { SPLITS, splitGames, type SplitName } from '../src/data/split.js';

export const FORMAT = 'go-policy-bits-v1';
const POINTS = 361;

export interface EncodedPart {
  bits: string;
  moves: string;
  nums: string;
  positions: number;
}

export interface EncodedSplit {
  games: number;
  files: number;
  positions: number;
  skipped: Record<string, { count: number; example: string }>;
  parts: EncodedPart[];
}

export interface EncodedManifest {
  format: typeof FORMAT;
  featureSet: string;
  planes: number;
  bytesPerPosition: number;
  splitSeed: number;
  dataDir: string;
  splits: Partial<Record<SplitName, EncodedSplit>>;
  seconds: number;
}

export interface EncodeFolderOptions {
  dataDir: string;
  outDir: string;
  splits?: readonly SplitName[];
  splitSeed?: number;
  featureSet?: string;
  workers?: number;
  /** At most this many games of each split (the first ones in the split's order): for tests and dry runs. */
  maxGames?: number;
  log?: (line: string) => void;
}

interface Job {
  kind: 'go-policy-gpu-encode';
  files: string[];
  featureSet: string;
  prefix: string;
}

interface JobResult {
  games: number;
  positions: number;
  skipped: Record<string, { count: number; example: string }>;
}

/** Bytes one position takes packed: one bit per plane and point. */
export function bytesPerPosition(planes: number): number {
  return Math.ceil((planes * POINTS) / 8);
}

/**
 * Packs `count` positions of NHWC 0/1 planes (361 x planes bytes each, as encodeGame writes them) into
 * plane-major bits, most significant bit first.
 */
export function packPlanes(nhwc: Uint8Array, count: number, planes: number): Uint8Array {
  const per = POINTS * planes;
  const bytes = bytesPerPosition(planes);
  const out = new Uint8Array(count * bytes);
  for (let n = 0; n < count; n++) {
    const src = n * per;
    const dst = n * bytes;
    for (let p = 0; p < POINTS; p++) {
      const row = src + p * planes;
      for (let k = 0; k < planes; k++) {
        const v = nhwc[row + k] as number;
        if (v === 0) continue;
        if (v !== 1) throw new RangeError(`plane ${k} at point ${p} of position ${n} is ${v}; expected 0 or 1`);
        const bit = k * POINTS + p;
        const at = dst + (bit >> 3);
        out[at] = (out[at] as number) | (0x80 >> (bit & 7));
      }
    }
  }
  return out;
}

/** The inverse of packPlanes: NHWC 0/1 planes (the layout encodeGame writes and the tfjs net reads). */
export function unpackPlanes(bits: Uint8Array, count: number, planes: number): Uint8Array {
  const per = POINTS * planes;
  const bytes = bytesPerPosition(planes);
  const out = new Uint8Array(count * per);
  for (let n = 0; n < count; n++) {
    for (let k = 0; k < planes; k++) {
      for (let p = 0; p < POINTS; p++) {
        const bit = k * POINTS + p;
        if ((bits[n * bytes + (bit >> 3)] as number) & (0x80 >> (bit & 7))) out[n * per + p * planes + k] = 1;
      }
    }
  }
  return out;
}

/** Encodes the games of the chosen splits of `dataDir` into `outDir` and writes manifest.json there. */
export async function encodeFolder(opts: EncodeFolderOptions): Promise<EncodedManifest> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const featureSet = opts.featureSet ?? 'alphago';
  const planes = planesOf(featureSet);
  const splitSeed = opts.splitSeed ?? 1;
  const wanted = opts.splits ?? SPLITS;
  const workers = Math.max(1, opts.workers ?? cpus().length);
  const dataDir = resolve(opts.dataDir);
  const outDir = resolve(opts.outDir);
  const games = await listGames(dataDir);
  if (games.length === 0) throw new Error(`--data-dir ${dataDir}: no .sgf files found`);
  const split = splitGames(games, splitSeed);
  log(
    `${games.length} games in ${dataDir}: ${split.train.length} train, ${split.validation.length} validation, ${split.test.length} test (split seed ${splitSeed})`,
  );
  mkdirSync(outDir, { recursive: true });

  // Each split's files are cut into contiguous runs, one job each; jobs run `workers` at a time.
  const jobs: { split: SplitName; job: Job; part: EncodedPart }[] = [];
  const manifest: EncodedManifest = {
    format: FORMAT,
    featureSet,
    planes,
    bytesPerPosition: bytesPerPosition(planes),
    splitSeed,
    dataDir,
    splits: {},
    seconds: 0,
  };
  for (const name of wanted) {
    const files = (opts.maxGames === undefined ? split[name] : split[name].slice(0, opts.maxGames)).map((g) =>
      join(dataDir, g),
    );
    const entry: EncodedSplit = { games: 0, files: files.length, positions: 0, skipped: {}, parts: [] };
    manifest.splits[name] = entry;
    const runs = Math.max(1, Math.min(workers, files.length));
    for (let w = 0; w < runs; w++) {
      const from = Math.floor((w * files.length) / runs);
      const to = Math.floor(((w + 1) * files.length) / runs);
      const prefix = `${name}-${w}`;
      const part: EncodedPart = {
        bits: `${prefix}.bits`,
        moves: `${prefix}.moves`,
        nums: `${prefix}.nums`,
        positions: 0,
      };
      entry.parts.push(part);
      jobs.push({
        split: name,
        job: { kind: 'go-policy-gpu-encode', files: files.slice(from, to), featureSet, prefix: join(outDir, prefix) },
        part,
      });
    }
  }

  let next = 0;
  const runner = async (): Promise<void> => {
    while (next < jobs.length) {
      const { split: name, job, part } = jobs[next++] as (typeof jobs)[number];
      const result = await runJob(job);
      const entry = manifest.splits[name] as EncodedSplit;
      part.positions = result.positions;
      entry.games += result.games;
      entry.positions += result.positions;
      for (const [reason, s] of Object.entries(result.skipped)) {
        const into = (entry.skipped[reason] ??= { count: 0, example: s.example });
        into.count += s.count;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, runner));
  manifest.seconds = (performance.now() - started) / 1000;
  for (const name of wanted) {
    const s = manifest.splits[name] as EncodedSplit;
    const skipped = Object.entries(s.skipped).map(([r, v]) => `${r} ${v.count}`);
    log(
      `${name}: ${s.positions} positions from ${s.games} of ${s.files} games${skipped.length ? ` (skipped: ${skipped.join(', ')})` : ''}`,
    );
  }
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** How a worker starts: this very file, bundled; from source (tsx, vitest), with tsx's loader registered first. */
function workerEntry(): { script: string | URL; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { script: new URL(here), eval: false };
  const tsxDir = dirname(createRequire(here).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const script = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(here)}); });`;
  return { script, eval: true };
}

function runJob(job: Job): Promise<JobResult> {
  const entry = workerEntry();
  return new Promise((resolveJob, reject) => {
    const worker = new Worker(entry.script, { workerData: job, eval: entry.eval });
    let result: JobResult | undefined;
    worker.on('message', (m: JobResult) => (result = m));
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code === 0 && result) resolveJob(result);
      else reject(new Error(`encoder worker for ${job.prefix} exited with code ${code}`));
    });
  });
}

/** A worker: encodes its files in order and appends every position to its three part files. */
async function workerMain(job: Job): Promise<void> {
  const planes = planesOf(job.featureSet);
  const fds = {
    bits: openSync(`${job.prefix}.bits`, 'w'),
    moves: openSync(`${job.prefix}.moves`, 'w'),
    nums: openSync(`${job.prefix}.nums`, 'w'),
  };
  const result: JobResult = { games: 0, positions: 0, skipped: {} };
  try {
    for (const file of job.files) {
      let encoded;
      try {
        encoded = encodeGame(await readFile(file), file, { featureSet: job.featureSet, symmetry: () => 0 });
      } catch (err) {
        const reason = skipReason(err);
        const into = (result.skipped[reason] ??= { count: 0, example: file });
        into.count++;
        continue;
      }
      result.games++;
      if (encoded.count === 0) continue;
      result.positions += encoded.count;
      writeSync(fds.bits, packPlanes(encoded.planes, encoded.count, planes));
      writeSync(fds.moves, int16(encoded.moves, file));
      writeSync(fds.nums, int16(encoded.moveNumbers, file));
    }
  } finally {
    for (const fd of Object.values(fds)) closeSync(fd);
  }
  parentPort?.postMessage(result);
}

function int16(values: Int32Array, file: string): Uint8Array {
  const out = new Int16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < -32768 || v > 32767) throw new RangeError(`${file}: value ${v} does not fit int16`);
    out[i] = v;
  }
  return new Uint8Array(out.buffer);
}

function parseCli(argv: string[]): EncodeFolderOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      out: { type: 'string' },
      workers: { type: 'string' },
      splits: { type: 'string', default: SPLITS.join(',') },
      'split-seed': { type: 'string', default: '1' },
      features: { type: 'string', default: 'alphago' },
      'max-games': { type: 'string' },
    },
  });
  const int = (flag: string, raw: string | undefined, min: number): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be an integer >= ${min}, got '${raw}'`);
    return n;
  };
  if (!values['data-dir']) throw new Error('--data-dir is required (a folder of .sgf games, e.g. fox-pro)');
  if (!values.out) throw new Error('--out is required (the folder for manifest.json and the encoded parts)');
  const splits = (values.splits ?? '').split(',').map((s) => s.trim());
  for (const s of splits) {
    if (!(SPLITS as readonly string[]).includes(s))
      throw new Error(`--splits: unknown split '${s}' (expected ${SPLITS.join(', ')})`);
  }
  planesOf(values.features ?? 'alphago');
  const workers = int('workers', values.workers, 1);
  const maxGames = int('max-games', values['max-games'], 1);
  return {
    dataDir: values['data-dir'],
    outDir: values.out,
    splits: splits as SplitName[],
    splitSeed: int('split-seed', values['split-seed'], 0) ?? 1,
    featureSet: values.features ?? 'alphago',
    ...(workers !== undefined ? { workers } : {}),
    ...(maxGames !== undefined ? { maxGames } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  };
}

const job = workerData as Job | undefined;
if (!isMainThread && job?.kind === 'go-policy-gpu-encode') {
  await workerMain(job);
} else if (
  isMainThread &&
  process.argv[1] !== undefined &&
  resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  try {
    const m = await encodeFolder(parseCli(process.argv.slice(2)));
    process.stderr.write(`encoded in ${m.seconds.toFixed(1)} s\n`);
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
