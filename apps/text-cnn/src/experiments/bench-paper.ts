// Kim (2014) Table 2 beside ours: the test accuracies of the runs saved under a folder (train and bench-paper --run
// write them), gathered into cells of variant x set, mean and spread over folds (MR, Subj) or seeds (SST, TREC).
// A cell without runs says so; nothing is filled in.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BENCHMARKS, BENCHMARK_NAMES, CV_FOLDS, type BenchmarkName } from '../data/index.js';
import { VARIANTS, type Variant } from '../model/index.js';
import { DEFAULT_VECTOR_SCALE } from '../vectors/scale.js';

/** Mean and sample standard deviation (n - 1); std is 0 for a single run. */
export function meanStd(values: readonly number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

/** One finished run, as its model folder's metadata.json records it. */
export interface RunResult {
  set: BenchmarkName;
  variant: Variant;
  /** Fold (MR, Subj) or seed (the others): what the cell averages over. */
  fold?: number;
  seed: number;
  phrases: boolean;
  embeddings?: string;
  vectorWords?: number;
  /** How the pretrained rows were scaled (`train --vector-scale`); runs saved before the flag are `none`. */
  vectorScale?: string;
  /**
   * Whether words without a vector took a stand-in's row (`train --vector-aliases`); runs with vectors saved
   * before the flag are false.
   */
  vectorAliases?: boolean;
  epochs?: number;
  patience?: number | null;
  testAccuracy: number;
  /** Accuracy on the dev split at the epoch kept (the best one): what picks a protocol when several ran in full. */
  devAccuracy?: number;
  command?: string;
  /** The model folder, relative to the folder searched. */
  dir: string;
  time: number;
}

/**
 * Runs that do not follow the table's protocol (a capped vocabulary, rows of another width than Kim's variant
 * reads) are named, not used; so are runs on Kim's sets with no test accuracy yet (still training, or stopped:
 * `train --resume` with the same --model-dir finishes them).
 */
export interface Collected {
  runs: RunResult[];
  /** Runs that are not the table's, each with why. */
  leftOut: LeftOut[];
  unfinished: string[];
}

const MAX_DEPTH = 5;

/** The finished text-cnn runs on Kim's sets under `root` (metadata.json with a test accuracy). */
export function collectRuns(root: string): Collected {
  const runs: RunResult[] = [];
  const leftOut: LeftOut[] = [];
  const unfinished: string[] = [];
  const visit = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    if (names.includes('metadata.json')) {
      const at = relative(root, dir) || '.';
      const r = readRun(join(dir, 'metadata.json'), at);
      if (r === UNFINISHED) unfinished.push(at);
      else if (typeof r === 'string') {
        if (r) leftOut.push({ dir: at, why: r });
      } else runs.push(r);
    }
    if (depth >= MAX_DEPTH) return;
    for (const name of names) {
      if (name === 'checkpoints' || name.startsWith('.')) continue;
      const sub = join(dir, name);
      try {
        if (statSync(sub).isDirectory()) visit(sub, depth + 1);
      } catch {
        // gone meanwhile
      }
    }
  };
  visit(root, 0);
  return { runs, leftOut, unfinished };
}

const UNFINISHED = Symbol('unfinished');

export interface LeftOut {
  /** The run's folder, relative to the folder searched. */
  dir: string;
  why: string;
}

/** The runs left out, one line per reason: `<count> left out, <why>: <dir>, <dir>, ...` (reasons in the order met). */
export function formatLeftOut(leftOut: readonly LeftOut[]): string[] {
  const byWhy = new Map<string, string[]>();
  for (const { dir, why } of leftOut) byWhy.set(why, [...(byWhy.get(why) ?? []), dir]);
  return [...byWhy].map(([why, dirs]) => `${dirs.length} left out, ${why}: ${dirs.join(', ')}`);
}

/**
 * A run's result, UNFINISHED for a run on one of Kim's sets without a test accuracy yet, or why it is left out
 * ('' for folders that are not text-cnn runs on Kim's sets).
 */
function readRun(file: string, dir: string): RunResult | string | typeof UNFINISHED {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return 'unreadable metadata.json';
  }
  if (m['app'] !== 'text-cnn') return '';
  const split = (m['split'] ?? {}) as Record<string, unknown>;
  const set = BENCHMARK_NAMES.find((b) => b === split['set']);
  if (!set) return '';
  if (typeof m['testAccuracy'] !== 'number') return UNFINISHED;
  const protocol = (m['protocol'] ?? {}) as Record<string, unknown>;
  if (typeof protocol['maxVocab'] === 'number') return 'a capped vocabulary (--max-vocab)';
  if (typeof protocol['embeddingDim'] === 'number')
    return "rows of another width than Kim's variant reads (--embedding-dim)";
  const variant = (VARIANTS as readonly string[]).includes(m['variant'] as string) ? (m['variant'] as Variant) : 'rand';
  return {
    set,
    variant,
    ...(typeof split['fold'] === 'number' ? { fold: split['fold'] } : {}),
    seed: typeof split['seed'] === 'number' ? split['seed'] : 1,
    phrases: split['phrases'] === true,
    ...(typeof m['embeddings'] === 'string' ? { embeddings: m['embeddings'] } : {}),
    ...(typeof m['vectorWords'] === 'number' ? { vectorWords: m['vectorWords'] } : {}),
    ...(typeof m['embeddings'] === 'string'
      ? {
          vectorScale: typeof m['vectorScale'] === 'string' ? m['vectorScale'] : 'none',
          vectorAliases: m['vectorAliases'] === true,
        }
      : {}),
    ...(typeof protocol['epochs'] === 'number' ? { epochs: protocol['epochs'] } : {}),
    ...(protocol['patience'] !== undefined ? { patience: protocol['patience'] as number | null } : {}),
    testAccuracy: m['testAccuracy'],
    ...devAccuracyOf(m),
    ...(typeof m['command'] === 'string' ? { command: m['command'] } : {}),
    dir,
    time: statSync(file).mtimeMs,
  };
}

/** The dev accuracy of the epoch a run kept (its history's entry for bestEpoch), when recorded. */
function devAccuracyOf(m: Record<string, unknown>): { devAccuracy?: number } {
  const history = (m['history'] ?? {}) as Record<string, unknown>;
  const epochs = Array.isArray(history['epochs']) ? (history['epochs'] as Record<string, unknown>[]) : [];
  const best = m['bestEpoch'] ?? history['bestEpoch'];
  const dev = epochs.find((e) => e['epoch'] === best)?.['valAccuracy'];
  return typeof dev === 'number' && Number.isFinite(dev) ? { devAccuracy: dev } : {};
}

/** What makes two runs comparable: everything but the fold or seed. */
function protocolKey(r: RunResult): string {
  return JSON.stringify([
    r.phrases,
    r.embeddings ?? null,
    r.vectorWords ?? null,
    r.vectorScale ?? null,
    r.vectorAliases ?? false,
    r.epochs ?? null,
    r.patience ?? null,
  ]);
}

export interface Cell {
  set: BenchmarkName;
  variant: Variant;
  over: 'fold' | 'seed';
  /** Runs wanted: all ten folds, or three seeds. */
  wanted: number;
  runs: RunResult[];
  /**
   * CV sets: how many times the ten folds were drawn (the seed draws them), each with all ten folds run. 1 where
   * no seed has all ten.
   */
  repeats: number;
  mean: number;
  std: number;
  kim: number;
  /** The command of one run, the fold or seed written <n>. */
  command?: string;
  /** Runs of the same cell under another protocol (other epochs, no phrases...): not in the mean. */
  otherRuns: number;
  /**
   * When more than one protocol ran in full (all folds, or the seeds wanted): their number, and the mean dev
   * accuracy of the one shown (the highest) and of the runner-up.
   */
  onDev?: { protocols: number; dev: number; next: number };
}

/**
 * Runs made as `train` makes them today: pretrained rows on the default vector scale and without aliases (or no
 * pretrained rows).
 */
function isCurrent(runs: readonly RunResult[]): boolean {
  const r = runs[0];
  return (
    r !== undefined &&
    (r.vectorScale === undefined || r.vectorScale === DEFAULT_VECTOR_SCALE) &&
    r.vectorAliases !== true
  );
}

/** The mean dev accuracy of a group of runs; -Infinity when any lacks one. */
function meanDev(runs: readonly RunResult[]): number {
  if (runs.length === 0 || runs.some((r) => r.devAccuracy === undefined)) return -Infinity;
  return meanStd(runs.map((r) => r.devAccuracy as number)).mean;
}

/**
 * The mean dev accuracy of a protocol over the seeds that every protocol given has (on a CV set a seed draws the
 * folds): protocols run with more seeds are compared with the others on the same draws, not on a mean of more runs.
 * All of a protocol's runs where the protocols share no seed.
 */
function devOnSharedSeeds(protocols: readonly RunResult[][]): (runs: readonly RunResult[]) => number {
  const seedSets = protocols.map((g) => new Set(g.map((r) => r.seed)));
  const shared = new Set([...(seedSets[0] ?? [])].filter((seed) => seedSets.every((s) => s.has(seed))));
  return (runs) => meanDev(shared.size ? runs.filter((r) => shared.has(r.seed)) : runs);
}

/**
 * The table's cells. Where a cell has runs under several protocols, those run in full (all folds, or the seeds
 * wanted) come first and among them the one with the highest mean dev accuracy (over the seeds they all have) is
 * shown: the choice is made on dev, as a hyperparameter is, never on test. Otherwise the one with the most runs
 * (then the one made with today's defaults, then the newest). The same fold or seed run twice counts once (the
 * newest). On a CV set a seed draws its own ten folds: where several seeds have all ten, the cell is the repeated
 * cross-validation over those seeds (every run of each counts), and a seed with only some folds is left out.
 */
export function tableCells(runs: readonly RunResult[], seeds = 3): Cell[] {
  const cells: Cell[] = [];
  for (const variant of VARIANTS)
    for (const set of BENCHMARK_NAMES) {
      const b = BENCHMARKS[set];
      const over = 'all' in b.files ? 'fold' : 'seed';
      const mine = runs.filter((r) => r.set === set && r.variant === variant);
      const groups = new Map<string, Map<string, RunResult>>();
      for (const r of mine) {
        const key = protocolKey(r);
        const group = groups.get(key) ?? new Map<string, RunResult>();
        const which = over === 'fold' ? `${r.fold ?? 0}/${r.seed}` : `${r.seed}`;
        const had = group.get(which);
        if (!had || had.time < r.time) group.set(which, r);
        groups.set(key, group);
      }
      const wanted = over === 'fold' ? CV_FOLDS : seeds;
      const full = (g: readonly RunResult[]) => g.length >= wanted;
      const protocols = [...groups.values()]
        .map((g) => (over === 'fold' ? completeFolds([...g.values()]) : [...g.values()]))
        .map((g) => g.sort((a, c) => a.seed - c.seed || (a.fold ?? 0) - (c.fold ?? 0)));
      const dev = devOnSharedSeeds(protocols.filter(full));
      const ranked = protocols.sort(
        (a, c) =>
          Number(full(c)) - Number(full(a)) ||
          (full(a) && full(c) ? dev(c) - dev(a) || 0 : 0) ||
          c.length - a.length ||
          Number(isCurrent(c)) - Number(isCurrent(a)) ||
          Math.max(...c.map((r) => r.time)) - Math.max(...a.map((r) => r.time)),
      );
      const chosen = ranked[0] ?? [];
      const inFull = ranked.filter(full);
      const onDev =
        inFull.length > 1
          ? { protocols: inFull.length, dev: dev(inFull[0] ?? []), next: dev(inFull[1] ?? []) }
          : undefined;
      const { mean, std } = meanStd(chosen.map((r) => r.testAccuracy));
      const repeats = over === 'fold' ? Math.max(1, seedsWithAllFolds(chosen).size) : 1;
      const withCommand = chosen.find((r) => r.command);
      // Runs saved before --vector-scale existed used `none`, which the flag must now name to reproduce them.
      const command =
        withCommand?.command && withCommand.vectorScale === 'none' && !/--vector-scale\b/.test(withCommand.command)
          ? `${withCommand.command} --vector-scale none`
          : withCommand?.command;
      cells.push({
        set,
        variant,
        over,
        wanted,
        runs: chosen,
        mean,
        std,
        kim: b.kim[variant],
        repeats,
        ...(command ? { command: generalCommand(command, over, repeats > 1) } : {}),
        otherRuns: mine.length - chosen.length,
        ...(onDev ? { onDev } : {}),
      });
    }
  return cells;
}

/**
 * The runs of the seeds that have all ten folds, when any has (a repeated cross-validation, each seed drawing its
 * own folds); otherwise the runs as they are, a partial one.
 */
function completeFolds(runs: RunResult[]): RunResult[] {
  const complete = seedsWithAllFolds(runs);
  return complete.size ? runs.filter((r) => complete.has(r.seed)) : runs;
}

/** The seeds among a CV set's runs that have all ten folds. */
function seedsWithAllFolds(runs: readonly RunResult[]): Set<number> {
  const folds = new Map<number, Set<number>>();
  for (const r of runs) folds.set(r.seed, (folds.get(r.seed) ?? new Set()).add(r.fold ?? 0));
  return new Set([...folds].filter(([, f]) => f.size >= CV_FOLDS).map(([seed]) => seed));
}

/**
 * A run's command with its fold or seed written <n> (and, for folds drawn by several seeds, the seed <s>), and the
 * flags that do not change the result dropped.
 */
export function generalCommand(command: string, over: 'fold' | 'seed', seeds = false): string {
  const general =
    over === 'fold'
      ? command.replace(/--fold[ =]\d+/, '--fold <n>').replace(/--seed[ =]\d+/, (seed) => (seeds ? '--seed <s>' : seed))
      : command.replace(/--seed[ =]\d+/, '--seed <n>');
  return general
    .replace(/ --model-dir[ =]\S+/, '')
    .replace(/ --(json|resume)\b/g, '')
    .trim();
}

function cellText(c: Cell): string {
  if (c.runs.length === 0) return 'not run';
  const n = c.runs.length;
  const partial = n < c.wanted ? ` of ${c.wanted}` : '';
  // One run has no spread to show.
  const spread = n > 1 ? ` ± ${(100 * c.std).toFixed(1)}` : '';
  if (c.repeats > 1) return `${(100 * c.mean).toFixed(1)}${spread} (${CV_FOLDS} folds x ${c.repeats} seeds)`;
  return `${(100 * c.mean).toFixed(1)}${spread} (${n}${partial} ${c.over}${n === 1 && !partial ? '' : 's'})`;
}

/** Our four rows beside Kim's, as plain text, then the command behind each cell that has runs. */
export function formatPaperTable(cells: readonly Cell[]): string {
  const repeated = cells.some((c) => c.repeats > 1);
  const header = ['', ...BENCHMARK_NAMES];
  const rows: string[][] = [header];
  for (const variant of VARIANTS) {
    const mine = BENCHMARK_NAMES.map((set) => cells.find((c) => c.set === set && c.variant === variant) as Cell);
    rows.push([`CNN-${variant} (ours)`, ...mine.map(cellText)]);
    rows.push([`CNN-${variant} (Kim 2014)`, ...mine.map((c) => c.kim.toFixed(1))]);
  }
  const widths = header.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  const table = rows.map((row) =>
    row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0))).join('  '),
  );
  const notes = cells
    .filter((c) => c.runs.length > 0)
    .map((c) => {
      const what = c.runs[0] as RunResult;
      const vectors = what.embeddings
        ? `, vectors ${what.embeddings}${what.vectorAliases ? ' with stand-ins for the words they lack' : ''}`
        : '';
      const phrases = BENCHMARKS[c.set].trees
        ? what.phrases
          ? ', trained on phrases'
          : ', trained on sentences only'
        : '';
      const dev = (v: number) => (Number.isFinite(v) ? (100 * v).toFixed(1) : 'not recorded');
      const choice = c.onDev
        ? `; of ${c.onDev.protocols} protocols run in full, the best on dev (${dev(c.onDev.dev)} against ${dev(c.onDev.next)})`
        : '';
      const others = c.otherRuns ? ` (${c.otherRuns} other runs under other settings not counted${choice})` : '';
      return `CNN-${c.variant} ${c.set}${vectors}${phrases}${others}:\n  ${c.command ?? '(no command recorded)'}`;
    });
  return [
    ...table,
    '',
    'Mean ± sample standard deviation of the test accuracy (%) at the best dev epoch, over CV folds (MR, Subj) or',
    "seeds (SST, TREC). Kim's pretrained rows use word2vec (300-d, Google News); ours use the vectors named below.",
    ...(repeated
      ? ['Folds x seeds: the ten folds drawn again by each seed, every run counted (repeated cross-validation).']
      : []),
    ...(notes.length
      ? [
          '',
          `Commands (from the repository root; <n> for each fold or seed${repeated ? ', <s> for each seed that draws the folds' : ''}):`,
          ...notes,
        ]
      : []),
  ].join('\n');
}
